"""A nurse reports her station's 受入制限 from a phone-sized browser; the pharmacist's board
shows it. The form's script shows the restriction fields only for 受入制限, and no page is
refused by the CSP (no inline script or style). Fixtures of renrakucho/testing/browser.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.testing.browser import csp_refusals, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nurse_reports_a_restriction_from_her_phone(live_server, personas, client_for, in_browser):
    from renrakucho.facility_status.models import FacilityStatus

    # Sessions made here, before the scenario: the ORM does not run in Playwright's thread.
    nurse, pharmacist = client_for(personas.nurse), client_for(personas.pharmacist)
    board = live_server.url + reverse("facility_status:board")

    def scenario(browser):
        page = signed_in_page(browser, live_server.url, nurse, is_mobile=True)
        other = signed_in_page(browser, live_server.url, pharmacist, is_mobile=True)
        refused = csp_refusals(page, other)
        page.goto(board)
        page.get_by_role("link", name="運営状況を更新する").click()
        restrictions = page.get_by_role("group", name="制限している内容（受入制限のとき）")
        assert not restrictions.is_visible()  # 通常 is chosen: no restriction fields
        page.get_by_label("受入制限").check()
        assert restrictions.is_visible()
        page.get_by_label("ショートステイ").check()
        page.get_by_role("group", name="マスク").get_by_label("不足").check()
        page.get_by_label("備考（PCR検査の実施可否など）").fill("PCR検査 実施可")
        page.get_by_role("button", name="更新する").click()
        page.wait_for_url("**/facilities/*/")
        assert "運営状況を更新しました。" in page.content()

        other.goto(board + "?status=restricted")
        row = other.locator(f"#facility-{personas.nursing_a.uuid}")
        text = row.inner_text()
        assert "受入制限" in text and "ショートステイ" in text and "マスク: 不足" in text
        assert other.locator(".fs-row").count() == 1
        return refused

    refused = in_browser(scenario)
    entry = FacilityStatus.objects.get()
    assert entry.status == "restricted" and entry.restrictions == ["short_stay"]
    assert entry.masks == "short" and entry.updated_by == personas.nurse
    assert refused == []
