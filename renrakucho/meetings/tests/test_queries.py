"""Query counts are part of the contract: the meeting list, one meeting, the calendar feed and
the reminders run the same number of queries with few or many meetings and invitees."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renrakucho.meetings import services
from renrakucho.meetings.models import Meeting, MeetingInvitation
from renrakucho.testing.personas import make_facility, make_user

pytestmark = pytest.mark.django_db

# Outside the view: session, user, login policy, the navigation's counters (see
# timeline/tests/test_queries.py).
OUTSIDE_THE_VIEW = 12
AUDIT_ROW = 5


def bulk_meetings(personas, n: int, *, extra_invitees: int = 0):
    """n meetings (half for R's team, half for chosen users) with the nurse, the doctor and
    `extra_invitees` more professionals of Network A invited; written straight to the
    database."""
    facility = make_facility(personas.net_a, f"追加事業所{Meeting.objects.count()}", "clinic")
    extra = [
        make_user(f"x{Meeting.objects.count()}-{i}", f"追加 {i}", "ツイカ", "nurse", facility)
        for i in range(extra_invitees)
    ]
    start = timezone.now() + datetime.timedelta(days=1)
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                network=personas.net_a,
                kind="discharge" if i % 2 else "study",
                title=f"会議 {i}",
                resident=personas.resident if i % 2 else None,
                starts_at=start + datetime.timedelta(hours=i),
                duration_minutes=60,
                organizer=personas.caremanager,
                provider="jitsi",
                join_url=f"https://meet.jit.si/renrakucho-{i}",
            )
            for i in range(n)
        ]
    )
    invited = [personas.caremanager, personas.nurse, personas.doctor, *extra]
    MeetingInvitation.objects.bulk_create(
        [MeetingInvitation(meeting=m, user=u) for m in meetings for u in invited]
    )
    return meetings


def count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def test_meeting_list(personas, client_for, django_assert_max_num_queries):
    # The view: the user's Networks (1), the page with counts, the reader's answer, resident
    # and organizer joined (1), one MEETING_VIEW row per resident shown (5; here one
    # resident, whose 2 or 15 meetings it names).
    client = client_for(personas.nurse)
    bulk_meetings(personas, 3)
    first = count(client, "/meetings/")
    bulk_meetings(personas, 27, extra_invitees=20)
    second = count(client, "/meetings/")
    assert first == second
    with django_assert_max_num_queries(2 + AUDIT_ROW + OUTSIDE_THE_VIEW):
        client.get("/meetings/")


def test_meeting_page(personas, client_for, django_assert_max_num_queries):
    # The view: invitation + meeting (1), the user's Networks (1), the resident through the
    # chokepoint (1), is the reader medical (1), minutes (1, follow-ups only with minutes),
    # invitations with users (1) and their occupations (1), attachments (1), audit row (5).
    client = client_for(personas.nurse)
    small = bulk_meetings(personas, 1)[0]
    big = bulk_meetings(personas, 1, extra_invitees=40)[0]
    small.resident = big.resident = personas.resident
    Meeting.objects.filter(pk__in=[small.pk, big.pk]).update(resident=personas.resident)
    first = count(client, f"/meetings/{small.uuid}/")
    second = count(client, f"/meetings/{big.uuid}/")
    assert first == second
    with django_assert_max_num_queries(8 + AUDIT_ROW + OUTSIDE_THE_VIEW):
        client.get(f"/meetings/{big.uuid}/")


@pytest.mark.parametrize("team", [True, False], ids=["team", "chosen_users"])
def test_edit_page(personas, client_for, django_assert_max_num_queries, team):
    # The view: invitation + meeting (1), the user's Networks (1); for a team meeting the
    # resident through the chokepoint (1), is the organizer medical (1), the team as
    # checkboxes (1) and the audit row (5); the invitations with users (1) and their
    # occupations (1).
    client = client_for(personas.caremanager)
    small = bulk_meetings(personas, 1)[0]
    big = bulk_meetings(personas, 1, extra_invitees=40)[0]
    Meeting.objects.filter(pk__in=[small.pk, big.pk]).update(
        resident=personas.resident if team else None
    )
    first = count(client, f"/meetings/{small.uuid}/edit/")
    second = count(client, f"/meetings/{big.uuid}/edit/")
    assert first == second
    limit = 5 + AUDIT_ROW if team else 4
    with django_assert_max_num_queries(limit + 2 + OUTSIDE_THE_VIEW):
        page = client.get(f"/meetings/{big.uuid}/edit/").content.decode()
    if not team:
        assert "x1-39" in page  # the 40th extra invitee's login ID, prefilled


def test_calendar_feed(personas, client, django_assert_max_num_queries):
    # The token with its owner (1), the owner's Networks (1: can_log_in, 1: the list), the
    # events (1). No session: nothing outside the view.
    _, raw = services.calendar_token_issue(actor=personas.nurse)
    url = f"/meetings/calendar/{raw}.ics"
    bulk_meetings(personas, 2)
    first = count(client, url)
    bulk_meetings(personas, 40, extra_invitees=10)
    second = count(client, url)
    assert first == second
    with django_assert_max_num_queries(5):
        client.get(url)
