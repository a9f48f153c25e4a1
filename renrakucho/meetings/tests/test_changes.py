"""Changing and cancelling a meeting: organizer only (403 for other invitees, 404 for
everyone else); a new time resets the reminders and is told to those who have not declined
(meeting_changed, and an e-mail with the date, time and link only); new invitees are
invited, removed ones lose the meeting; cancelling tells every invitee. Audited with the
names of the changed fields."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.meetings import services
from renrakucho.meetings.access import access_meeting
from renrakucho.meetings.models import Meeting, MeetingInvitation
from renrakucho.notifications.models import (
    EmailPreference,
    Kind,
    Notification,
    NotificationSetting,
)

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c", "operator_a"]
SECRETS = ("山田", "花子", "退院", "カンファレンス", "訪問体制")


def _minute(delta: datetime.timedelta) -> datetime.datetime:
    return (timezone.localtime() + delta).replace(second=0, microsecond=0)


@pytest.fixture
def meeting(personas, team_meeting):
    """R's team meeting in two days at a whole minute: the nurse attends, the doctor has
    not answered; everybody was reminded already."""
    start = _minute(datetime.timedelta(days=2))
    meeting = team_meeting(starts_in=start - timezone.now())
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start)
    MeetingInvitation.objects.filter(meeting=meeting, user=personas.nurse).update(response="attend")
    MeetingInvitation.objects.filter(meeting=meeting).update(reminded_at=timezone.now())
    meeting.refresh_from_db()
    return meeting


def _form(meeting, **changes):
    data = {
        "title": meeting.title,
        "purpose": meeting.purpose,
        "agenda": meeting.agenda,
        "starts_at": f"{timezone.localtime(meeting.starts_at):%Y-%m-%dT%H:%M}",
        "duration_minutes": str(meeting.duration_minutes),
        "invitees": [
            str(row.user.uuid)
            for row in meeting.invitations.select_related("user")
            if row.user_id != meeting.organizer_id
        ],
    }
    data.update(changes)
    return data


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_edit(personas, client_for, meeting, who):
    client = client_for(getattr(personas, who))
    url = f"/meetings/{meeting.uuid}/edit/"
    assert client.get(url).status_code == 404
    assert client.post(url, _form(meeting, title="乗っ取り")).status_code == 404
    assert client.post(f"/meetings/{meeting.uuid}/cancel").status_code == 404
    meeting.refresh_from_db()
    assert meeting.title != "乗っ取り" and not meeting.is_cancelled


def test_other_invitees_get_403_and_no_edit_link(personas, client_for, meeting):
    nurse = client_for(personas.nurse)
    url = f"/meetings/{meeting.uuid}/edit/"
    assert nurse.get(url).status_code == 403
    assert nurse.post(url, _form(meeting, title="変更")).status_code == 403
    assert f'href="{url}"' not in nurse.get(f"/meetings/{meeting.uuid}/").content.decode()
    organizer = client_for(personas.caremanager)
    page = organizer.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert f'href="{url}"' in page and "編集" in page
    with pytest.raises(PermissionDenied):
        services.meeting_update(
            actor=personas.nurse,
            access=access_meeting(personas.nurse, meeting.uuid),
            title="変更",
        )


def test_anonymous_is_sent_to_login(client, meeting):
    response = client.get(f"/meetings/{meeting.uuid}/edit/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_edit_page_is_prefilled_and_audited(personas, client_for, meeting):
    page = client_for(personas.caremanager).get(f"/meetings/{meeting.uuid}/edit/")
    text = page.content.decode()
    assert page.status_code == 200
    assert meeting.title in text and "退院後の訪問体制" in text
    assert f"{timezone.localtime(meeting.starts_at):%Y-%m-%dT%H:%M}" in text
    assert "看護 花子" in text and "薬 太郎" not in text  # the team as checkboxes
    inputs = re.findall(r"<input[^>]*>", text)
    nurse = next(tag for tag in inputs if f'value="{personas.nurse.uuid}"' in tag)
    assert "checked" in nurse  # the invitees are ticked
    assert not any(f'value="{personas.caremanager.uuid}"' in tag for tag in inputs)
    event = AuditEvent.objects.filter(action=Action.MEETING_VIEW).latest("id")
    assert event.resident_uuid == personas.resident.uuid
    assert event.detail == {"view": "edit", "meetings": [str(meeting.uuid)]}


# --- Changes through the page -----------------------------------------------------------------


def test_errors_keep_what_was_typed(personas, client_for, meeting):
    client = client_for(personas.caremanager)
    url = f"/meetings/{meeting.uuid}/edit/"
    response = client.post(
        url, _form(meeting, title="", agenda="新しい議題の下書き", duration_minutes="2")
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "件名を入力してください。" in text
    assert "所要時間は5分から1440分（24時間）の間で入力してください。" in text
    assert "新しい議題の下書き" in text
    past = client.post(url, _form(meeting, starts_at="2020-01-01T10:00"))
    assert "開始日時に過去の日時は指定できません。" in past.content.decode()
    nobody = client.post(url, _form(meeting, invitees=[]))
    assert "招待する人を1人以上選んでください。" in nobody.content.decode()
    meeting.refresh_from_db()
    assert meeting.agenda == "退院後の訪問体制"
    assert not AuditEvent.objects.filter(action=Action.MEETING_UPDATE).exists()


def test_reschedule_tells_attendees_and_resets_reminders(
    personas, client_for, meeting, emails, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationSetting.objects.create(user=personas.doctor, email=EmailPreference.OFF)
    client = client_for(personas.caremanager)
    new_start = meeting.starts_at + datetime.timedelta(days=1, hours=2)
    local = timezone.localtime(new_start)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/meetings/{meeting.uuid}/edit/",
            _form(meeting, starts_at=f"{local:%Y-%m-%dT%H:%M}", duration_minutes="45"),
        )
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.uuid}/"
    meeting.refresh_from_db()
    assert meeting.starts_at == new_start and meeting.duration_minutes == 45
    assert meeting.join_url.startswith("https://meet.jit.si/renrakucho-")  # the room stays
    assert not MeetingInvitation.objects.filter(meeting=meeting, reminded_at__isnull=False)
    # The nurse attends and the doctor has not answered: both told (the doctor by
    # notification only: his e-mail is off); the organizer made the change.
    notes = Notification.objects.filter(kind=Kind.MEETING_CHANGED).order_by("user__username")
    assert [n.user for n in notes] == [personas.doctor, personas.nurse]
    assert {n.url for n in notes} == {f"/meetings/{meeting.uuid}/"}
    assert {n.target_uuid for n in notes} == {meeting.uuid}
    (message,) = mailoutbox
    assert message.to == ["nurse@example.jp"]
    assert message.subject == "【電子連絡帳】会議の日時が変わりました"
    assert f"{local.month}月{local.day}日 {local:%H:%M}" in message.body
    assert f"/meetings/{meeting.uuid}/" in message.body and "45分" in message.body
    for secret in (*SECRETS, meeting.title, meeting.join_url):
        assert secret not in message.body and secret not in message.subject
    event = AuditEvent.objects.filter(action=Action.MEETING_UPDATE).get()
    assert event.actor == personas.caremanager and event.resident_uuid == personas.resident.uuid
    assert event.detail == {
        "changed": ["starts_at", "duration_minutes"],
        "added": [],
        "removed": [],
    }


def test_a_change_of_agenda_notifies_without_e_mail(
    personas, client_for, meeting, emails, mailoutbox, django_capture_on_commit_callbacks
):
    MeetingInvitation.objects.filter(meeting=meeting, user=personas.doctor).update(
        response="decline"
    )
    client = client_for(personas.caremanager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/meetings/{meeting.uuid}/edit/", _form(meeting, agenda="福祉用具の選定"))
    meeting.refresh_from_db()
    assert meeting.agenda == "福祉用具の選定"
    # The nurse attends: told; the doctor declined: not told.
    (note,) = Notification.objects.filter(kind=Kind.MEETING_CHANGED)
    assert note.user == personas.nurse
    assert mailoutbox == []
    assert MeetingInvitation.objects.filter(meeting=meeting, reminded_at__isnull=True).count() == 0
    assert AuditEvent.objects.get(action=Action.MEETING_UPDATE).detail["changed"] == ["agenda"]


def test_nothing_changed_saves_nothing(personas, client_for, meeting):
    response = client_for(personas.caremanager).post(
        f"/meetings/{meeting.uuid}/edit/", _form(meeting)
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=Action.MEETING_UPDATE).exists()
    assert not Notification.objects.filter(kind=Kind.MEETING_CHANGED).exists()


def test_remove_and_add_invitees_on_the_team(personas, client_for, team_meeting):
    meeting = team_meeting(invitees=[personas.doctor])
    client = client_for(personas.caremanager)
    url = f"/meetings/{meeting.uuid}/edit/"
    assert client_for(personas.nurse).get(f"/meetings/{meeting.uuid}/").status_code == 404
    response = client.post(url, _form(meeting, invitees=[str(personas.nurse.uuid)]))
    assert response.status_code == 302
    # The doctor lost the meeting at once; the nurse is invited.
    assert client_for(personas.doctor).get(f"/meetings/{meeting.uuid}/").status_code == 404
    assert client_for(personas.nurse).get(f"/meetings/{meeting.uuid}/").status_code == 200
    (invited,) = Notification.objects.filter(kind=Kind.MEETING_INVITATION, user=personas.nurse)
    assert invited.target_uuid == meeting.uuid
    assert not Notification.objects.filter(user=personas.doctor, kind=Kind.MEETING_CHANGED)
    event = AuditEvent.objects.get(action=Action.MEETING_UPDATE)
    assert event.detail == {
        "changed": ["invitees"],
        "added": [str(personas.nurse.uuid)],
        "removed": [str(personas.doctor.uuid)],
    }
    # Only team members: the pharmacist of A is not on R's team.
    with pytest.raises(ValidationError) as caught:
        services.meeting_update(
            actor=personas.caremanager,
            access=access_meeting(personas.caremanager, meeting.uuid),
            invitees=[personas.nurse, personas.pharmacist],
        )
    assert caught.value.message_dict["invitees"] == ["招待できるのは支援チームのメンバーだけです。"]


def test_chosen_users_meeting_takes_login_ids_of_the_network(personas, client_for, users_meeting):
    meeting = users_meeting(invitees=[personas.pharmacist])
    client = client_for(personas.doctor)
    url = f"/meetings/{meeting.uuid}/edit/"
    page = client.get(url).content.decode()
    assert "p-pharmacist" in page
    data = _form(meeting, invitees="p-pharmacist p-nurse-b")
    refused = client.post(url, data)
    assert (
        "同じネットワークに見つからないログインIDがあります: p-nurse-b" in refused.content.decode()
    )
    assert client.post(url, _form(meeting, invitees="p-nurse")).status_code == 302
    invited = set(meeting.invitations.values_list("user__username", flat=True))
    assert invited == {"p-doctor", "p-nurse"}


def test_group_meeting_takes_active_members_only(personas):
    from renrakucho.groups import services as group_services
    from renrakucho.groups.models import GroupMembership, Policy

    group = group_services.group_create(
        actor=personas.caremanager, network=personas.net_a, name="研修会", policy=Policy.REQUEST
    )
    GroupMembership.objects.create(
        group=group, user=personas.pharmacist, status="active", joined_at=timezone.now()
    )
    meeting = services.meeting_create(
        actor=personas.caremanager,
        network=personas.net_a,
        kind="training",
        title="研修",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        duration_minutes=60,
        audience=services.Audience(group=group),
    )
    access = access_meeting(personas.caremanager, meeting.uuid)
    with pytest.raises(ValidationError) as caught:
        services.meeting_update(
            actor=personas.caremanager, access=access, invitees=[personas.nurse]
        )
    assert caught.value.message_dict["invitees"] == ["招待できるのはグループのメンバーだけです。"]
    GroupMembership.objects.filter(group=group, user=personas.pharmacist).update(status="left")
    with pytest.raises(ValidationError):
        services.meeting_update(
            actor=personas.caremanager, access=access, invitees=[personas.pharmacist]
        )


def test_no_change_after_cancel_or_end(personas, client_for, meeting):
    client = client_for(personas.caremanager)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3)
    )
    assert client.get(f"/meetings/{meeting.uuid}/edit/").status_code == 403
    with pytest.raises(ValidationError) as caught:
        services.meeting_update(
            actor=personas.caremanager,
            access=access_meeting(personas.caremanager, meeting.uuid),
            title="x",
        )
    assert caught.value.code == "ended"


# --- Cancellation -----------------------------------------------------------------------------


def test_cancel_tells_every_invitee(
    personas, client_for, meeting, emails, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(personas.caremanager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/meetings/{meeting.uuid}/cancel", {"reason": "山田さんの入院が延びたため"}
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.cancel_reason == "山田さんの入院が延びたため"
    told = Notification.objects.filter(kind=Kind.MEETING_CHANGED)
    assert sorted(told.values_list("user_id", flat=True)) == sorted(
        [personas.doctor.pk, personas.nurse.pk]
    )
    assert sorted(m.to[0] for m in mailoutbox) == ["doctor@example.jp", "nurse@example.jp"]
    local = timezone.localtime(meeting.starts_at)
    for message in mailoutbox:
        assert message.subject == "【電子連絡帳】会議が中止になりました"
        assert f"{local.month}月{local.day}日 {local:%H:%M}" in message.body
        for secret in (*SECRETS, "入院", meeting.title):
            assert secret not in message.body and secret not in message.subject
    event = AuditEvent.objects.get(action=Action.MEETING_CANCEL)
    assert event.detail == {"reason_given": True, "notified": 2}
    assert "入院" not in str(event.detail) and not event.reason
    page = client_for(personas.nurse).get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "中止の理由" in page and "山田さんの入院が延びたため" in page
    assert "/edit/" not in client.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert client.get(f"/meetings/{meeting.uuid}/edit/").status_code == 403


def test_cancel_reason_too_long(personas, client_for, meeting):
    client = client_for(personas.caremanager)
    response = client.post(f"/meetings/{meeting.uuid}/cancel", {"reason": "あ" * 501}, follow=True)
    assert "中止の理由は500文字以内で入力してください。" in response.content.decode()
    meeting.refresh_from_db()
    assert not meeting.is_cancelled


def test_an_invitee_who_left_the_team_is_not_told(personas, meeting):
    from renrakucho.residents.models import CareTeamMember

    CareTeamMember.objects.filter(user=personas.doctor).update(status="left")
    services.meeting_cancel(
        actor=personas.caremanager, access=access_meeting(personas.caremanager, meeting.uuid)
    )
    told = Notification.objects.filter(kind=Kind.MEETING_CHANGED)
    assert list(told.values_list("user_id", flat=True)) == [personas.nurse.pk]
