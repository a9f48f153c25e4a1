"""In a real browser: the join button of an open meeting page appears by itself when the join
time comes (static/js/meetings.js fetches the join block through the access-checked view),
without any CSP refusal. Reuses the uvicorn/Chromium fixtures of the timeline's browser test."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from renrakucho.meetings.models import Meeting
from renrakucho.timeline.tests.test_realtime_browser import (  # noqa: F401  (fixtures)
    _occupations,
    asgi_server,
    in_browser,
    shared_connection,
    signed_in_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_join_button_appears_without_reload(
    personas,
    client_for,
    team_meeting,
    asgi_server,  # noqa: F811  (the fixture imported above)
    in_browser,  # noqa: F811
    tmp_path,
):
    meeting = team_meeting()
    # The join time (10 minutes before the start) comes four seconds after the page opens.
    opens = timezone.now() + datetime.timedelta(seconds=4)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=opens + datetime.timedelta(minutes=10))
    nurse = client_for(personas.nurse)
    refused = []

    def scenario(browser):
        page = signed_in_page(browser, asgi_server, nurse)
        page.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{asgi_server}/meetings/{meeting.uuid}/")
        assert page.locator("#join-button").count() == 0
        page.screenshot(path=str(tmp_path / "before.png"), full_page=True)
        button = page.locator("#join-button")
        button.wait_for(timeout=15_000)
        assert button.get_attribute("href") == meeting.join_url
        page.screenshot(path=str(tmp_path / "after.png"), full_page=True)

    in_browser(scenario)
    assert refused == []
