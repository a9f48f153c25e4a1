"""The board live in a real browser (static/js/groups.js against the real ASGI application,
served by uvicorn in a thread; fixtures of renrakucho/testing/browser.py): a new
thread appears on a member's open board without reload, and the author's open thread page
shows 既読 1 once the other member opens it. Nothing is refused by the CSP."""

from __future__ import annotations

import pytest
from django.utils import timezone

from renrakucho.groups import services
from renrakucho.groups.models import GroupMembership
from renrakucho.testing.browser import csp_refusals, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_thread_and_read_mark_appear_without_reload(personas, asgi_server, in_browser):
    council = services.group_create(
        actor=personas.caremanager, network=personas.net_a, name="介護事業所連絡会"
    )
    GroupMembership.objects.create(
        group=council, user=personas.nurse, status="active", joined_at=timezone.now()
    )
    board = f"{asgi_server.url}/groups/{council.uuid}/"

    def scenario(browser):
        owner = signed_in_page(browser, asgi_server.url, personas.caremanager)
        nurse = signed_in_page(browser, asgi_server.url, personas.nurse)
        refused = csp_refusals(owner, nurse)
        owner.goto(board)
        owner.locator('#group-board[data-realtime="open"]').wait_for()

        nurse.goto(f"{board}threads/new/")
        nurse.fill("input[name=title]", "積雪時の訪問ルート")
        nurse.fill("textarea[name=body]", "高遠方面は朝の凍結が続いています。")
        nurse.click("section.composer button[type=submit]")
        nurse.wait_for_load_state()
        assert "スレッドを投稿しました。" in nurse.content()
        nurse.locator('#group-thread[data-realtime="open"]').wait_for()
        assert "既読 0" in nurse.locator("#thread-posts article.thread").inner_text()

        # The owner's open board lists it, unread, without reload.
        row = owner.locator("#group-threads li.thread-row").first
        row.get_by_text("積雪時の訪問ルート").wait_for(timeout=5_000)
        assert "未読" in row.inner_text()

        # The owner opens it; the nurse's open thread page shows 既読 1 by itself.
        row.locator("a").click()
        owner.wait_for_load_state()
        nurse.locator("#thread-posts article.thread").get_by_text("既読 1").wait_for(timeout=5_000)
        assert not refused, refused

    in_browser(scenario)
