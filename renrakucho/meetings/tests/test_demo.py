"""The demo's meetings: 山田 花子's upcoming 退院時カンファレンス with a Jitsi link for her
team, and a past サービス担当者会議 whose minutes are on her timeline; a second seed creates
nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from renrakucho.meetings.models import Meeting, MeetingInvitation, Minutes

pytestmark = pytest.mark.django_db


def test_demo_meetings():
    call_command("seed_demo", verbosity=0)
    counts = (Meeting.objects.count(), Minutes.objects.count(), MeetingInvitation.objects.count())
    call_command("seed_demo", verbosity=0)
    assert counts == (
        Meeting.objects.count(),
        Minutes.objects.count(),
        MeetingInvitation.objects.count(),
    )
    upcoming = Meeting.objects.get(kind="discharge")
    assert upcoming.resident.name == "山田 花子" and upcoming.network.slug == "ina"
    assert upcoming.starts_at > timezone.now()
    assert upcoming.join_url.startswith("https://meet.jit.si/renrakucho-")
    invited = set(upcoming.invitations.values_list("user__username", flat=True))
    assert invited == {
        "demo-caremanager",
        "demo-doctor",
        "demo-nurse",
        "demo-pharmacist",
        "demo-helper",
    }
    past = Meeting.objects.get(kind="service")
    assert past.has_ended()
    minutes = Minutes.objects.get(meeting=past)
    assert minutes.shared_post.resident == past.resident
    assert minutes.shared_post.kind == "report" and "SpO2" in minutes.shared_post.body
