"""The meeting services: scheduling (who may invite whom), answers, cancelling, minutes shared
to the timeline or a group's board with follow-up requests, the Network's provider, calendar
tokens, and audit rows and notifications of each."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.groups import services as group_services
from renrakucho.groups.models import GroupMembership, Policy, Thread
from renrakucho.meetings import services
from renrakucho.meetings.access import access_meeting
from renrakucho.meetings.models import (
    CalendarFeedToken,
    Meeting,
    MeetingInvitation,
    MeetingSettings,
    Minutes,
    Provider,
)
from renrakucho.notifications.models import Kind, Notification
from renrakucho.residents.models import CareTeamMember
from renrakucho.testing.files import pdf_bytes, upload
from renrakucho.timeline.access import access_timeline
from renrakucho.timeline.models import CareRequest, Post, PostKind

pytestmark = pytest.mark.django_db


def _started(meeting, minutes=5):
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def test_team_meeting_invites_the_team_and_notifies_without_names(personas, team_meeting):
    meeting = team_meeting(files=[upload("退院調整.pdf", pdf_bytes())])
    rows = {i.user: i.response for i in MeetingInvitation.objects.filter(meeting=meeting)}
    assert rows == {
        personas.caremanager: "attend",  # the organizer
        personas.doctor: "pending",
        personas.nurse: "pending",
    }
    notes = Notification.objects.filter(kind=Kind.MEETING_INVITATION)
    assert sorted(n.user_id for n in notes) == sorted([personas.doctor.pk, personas.nurse.pk])
    assert {n.url for n in notes} == {f"/meetings/{meeting.uuid}/"}
    assert all("山田" not in n.text for n in notes)
    event = AuditEvent.objects.filter(action=Action.MEETING_CREATE).get()
    assert event.actor == personas.caremanager and event.target_id == str(meeting.uuid)
    assert event.resident_uuid == personas.resident.uuid and event.network == personas.net_a
    assert event.detail["invitees"] == 2 and len(event.detail["attachments"]) == 1
    assert "山田" not in str(event.detail)
    (attachment,) = meeting.attachments.all()
    assert attachment.kind == "pdf" and "退院" not in attachment.file.name


def test_team_meeting_chosen_members_only(personas, team_meeting):
    meeting = team_meeting(invitees=[personas.doctor])
    assert set(meeting.invitations.values_list("user_id", flat=True)) == {
        personas.caremanager.pk,
        personas.doctor.pk,
    }
    with pytest.raises(ValidationError) as caught:
        team_meeting(invitees=[personas.pharmacist])
    assert caught.value.message_dict["invitees"] == ["招待できるのは支援チームのメンバーだけです。"]


def test_only_team_members_schedule_team_meetings(personas, team_meeting):
    # The operator reaches the resident but is not on the team.
    with pytest.raises(PermissionDenied):
        team_meeting(organizer=personas.operator_a)
    with pytest.raises(Http404):
        access_timeline(personas.pharmacist, personas.resident.uuid)


def test_bad_input_is_refused_in_japanese_and_saves_nothing(personas, team_meeting):
    with pytest.raises(ValidationError) as caught:
        team_meeting(
            kind="party", title=" ", duration_minutes=2, starts_in=-datetime.timedelta(hours=1)
        )
    errors = caught.value.message_dict
    assert errors["kind"] == ["会議の種類を選択してください。"]
    assert errors["title"] == ["件名を入力してください。"]
    assert errors["starts_at"] == ["開始日時に過去の日時は指定できません。"]
    assert "所要時間" in errors["duration_minutes"][0]
    assert not Meeting.objects.exists() and not Notification.objects.exists()


def test_chosen_users_must_act_in_the_network(personas, users_meeting):
    meeting = users_meeting(invitees=[personas.pharmacist, personas.nurse])
    assert meeting.resident is None and meeting.invitations.count() == 3
    with pytest.raises(ValidationError) as caught:
        users_meeting(invitees=[personas.nurse_b])
    assert "同じネットワーク" in caught.value.message_dict["invitees"][0]
    with pytest.raises(ValidationError):
        users_meeting(invitees=[])
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=personas.nurse_b,
            network=personas.net_a,
            kind="study",
            title="勉強会",
            starts_at=timezone.now() + datetime.timedelta(days=1),
            duration_minutes=60,
            invitees=[personas.nurse],
        )


def test_respond_and_change_mind(personas, team_meeting):
    meeting = team_meeting()
    access = access_meeting(personas.nurse, meeting.uuid)
    services.meeting_respond(actor=personas.nurse, access=access, response="decline")
    services.meeting_respond(actor=personas.nurse, access=access, response="attend")
    invitation = MeetingInvitation.objects.get(meeting=meeting, user=personas.nurse)
    assert invitation.response == "attend" and invitation.responded_at is not None
    assert AuditEvent.objects.filter(action=Action.MEETING_RESPOND).count() == 2
    with pytest.raises(ValidationError):
        services.meeting_respond(actor=personas.nurse, access=access, response="maybe")


def test_cancel_by_the_organizer_only(personas, team_meeting):
    meeting = team_meeting()
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(
            actor=personas.nurse, access=access_meeting(personas.nurse, meeting.uuid)
        )
    access = access_meeting(personas.caremanager, meeting.uuid)
    services.meeting_cancel(actor=personas.caremanager, access=access)
    meeting.refresh_from_db()
    assert meeting.is_cancelled and not meeting.join_open()
    assert AuditEvent.objects.filter(action=Action.MEETING_CANCEL).count() == 1
    with pytest.raises(ValidationError):
        services.meeting_respond(
            actor=personas.nurse,
            access=access_meeting(personas.nurse, meeting.uuid),
            response="attend",
        )


def test_minutes_go_to_the_timeline_with_follow_up_requests(personas, team_meeting):
    meeting = team_meeting()
    # Not before the meeting starts.
    with pytest.raises(PermissionDenied):
        services.minutes_save(
            actor=personas.caremanager,
            access=access_meeting(personas.caremanager, meeting.uuid),
            body="早すぎる",
        )
    _started(meeting)
    access = access_meeting(personas.caremanager, meeting.uuid)
    due = timezone.localdate() + datetime.timedelta(days=7)
    minutes = services.minutes_save(
        actor=personas.caremanager,
        access=access,
        body="退院後は週3回の訪問看護。",
        decisions="12月5日退院。",
        follow_ups=[services.FollowUpInput("訪問看護指示書の発行", personas.doctor, due)],
    )
    post = minutes.shared_post
    assert post.kind == PostKind.REPORT and post.author == personas.caremanager
    assert post.resident == personas.resident
    assert "退院後は週3回の訪問看護。" in post.body and "【決定事項】" in post.body
    (follow_up,) = minutes.follow_ups.all()
    care_request = CareRequest.objects.get(uuid=follow_up.care_request_uuid)
    assert care_request.assignee == personas.doctor and care_request.due_on == due
    assert care_request.status == "requested" and "訪問看護指示書の発行" in care_request.post.body
    assert Notification.objects.filter(kind=Kind.REQUEST_ASSIGNED, user=personas.doctor).exists()
    notified = set(
        Notification.objects.filter(kind=Kind.MEETING_MINUTES).values_list("user_id", flat=True)
    )
    assert notified == {personas.doctor.pk, personas.nurse.pk}
    event = AuditEvent.objects.filter(action=Action.MEETING_MINUTES).get()
    assert event.detail["shared_post"] == str(post.uuid) and event.detail["first"] is True
    # Editing the minutes edits the shared post (its history kept on the timeline).
    services.minutes_save(
        actor=personas.caremanager,
        access=access_meeting(personas.caremanager, meeting.uuid),
        body="退院後は週2回の訪問看護。",
    )
    post.refresh_from_db()
    assert "週2回" in post.body and post.version == 2
    assert Minutes.objects.count() == 1
    # Only the writer edits them.
    with pytest.raises(PermissionDenied):
        services.minutes_save(
            actor=personas.doctor,
            access=access_meeting(personas.doctor, meeting.uuid),
            body="上書き",
        )


def test_minutes_refuse_bad_follow_ups_atomically(personas, team_meeting):
    meeting = team_meeting()
    _started(meeting)
    access = access_meeting(personas.caremanager, meeting.uuid)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.minutes_save(
            actor=personas.caremanager,
            access=access,
            body="議事録",
            follow_ups=[
                services.FollowUpInput("", personas.pharmacist, yesterday),
            ],
        )
    messages = caught.value.message_dict["follow_ups"]
    assert any("依頼の内容" in m for m in messages)
    assert any("会議に招待された人" in m for m in messages)
    assert any("過去の日付" in m for m in messages)
    assert not Minutes.objects.exists() and not Post.objects.exists()


def test_minutes_need_a_team_member(personas, team_meeting):
    meeting = team_meeting()
    _started(meeting)
    CareTeamMember.objects.filter(user=personas.nurse).update(status="left")
    with pytest.raises(Http404):  # left the team: the meeting is gone for her
        access_meeting(personas.nurse, meeting.uuid)


def test_group_meeting_minutes_go_to_the_board(personas):
    group = group_services.group_create(
        actor=personas.caremanager,
        network=personas.net_a,
        name="地域ケア会議",
        policy=Policy.REQUEST,
    )
    GroupMembership.objects.create(
        group=group, user=personas.pharmacist, status="active", joined_at=timezone.now()
    )
    meeting = services.meeting_create(
        actor=personas.caremanager,
        network=personas.net_a,
        kind="community",
        title="第3回 地域ケア会議",
        starts_at=timezone.now() + datetime.timedelta(hours=2),
        duration_minutes=60,
        audience=services.Audience(group=group),
    )
    assert set(meeting.invitations.values_list("user_id", flat=True)) == {
        personas.caremanager.pk,
        personas.pharmacist.pk,
    }
    with pytest.raises(Http404):  # not a member
        access_meeting(personas.nurse, meeting.uuid)
    _started(meeting)
    services.meeting_respond(
        actor=personas.pharmacist,
        access=access_meeting(personas.pharmacist, meeting.uuid),
        response="attend",
    )
    minutes = services.minutes_save(
        actor=personas.pharmacist,
        access=access_meeting(personas.pharmacist, meeting.uuid),
        body="多職種で事例検討を行った。",
        follow_ups=[
            services.FollowUpInput("次回の事例を用意", personas.caremanager, timezone.localdate())
        ],
    )
    thread = Thread.objects.get(uuid=minutes.shared_thread_uuid)
    assert thread.group == group and thread.title == "【議事録】第3回 地域ケア会議"
    assert "多職種で事例検討を行った。" in thread.body
    assert Notification.objects.filter(
        kind=Kind.REQUEST_ASSIGNED, user=personas.caremanager
    ).exists()
    # A member who leaves the group loses the meeting.
    GroupMembership.objects.filter(user=personas.pharmacist).update(status="left")
    with pytest.raises(Http404):
        access_meeting(personas.pharmacist, meeting.uuid)


def test_group_meeting_needs_a_member_who_may_post(personas):
    group = group_services.group_create(
        actor=personas.operator_a,
        network=personas.net_a,
        name="お知らせ",
        policy=Policy.OPEN,
        announcement_only=True,
    )
    GroupMembership.objects.create(
        group=group, user=personas.nurse, status="active", joined_at=timezone.now()
    )
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=personas.nurse,
            network=personas.net_a,
            kind="training",
            title="研修",
            starts_at=timezone.now() + datetime.timedelta(days=1),
            duration_minutes=60,
            audience=services.Audience(group=group),
        )


def test_provider_per_network_by_its_operators(personas, team_meeting):
    with pytest.raises(PermissionDenied):
        services.meeting_settings_update(
            actor=personas.nurse, network=personas.net_a, provider=Provider.MANUAL
        )
    with pytest.raises(PermissionDenied):
        services.meeting_settings_update(
            actor=personas.operator_c, network=personas.net_a, provider=Provider.MANUAL
        )
    services.meeting_settings_update(
        actor=personas.operator_a, network=personas.net_a, provider=Provider.MANUAL
    )
    assert MeetingSettings.objects.get(network=personas.net_a).provider == Provider.MANUAL
    assert AuditEvent.objects.filter(action=Action.NETWORK_SETTINGS).count() == 1
    meeting = team_meeting(join_url="https://webex.example.jp/meet/abc")
    assert meeting.provider == Provider.MANUAL


def test_calendar_tokens(personas):
    token, raw = services.calendar_token_issue(actor=personas.nurse)
    assert raw.startswith("cal_") and token.key_hash != raw and raw not in token.key_hash
    again, raw2 = services.calendar_token_issue(actor=personas.nurse)
    token.refresh_from_db()
    assert token.revoked_at is not None and again.revoked_at is None and raw2 != raw
    assert services.calendar_token_revoke(actor=personas.nurse) == 1
    assert not CalendarFeedToken.objects.filter(revoked_at__isnull=True).exists()
    events = AuditEvent.objects.filter(action=Action.CALENDAR_TOKEN).order_by("id")
    assert [e.detail["event"] for e in events] == ["issued", "issued", "revoked"]
    assert all(raw not in str(e.detail) for e in events)
