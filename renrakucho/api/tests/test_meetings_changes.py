"""PATCH /meetings/{id} and POST /meetings/{id}/cancel: organizer only (403 for other
invitees, 404 for everyone else), 409 once cancelled or ended, 422 with Japanese messages;
audit rows; the cancel's cost does not grow with the number of invitees."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.meetings import services
from renrakucho.meetings.models import Meeting, MeetingInvitation
from renrakucho.notifications.models import Kind, Notification
from renrakucho.timeline.access import access_timeline

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c", "operator_a"]


@pytest.fixture
def meeting(personas):
    return services.meeting_create(
        actor=personas.caremanager,
        network=personas.net_a,
        kind="discharge",
        title="山田 花子さん 退院時カンファレンス",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        duration_minutes=60,
        audience=services.Audience(
            timeline=access_timeline(personas.caremanager, personas.resident.uuid)
        ),
    )


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404(personas, api_for, meeting, who):
    api = api_for(getattr(personas, who))
    assert api.patch(f"/meetings/{meeting.uuid}", {"title": "x"}).status_code == 404
    assert api.post(f"/meetings/{meeting.uuid}/cancel", {}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.title != "x" and not meeting.is_cancelled


def test_other_invitees_get_403(personas, api_for, meeting):
    api = api_for(personas.nurse)
    assert api.patch(f"/meetings/{meeting.uuid}", {"title": "x"}).status_code == 403
    assert api.post(f"/meetings/{meeting.uuid}/cancel", {}).status_code == 403
    body = api.get(f"/meetings/{meeting.uuid}").json()
    assert body["can_edit"] is False and body["cancelled"] is False


def test_patch(personas, api_for, meeting, last_audit):
    MeetingInvitation.objects.filter(meeting=meeting, user=personas.doctor).update(
        response="attend"
    )
    api = api_for(personas.caremanager)
    new_start = (meeting.starts_at + datetime.timedelta(hours=5)).isoformat()
    response = api.patch(
        f"/meetings/{meeting.uuid}",
        {
            "starts_at": new_start,
            "agenda": "在宅酸素の手配",
            "invitees": [str(personas.doctor.uuid)],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["agenda"] == "在宅酸素の手配" and body["can_edit"] is True
    assert body["duration_minutes"] == 60  # left out: unchanged
    assert sorted(i["user"]["username"] for i in body["invitations"]) == [
        "p-caremanager",
        "p-doctor",
    ]
    event = last_audit()
    assert event.action == Action.MEETING_UPDATE and event.actor == personas.caremanager
    assert event.detail == {
        "changed": ["agenda", "starts_at", "invitees"],
        "added": [],
        "removed": [str(personas.nurse.uuid)],
    }
    assert list(
        Notification.objects.filter(kind=Kind.MEETING_CHANGED).values_list("user_id", flat=True)
    ) == [personas.doctor.pk]
    # The nurse was removed: 404 from now on.
    assert api_for(personas.nurse).get(f"/meetings/{meeting.uuid}").status_code == 404


def test_patch_errors(personas, api_for, meeting):
    api = api_for(personas.caremanager)
    url = f"/meetings/{meeting.uuid}"
    bad = api.patch(url, {"title": "", "duration_minutes": 3, "kind": "study"})
    assert bad.status_code == 422
    locs = {tuple(e["loc"]) for e in bad.json()["detail"]}
    assert {("body", "title"), ("body", "duration_minutes"), ("body", "kind")} <= locs
    past = api.patch(url, {"starts_at": "2020-01-01T10:00:00+09:00"})
    assert past.status_code == 422
    assert past.json()["detail"][0]["msg"] == "開始日時に過去の日時は指定できません。"
    other_network = api.patch(url, {"invitees": [str(personas.nurse_b.uuid)]})
    assert other_network.status_code == 422
    assert other_network.json()["detail"][0]["loc"] == ["body", "invitees"]
    not_on_team = api.patch(url, {"invitees": [str(personas.pharmacist.uuid)]})
    assert not_on_team.status_code == 422
    assert not_on_team.json()["detail"][0]["msg"] == "招待できるのは支援チームのメンバーだけです。"
    nobody = api.patch(url, {"invitees": []})
    assert nobody.status_code == 422
    assert not AuditEvent.objects.filter(action=Action.MEETING_UPDATE).exists()


def test_cancel(personas, api_for, meeting, last_audit):
    api = api_for(personas.caremanager)
    url = f"/meetings/{meeting.uuid}/cancel"
    too_long = api.post(url, {"reason": "あ" * 501})
    assert too_long.status_code == 422
    response = api.post(url, {"reason": "日程を再調整します"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cancelled"] is True and body["cancel_reason"] == "日程を再調整します"
    assert body["join_url"] == "" and body["can_edit"] is False
    event = last_audit()
    assert event.action == Action.MEETING_CANCEL
    assert event.detail == {"reason_given": True, "notified": 2}
    told = Notification.objects.filter(kind=Kind.MEETING_CHANGED)
    assert sorted(told.values_list("user_id", flat=True)) == sorted(
        [personas.doctor.pk, personas.nurse.pk]
    )
    assert api.post(url, {}).status_code == 409
    assert api.patch(f"/meetings/{meeting.uuid}", {"title": "x"}).status_code == 409


def test_cancel_without_a_body(personas, api_for, meeting):
    # No body at all (not even {}): the reason is optional.
    api = api_for(personas.caremanager)
    response = api.client.post(f"/api/v1/meetings/{meeting.uuid}/cancel")
    assert response.status_code == 200, response.content
    assert response.json()["cancelled"] is True and response.json()["cancel_reason"] == ""


def test_ended_meeting_is_409(personas, api_for, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3)
    )
    api = api_for(personas.caremanager)
    assert api.patch(f"/meetings/{meeting.uuid}", {"title": "x"}).status_code == 409
    assert api.post(f"/meetings/{meeting.uuid}/cancel", {}).status_code == 409


def _users_meeting(personas, extra: int):
    from renrakucho.testing.personas import make_facility, make_user

    facility = make_facility(personas.net_a, f"追加{Meeting.objects.count()}", "clinic")
    people = [
        make_user(f"cx{Meeting.objects.count()}-{i}", "追加", "ツイカ", "nurse", facility)
        for i in range(extra)
    ]
    meeting = services.meeting_create(
        actor=personas.doctor,
        network=personas.net_a,
        kind="study",
        title="勉強会",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        duration_minutes=60,
        invitees=[personas.pharmacist, *people],
    )
    MeetingInvitation.objects.filter(meeting=meeting).update(response="attend")
    return meeting


def test_cancel_and_patch_query_counts_at_two_sizes(personas, api_for):
    api = api_for(personas.doctor)
    api.get("/meetings")  # the token's last use written once
    counts = []
    for extra in (1, 25):
        meeting = _users_meeting(personas, extra)
        with CaptureQueriesContext(connection) as patch:
            response = api.patch(
                f"/meetings/{meeting.uuid}",
                {"starts_at": (meeting.starts_at + datetime.timedelta(hours=1)).isoformat()},
            )
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as cancel:
            assert api.post(f"/meetings/{meeting.uuid}/cancel", {}).status_code == 200
        counts.append((len(patch.captured_queries), len(cancel.captured_queries)))
    assert counts[0] == counts[1], counts
