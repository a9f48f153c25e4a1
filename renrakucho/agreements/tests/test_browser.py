"""伊那市's operator proposes an Agreement from a phone-sized browser, 南箕輪村's operator
accepts it: two-sided consent, forms without JavaScript, no page refused by the CSP.
Fixtures of renrakucho/testing/browser.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.testing.browser import csp_refusals, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_propose_and_accept(live_server, personas, operator_b, client_for, in_browser):
    from renrakucho.agreements.models import Agreement

    # Sessions made here, before the scenario: the ORM does not run in Playwright's thread.
    proposer, partner = client_for(personas.operator_a), client_for(operator_b)
    agreements = live_server.url + reverse("agreements:list")

    def scenario(browser):
        page = signed_in_page(browser, live_server.url, proposer, is_mobile=True)
        other = signed_in_page(browser, live_server.url, partner, is_mobile=True)
        refused = csp_refusals(page, other)
        page.goto(live_server.url + reverse("console:index"))
        page.get_by_role("link", name="広域連携協定").click()
        page.get_by_role("link", name="協定を提案する").click()
        page.get_by_label("協定の名称").fill("上伊那広域連携協定")
        page.get_by_label("開始日").fill("2026-12-01")
        page.get_by_label("ネットワークをまたぐグループ").check()
        page.get_by_label("南箕輪村電子連絡帳（南箕輪村）").check()
        page.get_by_role("button", name="提案する").click()
        page.wait_for_url("**/agreements/*-*/")
        assert "相手のネットワークの承諾を待っています。" in page.content()

        other.goto(agreements)
        other.locator("#agreements-awaiting").get_by_role("link").click()
        other.get_by_role("button", name="参加を承諾する").click()
        other.wait_for_url("**/agreements/*-*/")
        assert "協定への参加を承諾しました。" in other.content()
        assert "有効" in other.locator("h1").inner_text()
        return refused

    refused = in_browser(scenario)
    agreement = Agreement.objects.get()
    assert agreement.allows_teams and agreement.allows_groups
    assert set(agreement.parties.values_list("status", flat=True)) == {"accepted"}
    assert refused == []
