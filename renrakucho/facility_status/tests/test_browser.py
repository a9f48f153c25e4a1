"""A nurse reports her station's 受入制限 from a phone-sized browser; the pharmacist's board
shows it. The form's script shows the restriction fields only for 受入制限, and no page is
refused by the CSP (no inline script or style)."""

from __future__ import annotations

import importlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _occupations(transactional_db):
    # A committing test ends with a flush, which also drops the occupations that migration
    # seeded; the personas need them.
    from django.apps import apps

    importlib.import_module("renrakucho.accounts.migrations.0002_seed_occupations").seed(apps, None)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_nurse_reports_a_restriction_from_her_phone(live_server, client_for):
    from playwright.sync_api import sync_playwright

    from renrakucho.facility_status.models import FacilityStatus
    from renrakucho.testing.personas import make_personas

    personas = make_personas()
    # Sessions made here, before Playwright's event loop runs in this thread.
    cookies = {
        who: client_for(getattr(personas, who)).cookies["sessionid"].value
        for who in ("nurse", "pharmacist")
    }
    board = live_server.url + reverse("facility_status:board")
    refused: list[str] = []

    def open_page(browser, who):
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="ja-JP", is_mobile=True
        )
        context.add_cookies([{"name": "sessionid", "value": cookies[who], "url": live_server.url}])
        page = context.new_page()
        page.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        return page

    def scenario():
        # In a thread of its own: the journeys of renrakucho/browser_tests may hold
        # Playwright's sync API (and its event loop) in the main thread for the session.
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
            try:
                run(browser)
            finally:
                browser.close()

    def run(browser):
        page = open_page(browser, "nurse")
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

        other = open_page(browser, "pharmacist")
        other.goto(board + "?status=restricted")
        row = other.locator(f"#facility-{personas.nursing_a.uuid}")
        text = row.inner_text()
        assert "受入制限" in text and "ショートステイ" in text and "マスク: 不足" in text
        assert other.locator(".fs-row").count() == 1

    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(scenario).result(timeout=120)
    entry = FacilityStatus.objects.get()
    assert entry.status == "restricted" and entry.restrictions == ["short_stay"]
    assert entry.masks == "short" and entry.updated_by == personas.nurse
    assert refused == []
