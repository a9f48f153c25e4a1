"""In a real browser: the join button of an open meeting page appears by itself when the join
time comes (static/js/meetings.js fetches the join block through the access-checked view),
without any CSP refusal. Uvicorn/Chromium fixtures of renrakucho/testing/browser.py."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from renrakucho.meetings.models import Meeting
from renrakucho.testing.browser import csp_refusals, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_join_button_appears_without_reload(
    personas, client_for, team_meeting, asgi_server, in_browser, tmp_path
):
    meeting = team_meeting()
    # The join time (10 minutes before the start) comes four seconds after the page opens.
    opens = timezone.now() + datetime.timedelta(seconds=4)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=opens + datetime.timedelta(minutes=10))
    nurse = client_for(personas.nurse)

    def scenario(browser):
        page = signed_in_page(browser, asgi_server.url, nurse)
        refused = csp_refusals(page)
        page.goto(f"{asgi_server.url}/meetings/{meeting.uuid}/")
        assert page.locator("#join-button").count() == 0
        page.screenshot(path=str(tmp_path / "before.png"), full_page=True)
        button = page.locator("#join-button")
        button.wait_for(timeout=15_000)
        assert button.get_attribute("href") == meeting.join_url
        page.screenshot(path=str(tmp_path / "after.png"), full_page=True)
        return refused

    assert in_browser(scenario) == []
