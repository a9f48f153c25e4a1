import re

import pytest
from playwright.sync_api import expect

from renrakucho.testing.browser import csp_refusals, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nurse_finds_yamada_by_hiragana_and_sees_her_team(page, live_server, demo_data):
    refused = csp_refusals(page)
    log_in(page, live_server.url, "demo-nurse")
    expect(page.locator("body")).to_contain_text("山田 花子")  # on the dashboard already
    page.goto(f"{live_server.url}/residents/")
    page.fill("input[name=q]", "やまだ")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile("山田 花子")).first.click()
    expect(page.locator("h1")).to_contain_text("山田 花子")
    expect(page.locator("body")).to_contain_text("ヤマダ ハナコ")
    page.get_by_role("link", name=re.compile("支援チーム")).first.click()
    team = page.locator("main")
    expect(team).to_contain_text("ケアマネジャー")
    expect(team).to_contain_text("主治医")
    expect(team).to_contain_text("訪問看護")
    assert not refused, refused


def test_outsider_cannot_open_yamada_by_url(page, live_server, demo_data):
    from renrakucho.residents.models import Resident

    yamada = Resident.objects.get(name="山田 花子")  # test setup, not application code
    refused = csp_refusals(page)
    log_in(page, live_server.url, "demo-outsider")
    response = page.goto(f"{live_server.url}/residents/{yamada.uuid}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("山田 花子")
    expect(page.locator("body")).not_to_contain_text("ヤマダ")
    assert not refused, refused
