"""The private iCalendar feed (RFC 5545, no resident names, revocable) and the reminders
task (notification + e-mail once, without names or clinical content)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from renrakucho.meetings import ical, services
from renrakucho.meetings.models import Meeting, MeetingInvitation
from renrakucho.meetings.tasks import send_meeting_reminders
from renrakucho.notifications.models import EmailPreference, Kind, Notification, NotificationSetting

pytestmark = pytest.mark.django_db


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def _feed(client, raw):
    return client.get(f"/meetings/calendar/{raw}.ics")


def test_feed_is_a_valid_calendar_without_resident_names(
    personas, client, team_meeting, users_meeting
):
    team = team_meeting(agenda="山田 花子さんの褥瘡の処置について")
    study = users_meeting(invitees=[personas.nurse], title="褥瘡ケア勉強会; 第2回, 基礎")
    _, raw = services.calendar_token_issue(actor=personas.nurse)
    response = _feed(client, raw)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    text = response.content.decode("utf-8")
    assert "山田" not in text and "花子" not in text and "褥瘡の処置" not in text
    # CRLF line ends, every physical line at most 75 octets.
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 2 == lines.count("END:VEVENT")
    assert f"UID:{team.uuid}@renrakucho" in lines and f"UID:{study.uuid}@renrakucho" in lines
    # The team meeting is named by its kind; the other by its title, escaped.
    assert "SUMMARY:退院時カンファレンス" in lines
    assert "SUMMARY:褥瘡ケア勉強会\\; 第2回\\, 基礎" in lines
    starts = [line for line in lines if line.startswith("DTSTART:")]
    assert all(re.fullmatch(r"DTSTART:\d{8}T\d{6}Z", line) for line in starts)
    utc_start = team.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    utc_end = team.ends_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{utc_start}" in lines and f"DTEND:{utc_end}" in lines
    assert f"LOCATION:{team.join_url}" in lines
    # The UID is stable: a second fetch gives the same events.
    assert _unfold(_feed(client, raw).content.decode()) == lines


def test_feed_shows_cancelled_and_declined(personas, client, team_meeting):
    cancelled, declined = team_meeting(), team_meeting()
    Meeting.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    MeetingInvitation.objects.filter(meeting=declined, user=personas.nurse).update(
        response="decline"
    )
    _, raw = services.calendar_token_issue(actor=personas.nurse)
    text = "\n".join(_unfold(_feed(client, raw).content.decode()))
    events = text.split("BEGIN:VEVENT")[1:]
    by_uid = {re.search(r"UID:(\S+)@", e).group(1): e for e in events}
    assert "STATUS:CANCELLED" in by_uid[str(cancelled.uuid)]
    assert "LOCATION:" not in by_uid[str(cancelled.uuid)]
    assert "STATUS:TENTATIVE" in by_uid[str(declined.uuid)]


def test_feed_follows_access(personas, client, team_meeting, users_meeting):
    team_meeting()
    users_meeting(invitees=[personas.pharmacist])
    _, raw = services.calendar_token_issue(actor=personas.pharmacist)
    # The pharmacist is not on R's team: only the meeting she was invited to.
    assert _unfold(_feed(client, raw).content.decode()).count("BEGIN:VEVENT") == 1


def test_revoked_or_unknown_token_is_404(personas, client, team_meeting):
    team_meeting()
    _, raw = services.calendar_token_issue(actor=personas.nurse)
    assert _feed(client, raw).status_code == 200
    services.calendar_token_revoke(actor=personas.nurse)
    assert _feed(client, raw).status_code == 404
    assert _feed(client, "cal_unknown").status_code == 404
    assert _feed(client, "whatever").status_code == 404
    # Reissuing invalidates the old URL too.
    _, first = services.calendar_token_issue(actor=personas.nurse)
    _, second = services.calendar_token_issue(actor=personas.nurse)
    assert _feed(client, first).status_code == 404
    assert _feed(client, second).status_code == 200
    # An owner who can no longer log in has no feed.
    personas.nurse.is_active = False
    personas.nurse.save(update_fields=["is_active"])
    assert _feed(client, second).status_code == 404


def test_fold_and_escape():
    long = "SUMMARY:" + "あ" * 40
    folded = ical.fold(long)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert folded.replace("\r\n ", "") == long
    assert ical.escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


# --- Reminders -----------------------------------------------------------------------------------


def test_reminders_once_with_generic_email(personas, team_meeting, emails, mailoutbox):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=1)
    meeting = team_meeting(starts_in=start - timezone.now())
    MeetingInvitation.objects.filter(meeting=meeting, user=personas.doctor).update(
        response="decline"
    )
    NotificationSetting.objects.create(user=personas.caremanager, email=EmailPreference.OFF)
    with time_machine.travel(start - datetime.timedelta(hours=2), tick=False):
        assert send_meeting_reminders.call_local() == 0  # too early
    with time_machine.travel(start - datetime.timedelta(minutes=25), tick=False):
        assert send_meeting_reminders.call_local() == 2
        assert send_meeting_reminders.call_local() == 0  # once
    reminded = Notification.objects.filter(kind=Kind.MEETING_REMINDER)
    # The nurse (pending) and the organizer (attending); not the doctor, who declined.
    assert sorted(n.user_id for n in reminded) == sorted(
        [personas.nurse.pk, personas.caremanager.pk]
    )
    assert {n.url for n in reminded} == {f"/meetings/{meeting.uuid}/"}
    # E-mail to the nurse only (the care manager turned e-mail off).
    (message,) = mailoutbox
    assert message.to == ["nurse@example.jp"]
    assert message.subject == "【電子連絡帳】まもなく会議が始まります"
    local = timezone.localtime(start)
    assert f"{local:%H:%M}" in message.body and f"/meetings/{meeting.uuid}/" in message.body
    for secret in ("山田", "花子", "退院", "カンファレンス", "訪問体制", meeting.join_url):
        assert secret not in message.body and secret not in message.subject
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        assert send_meeting_reminders.call_local() == 0


def test_no_reminder_for_cancelled_or_unreachable(personas, team_meeting, emails, mailoutbox):
    start = timezone.now() + datetime.timedelta(days=1)
    cancelled = team_meeting(starts_in=start - timezone.now())
    Meeting.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    kept = team_meeting(starts_in=start - timezone.now())
    # The nurse left the team: no reminder linking to a page she cannot open.
    from renrakucho.residents.models import CareTeamMember

    CareTeamMember.objects.filter(user=personas.nurse).update(status="left")
    with time_machine.travel(start - datetime.timedelta(minutes=10), tick=False):
        # `kept`: the organizer and the doctor; not the nurse; nothing of `cancelled`.
        assert services.meeting_reminders_send() == 2
    reminded = Notification.objects.filter(kind=Kind.MEETING_REMINDER)
    assert sorted(reminded.values_list("user_id", flat=True)) == sorted(
        [personas.doctor.pk, personas.caremanager.pk]
    )
    assert {n.target_uuid for n in reminded} == {kept.uuid}
    assert MeetingInvitation.objects.get(meeting=kept, user=personas.nurse).reminded_at
    assert sorted(m.to[0] for m in mailoutbox) == ["cm@example.jp", "doctor@example.jp"]
