"""Writes of the meetings app: schedule (with the video link), respond, cancel, minutes
(shared to the resident's timeline or the group's board, with follow-up requests), the
Network's provider, calendar feed tokens, and the reminders.

Each write owns its transaction, writes an audit row and notifies through `notify()`; e-mail
goes out after commit. Announcements name a resident-team meeting by its kind only
(`Meeting.public_label`), and a notification row stores only a URL with UUIDs.
Errors a person can fix are ValidationError in Japanese keyed by field; acting on something
not one's own is PermissionDenied.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.files.attachments import check_files, size_limits, store_attachment
from renrakucho.files.uploads import HEIC, JPEG, PDF, PNG, CheckedFile
from renrakucho.networks.models import Network
from renrakucho.notifications.models import EmailPreference, NotificationSetting
from renrakucho.notifications.models import Kind as NotificationKind
from renrakucho.notifications.services import notify
from renrakucho.timeline import interactions as timeline_interactions
from renrakucho.timeline import services as timeline_services
from renrakucho.timeline.access import TimelineAccess
from renrakucho.timeline.models import PostKind

from . import selectors
from .access import MeetingAccess, meetings_visible_to
from .groups_bridge import (
    check_group_organizer,
    group_member_queryset,
    group_member_users,
    share_to_board,
)
from .models import (
    CalendarFeedToken,
    FollowUp,
    Meeting,
    MeetingAttachment,
    MeetingInvitation,
    MeetingKind,
    MeetingSettings,
    Minutes,
    Provider,
)
from .providers import ProviderError, provider_for

logger = logging.getLogger(__name__)

ATTACHMENT_KINDS = (PDF, JPEG, PNG, HEIC)
MAX_ATTACHMENTS = 10
MAX_INVITEES = 200
MAX_FOLLOW_UPS = 10
# A start a few minutes ago is a slow form, not the past.
START_TOLERANCE = datetime.timedelta(minutes=5)


def meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", kwargs={"meeting_uuid": meeting.uuid})


def _reminder_minutes() -> float:
    return float(getattr(settings, "MEETING_REMINDER_MINUTES", 30))


def _audit(meeting: Meeting, *, actor, action, request=None, **detail) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        network_id=meeting.network_id,
        target=meeting,
        resident_uuid=meeting.resident.uuid if meeting.resident_id else None,
        detail=detail or None,
    )


# --- Reads ------------------------------------------------------------------------------------


def meetings_viewed(
    *, actor, meetings: Sequence[Meeting], view: str, request=None, channel: str | None = None
) -> int:
    """Audit that `actor` was shown these meetings: for the resident-team meetings among them,
    one MEETING_VIEW row per resident (`resident_uuid` set, so the resident's access history
    shows it) naming the meetings' UUIDs; meetings of groups and chosen users are not
    resident data and write nothing. Returns the number of rows written (at most one per
    distinct resident: constant in the number of meetings and invitees)."""
    by_resident: dict = {}
    for meeting in meetings:
        if meeting.resident_id is not None:
            by_resident.setdefault(meeting.resident_id, []).append(meeting)
    for rows in by_resident.values():
        first = rows[0]
        detail = {"view": view, "meetings": [str(m.uuid) for m in rows]}
        if channel:
            detail = {"channel": channel, **detail}
        audit_record(
            action=Action.MEETING_VIEW,
            actor=actor,
            request=request,
            network_id=first.network_id,
            target=first if len(rows) == 1 else None,
            resident_uuid=first.resident.uuid,
            detail=detail,
        )
    return len(by_resident)


# --- Files ------------------------------------------------------------------------------------


def _check_files(files: Iterable) -> list[CheckedFile]:
    """Content-checked PDFs and photos (photos re-encoded without metadata), each within the
    PDF size limit: files.attachments.check_files."""
    return check_files(
        files,
        kinds=ATTACHMENT_KINDS,
        max_files=MAX_ATTACHMENTS,
        too_many=_("添付できる資料は%(n)d件までです。"),
        max_bytes=size_limits()[PDF],
    )


def _store_attachments(meeting: Meeting, actor, checked: Sequence[CheckedFile]) -> list:
    return [
        store_attachment(
            MeetingAttachment(meeting=meeting, uploaded_by=actor), file, thumbnail=False
        )
        for file in checked
    ]


# --- Scheduling ---------------------------------------------------------------------------------


@dataclass
class Audience:
    """Whom a meeting is for: a resident's team (`timeline`, the organizer's access), a
    group, or neither (chosen users)."""

    timeline: TimelineAccess | None = None
    group: object | None = None


def _check_https(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError({"join_url": _("ビデオ会議のURLを入力してください。")})
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        raise ValidationError(
            {"join_url": _("ビデオ会議のURLは https:// で始まるURLを入力してください。")}
        ) from None
    if len(url) > Meeting._meta.get_field("join_url").max_length:
        raise ValidationError({"join_url": _("URLが長すぎます。")})
    return url


def _invitees_for(*, actor, network: Network, audience: Audience, invitees: Sequence) -> list:
    """The users to invite (without the organizer): for a team meeting, team members only
    (all of them when none are chosen); for a group meeting, its members (all when none are
    chosen); otherwise the chosen users, who must act in the Network."""
    chosen = {user.pk: user for user in invitees if user.pk != actor.pk}
    if audience.timeline is not None:
        team = {user.pk: user for user in selectors.team_users(audience.timeline.resident)}
        if not chosen:
            chosen = {pk: user for pk, user in team.items() if pk != actor.pk}
        outside = [pk for pk in chosen if pk not in team]
        if outside:
            raise ValidationError({"invitees": _("招待できるのは支援チームのメンバーだけです。")})
        return list(chosen.values())
    if audience.group is not None:
        members = {user.pk: user for user in group_member_users(audience.group)}
        if not chosen:
            chosen = {pk: user for pk, user in members.items() if pk != actor.pk}
        if any(pk not in members for pk in chosen):
            raise ValidationError({"invitees": _("招待できるのはグループのメンバーだけです。")})
        return list(chosen.values())
    allowed = set(
        selectors.network_users(network.pk).filter(pk__in=list(chosen)).values_list("pk", flat=True)
    )
    if any(pk not in allowed for pk in chosen):
        raise ValidationError({"invitees": _("招待できるのは同じネットワークの利用者だけです。")})
    return list(chosen.values())


def meeting_create(
    *,
    actor,
    network: Network,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    duration_minutes: int,
    purpose: str = "",
    agenda: str = "",
    audience: Audience | None = None,
    invitees: Sequence = (),
    join_url: str = "",
    files: Iterable = (),
    request=None,
) -> Meeting:
    """Schedule a meeting as `actor` in `network` and invite people.

    For a team meeting (`audience.timeline`, the actor's access to the resident) the actor
    must be on the team and the invitees are team members (the whole team when none are
    chosen); for a group meeting the actor and invitees are group members; otherwise the
    invitees are chosen users acting in the Network. The organizer is invited as attending.

    The video link comes from the Network's provider (MeetingSettings; Jitsi by default); with
    the manual provider `join_url` (https) is required. The provider is called before the
    transaction opens. Files: PDFs and photos, content-checked.

    Raises PermissionDenied when the actor does not act in the Network, is not on the team
    (an operator reads only) or not in the group; ValidationError keyed by field (kind,
    title, starts_at, duration_minutes, invitees, join_url, files) — nothing is saved then.
    Audits MEETING_CREATE; notifies the invitees (meeting_invitation).
    """
    audience = audience or Audience()
    if network.pk not in actor.active_network_ids():
        raise PermissionDenied
    resident = None
    if audience.timeline is not None:
        if not audience.timeline.is_member or audience.timeline.resident.network_id != network.pk:
            raise PermissionDenied
        resident = audience.timeline.resident
    if audience.group is not None:
        check_group_organizer(actor, audience.group, network)
    errors: dict[str, list] = {}
    checked: list[CheckedFile] = []
    try:
        checked = _check_files(files)
    except ValidationError as error:
        errors.update(error.message_dict)
    meeting = Meeting(
        network=network,
        kind=kind,
        title=(title or "").strip(),
        purpose=(purpose or "").strip(),
        agenda=(agenda or "").strip(),
        resident=resident,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        organizer=actor,
        provider=selectors.provider_of(network),
    )
    if audience.group is not None:
        meeting.group = audience.group
    if kind not in MeetingKind.values:
        errors.setdefault("kind", []).append(_("会議の種類を選択してください。"))
    if not meeting.title:
        errors.setdefault("title", []).append(_("件名を入力してください。"))
    elif len(meeting.title) > 200:
        errors.setdefault("title", []).append(_("件名は200文字以内で入力してください。"))
    if starts_at is None or timezone.is_naive(starts_at):
        errors.setdefault("starts_at", []).append(_("開始日時を正しく入力してください。"))
    elif starts_at < timezone.now() - START_TOLERANCE:
        errors.setdefault("starts_at", []).append(_("開始日時に過去の日時は指定できません。"))
    if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 24 * 60:
        errors.setdefault("duration_minutes", []).append(
            _("所要時間は5分から1440分（24時間）の間で入力してください。")
        )
    people: list = []
    try:
        people = _invitees_for(actor=actor, network=network, audience=audience, invitees=invitees)
        if not people:
            errors.setdefault("invitees", []).append(_("招待する人を1人以上選んでください。"))
        elif len(people) > MAX_INVITEES:
            errors.setdefault("invitees", []).append(
                _("招待できるのは%(n)d人までです。") % {"n": MAX_INVITEES}
            )
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if meeting.provider == Provider.MANUAL:
        try:
            meeting.join_url = _check_https(join_url)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if meeting.provider != Provider.MANUAL:
        try:
            meeting.join_url, meeting.provider_meeting_id = provider_for(
                meeting.provider
            ).create_meeting(meeting)
        except ProviderError as error:
            raise ValidationError({"join_url": str(error)}, code="provider") from None
    return _save_new_meeting(
        meeting=meeting, actor=actor, people=people, checked=checked, request=request
    )


@transaction.atomic
def _save_new_meeting(*, meeting: Meeting, actor, people: list, checked, request) -> Meeting:
    meeting.full_clean()
    meeting.save()
    now = timezone.now()
    MeetingInvitation.objects.bulk_create(
        [
            MeetingInvitation(
                meeting=meeting,
                user=actor,
                response=MeetingInvitation.Response.ATTEND,
                responded_at=now,
            ),
            *[MeetingInvitation(meeting=meeting, user=user) for user in people],
        ]
    )
    attachments = _store_attachments(meeting, actor, checked)
    _audit(
        meeting,
        actor=actor,
        action=Action.MEETING_CREATE,
        request=request,
        kind=meeting.kind,
        provider=meeting.provider,
        invitees=len(people),
        attachments=[str(a.uuid) for a in attachments],
    )
    notify(
        users=people,
        kind=NotificationKind.MEETING_INVITATION,
        url=meeting_url(meeting),
        resident_uuid=meeting.resident.uuid if meeting.resident_id else None,
        target_uuid=meeting.uuid,
        exclude=actor,
    )
    return meeting


@transaction.atomic
def meeting_respond(*, actor, access: MeetingAccess, response: str, request=None):
    """出席 / 欠席 of the actor's own invitation (changeable until the meeting ends).

    Raises ValidationError (response) for an unknown answer, or for a cancelled or ended
    meeting (code "ended"). Audits MEETING_RESPOND; no notification."""
    invitation = access.invitation
    if invitation.user_id != actor.pk:
        raise PermissionDenied
    if response not in (MeetingInvitation.Response.ATTEND, MeetingInvitation.Response.DECLINE):
        raise ValidationError({"response": _("「出席」か「欠席」を選んでください。")})
    meeting = access.meeting
    if meeting.is_cancelled:
        raise ValidationError(_("この会議は中止されました。"), code="ended")
    if meeting.has_ended():
        raise ValidationError(_("この会議は終了しています。"), code="ended")
    if invitation.response != response:
        invitation.response = response
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["response", "responded_at", "updated_at"])
    _audit(meeting, actor=actor, action=Action.MEETING_RESPOND, request=request, response=response)
    return invitation


# --- Changes and cancellation ------------------------------------------------------------------


EDITABLE_FIELDS = ("title", "purpose", "agenda", "starts_at", "duration_minutes")
TIME_FIELDS = frozenset({"starts_at", "duration_minutes"})


def _check_can_change(actor, access: MeetingAccess) -> Meeting:
    meeting = access.meeting
    if meeting.organizer_id != actor.pk:
        raise PermissionDenied
    if meeting.is_cancelled:
        raise ValidationError(_("この会議は既に中止されています。"), code="ended")
    if meeting.has_ended():
        raise ValidationError(_("終了した会議は変更・中止できません。"), code="ended")
    return meeting


def _still_reaching(meeting: Meeting, users: Sequence) -> list:
    """Those of `users` who are still in the meeting's audience (the team, the group's
    active members, or the Network's active users): the others are not told anything. One
    query."""
    if meeting.resident_id is not None:
        pool = selectors.team_user_queryset(meeting.resident)
    elif meeting.group_id is not None:
        pool = group_member_queryset(meeting.group)
    else:
        pool = selectors.network_users(meeting.network_id)
    keep = set(pool.filter(pk__in=[user.pk for user in users]).values_list("pk", flat=True))
    return [user for user in users if user.pk in keep]


def _email_addresses(users: Sequence) -> list[str]:
    """The addresses of `users` who have one and did not turn e-mail off. One query."""
    if not users:
        return []
    off = set(
        NotificationSetting.objects.filter(
            user__in=[user.pk for user in users], email=EmailPreference.OFF
        ).values_list("user_id", flat=True)
    )
    return [user.email for user in users if user.email and user.pk not in off]


def _change_email(meeting: Meeting, address: str, connection, *, cancelled: bool):
    """A plain e-mail with the date, time and a link only: no title, no names."""
    with translation.override(settings.LANGUAGE_CODE):
        local = timezone.localtime(meeting.starts_at)
        when = {
            "month": local.month,
            "day": local.day,
            "time": f"{local:%H:%M}",
            "minutes": meeting.duration_minutes,
        }
        if cancelled:
            subject = _("【電子連絡帳】会議が中止になりました")
            head = _("%(month)d月%(day)d日 %(time)s からの会議は中止になりました。") % when
        else:
            subject = _("【電子連絡帳】会議の日時が変わりました")
            head = (
                _(
                    "会議の日時が %(month)d月%(day)d日 %(time)s から（%(minutes)d分）に変わりました。"
                )
                % when
            )
        link = settings.SITE_URL.rstrip("/") + meeting_url(meeting)
        body = head + "\n" + _("詳細は、ログインしてご確認ください。") + "\n" + link + "\n"
    return EmailMessage(subject, body, to=[address], connection=connection)


def _send_change_emails(meeting: Meeting, addresses: list[str], *, cancelled: bool) -> None:
    if not addresses:
        return
    connection = get_connection()
    for address in addresses:
        try:
            _change_email(meeting, address, connection, cancelled=cancelled).send()
        except Exception:
            logger.warning("meeting change e-mail failed", exc_info=True)


def _emails_on_commit(meeting: Meeting, users: Sequence, *, cancelled: bool) -> None:
    addresses = _email_addresses(users)
    if addresses:
        transaction.on_commit(lambda: _send_change_emails(meeting, addresses, cancelled=cancelled))


def meeting_update(
    *,
    actor,
    access: MeetingAccess,
    title: str | None = None,
    purpose: str | None = None,
    agenda: str | None = None,
    starts_at: datetime.datetime | None = None,
    duration_minutes: int | None = None,
    invitees: Sequence | None = None,
    request=None,
) -> list[str]:
    """Change a meeting that has not ended, as its organizer; a value left None stays.
    `invitees` (without the organizer) replaces the invitation list: team meetings take
    current team members, group meetings active members, other meetings active users of the
    Network. Returns the names of the fields that changed (empty: nothing was saved).

    A change of start or duration clears every invitation's `reminded_at` (reminded again)
    and, for a Teams meeting, moves the online meeting through Graph before the transaction
    opens (also for a new title of a meeting announced by its title; a Jitsi room or a
    manual URL stays). Invitees who did not decline (出席, or no answer yet) are notified
    (meeting_changed: a generic sentence and the link) when anything but the invitation list
    changed, and e-mailed the new date and time (after commit, unless they turned e-mail
    off) when the time changed; new invitees get meeting_invitation; removed invitees lose
    the meeting at once (their invitation is deleted, so it is 404 for them).

    Raises PermissionDenied unless the actor organises it (and, for a team meeting, is still
    on the team); ValidationError code "ended" when cancelled or ended; ValidationError keyed
    by field (title, starts_at, duration_minutes, invitees, join_url for a Graph failure) —
    nothing is saved then. Audits MEETING_UPDATE with the changed field names and the UUIDs
    of the users added and removed.
    """
    meeting = _check_can_change(actor, access)
    if access.timeline is not None and not access.timeline.is_member:
        raise PermissionDenied
    if meeting.group_id is not None:
        check_group_organizer(actor, meeting.group, meeting.network)
    errors: dict[str, list] = {}
    wanted: dict[str, object] = {}
    if title is not None:
        wanted["title"] = (title or "").strip()
        if not wanted["title"]:
            errors.setdefault("title", []).append(_("件名を入力してください。"))
        elif len(wanted["title"]) > 200:
            errors.setdefault("title", []).append(_("件名は200文字以内で入力してください。"))
    if purpose is not None:
        wanted["purpose"] = (purpose or "").strip()
    if agenda is not None:
        wanted["agenda"] = (agenda or "").strip()
    if starts_at is not None:
        if timezone.is_naive(starts_at):
            errors.setdefault("starts_at", []).append(_("開始日時を正しく入力してください。"))
        elif starts_at != meeting.starts_at:
            if starts_at < timezone.now() - START_TOLERANCE:
                errors.setdefault("starts_at", []).append(
                    _("開始日時に過去の日時は指定できません。")
                )
            wanted["starts_at"] = starts_at
    if duration_minutes is not None:
        if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 24 * 60:
            errors.setdefault("duration_minutes", []).append(
                _("所要時間は5分から1440分（24時間）の間で入力してください。")
            )
        wanted["duration_minutes"] = duration_minutes
    current = list(MeetingInvitation.objects.filter(meeting=meeting).select_related("user"))
    current_ids = {row.user_id for row in current}
    added: list = []
    removed: list[MeetingInvitation] = []
    if invitees is not None:
        chosen = [user for user in invitees if user.pk != meeting.organizer_id]
        if not chosen:
            errors.setdefault("invitees", []).append(_("招待する人を1人以上選んでください。"))
        elif len({user.pk for user in chosen}) > MAX_INVITEES:
            errors.setdefault("invitees", []).append(
                _("招待できるのは%(n)d人までです。") % {"n": MAX_INVITEES}
            )
        else:
            try:
                people = _invitees_for(
                    actor=actor,
                    network=meeting.network,
                    audience=Audience(timeline=access.timeline, group=meeting.group),
                    invitees=chosen,
                )
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    errors.setdefault(key, []).extend(messages)
            else:
                keep = {user.pk for user in people}
                added = [user for user in people if user.pk not in current_ids]
                removed = [
                    row
                    for row in current
                    if row.user_id not in keep and row.user_id != meeting.organizer_id
                ]
    if errors:
        raise ValidationError(errors)
    changed = [name for name in EDITABLE_FIELDS if name in wanted]
    changed = [name for name in changed if getattr(meeting, name) != wanted[name]]
    if added or removed:
        changed.append("invitees")
    if not changed:
        return []
    before = {name: getattr(meeting, name) for name in EDITABLE_FIELDS}
    for name in EDITABLE_FIELDS:
        if name in wanted:
            setattr(meeting, name, wanted[name])
    # Microsoft is told the new time, and the new subject of a meeting announced by its
    # title (a team meeting's subject is its kind, which does not change).
    tell_provider = bool(TIME_FIELDS & set(changed)) or (
        "title" in changed and not meeting.for_resident
    )
    if tell_provider and meeting.provider == Provider.TEAMS and meeting.provider_meeting_id:
        try:
            provider_for(meeting.provider).update_meeting(meeting, meeting.provider_meeting_id)
        except ProviderError as error:
            for name, value in before.items():
                setattr(meeting, name, value)
            raise ValidationError({"join_url": str(error)}, code="provider") from None
    try:
        _save_update(
            meeting=meeting,
            actor=actor,
            changed=changed,
            current=current,
            added=added,
            removed=removed,
            request=request,
        )
    except Exception:
        for name, value in before.items():
            setattr(meeting, name, value)
        raise
    return changed


@transaction.atomic
def _save_update(*, meeting, actor, changed, current, added, removed, request) -> None:
    locked = Meeting.objects.select_for_update().filter(pk=meeting.pk).values("cancelled_at")
    if not locked or locked[0]["cancelled_at"] is not None:
        raise ValidationError(_("この会議は既に中止されています。"), code="ended")
    fields = [name for name in changed if name != "invitees"]
    if fields:
        meeting.full_clean()
        meeting.save(update_fields=[*fields, "updated_at"])
    time_changed = bool(TIME_FIELDS & set(changed))
    if time_changed:
        MeetingInvitation.objects.filter(meeting=meeting).update(reminded_at=None)
    if removed:
        MeetingInvitation.objects.filter(pk__in=[row.pk for row in removed]).delete()
    if added:
        MeetingInvitation.objects.bulk_create(
            [MeetingInvitation(meeting=meeting, user=user) for user in added]
        )
    _audit(
        meeting,
        actor=actor,
        action=Action.MEETING_UPDATE,
        request=request,
        changed=changed,
        added=[str(user.uuid) for user in added],
        removed=[str(row.user.uuid) for row in removed],
    )
    resident_uuid = meeting.resident.uuid if meeting.resident_id else None
    if fields:
        gone = {row.user_id for row in removed}
        # Everyone still expected: those attending and those who have not answered yet
        # (a new time may change their answer); not those who declined.
        concerned = [
            row.user
            for row in current
            if row.response != MeetingInvitation.Response.DECLINE
            and row.user_id not in gone
            and row.user_id != actor.pk
        ]
        concerned = _still_reaching(meeting, concerned)
        notify(
            users=concerned,
            kind=NotificationKind.MEETING_CHANGED,
            url=meeting_url(meeting),
            resident_uuid=resident_uuid,
            target_uuid=meeting.uuid,
            exclude=actor,
        )
        if time_changed:
            _emails_on_commit(meeting, concerned, cancelled=False)
    if added:
        notify(
            users=added,
            kind=NotificationKind.MEETING_INVITATION,
            url=meeting_url(meeting),
            resident_uuid=resident_uuid,
            target_uuid=meeting.uuid,
            exclude=actor,
        )


def meeting_cancel(*, actor, access: MeetingAccess, reason: str = "", request=None) -> Meeting:
    """Cancel (中止) a meeting that has not ended, as its organizer, with an optional reason
    (shown on the meeting page only). The meeting stays, marked; the calendar feed shows it
    cancelled. A Teams online meeting is deleted through Graph first; when Graph fails the
    cancellation still happens (its link is no longer shown) and the failure is logged.
    Every other invitee who still reaches the meeting is notified (meeting_changed) and
    e-mailed the date and time that were cancelled (after commit, unless e-mail is off).

    Raises PermissionDenied unless the actor organises it; ValidationError code "ended" when
    already cancelled or ended; ValidationError (reason) when the reason is too long.
    Audits MEETING_CANCEL (whether a reason was given, whether the online meeting was
    deleted; never the reason itself)."""
    meeting = _check_can_change(actor, access)
    reason = (reason or "").strip()
    if len(reason) > Meeting._meta.get_field("cancel_reason").max_length:
        raise ValidationError({"reason": _("中止の理由は500文字以内で入力してください。")})
    provider_deleted = None
    if meeting.provider == Provider.TEAMS and meeting.provider_meeting_id:
        try:
            provider_for(meeting.provider).delete_meeting(meeting.provider_meeting_id)
            provider_deleted = True
        except ProviderError:
            logger.warning("Teams online meeting could not be deleted on cancellation")
            provider_deleted = False
    return _save_cancel(
        meeting=meeting,
        actor=actor,
        reason=reason,
        provider_deleted=provider_deleted,
        request=request,
    )


@transaction.atomic
def _save_cancel(*, meeting, actor, reason, provider_deleted, request) -> Meeting:
    locked = Meeting.objects.select_for_update().filter(pk=meeting.pk).values("cancelled_at")
    if not locked or locked[0]["cancelled_at"] is not None:
        raise ValidationError(_("この会議は既に中止されています。"), code="ended")
    meeting.cancelled_at = timezone.now()
    meeting.cancelled_by = actor
    meeting.cancel_reason = reason
    meeting.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    others = [
        row.user
        for row in MeetingInvitation.objects.filter(meeting=meeting)
        .exclude(user=actor)
        .select_related("user")
    ]
    others = _still_reaching(meeting, others)
    detail = {"reason_given": bool(reason), "notified": len(others)}
    if provider_deleted is not None:
        detail["provider_deleted"] = provider_deleted
    _audit(meeting, actor=actor, action=Action.MEETING_CANCEL, request=request, **detail)
    notify(
        users=others,
        kind=NotificationKind.MEETING_CHANGED,
        url=meeting_url(meeting),
        resident_uuid=meeting.resident.uuid if meeting.resident_id else None,
        target_uuid=meeting.uuid,
        exclude=actor,
    )
    _emails_on_commit(meeting, others, cancelled=True)
    return meeting


@transaction.atomic
def meeting_attach(*, actor, access: MeetingAccess, files: Iterable, request=None) -> list:
    """Add documents (資料) to a meeting, as its organizer. Audits MEETING_UPDATE."""
    if not access.can_manage:
        raise PermissionDenied
    checked = _check_files(files)
    if not checked:
        raise ValidationError({"files": _("ファイルを選んでください。")})
    existing = MeetingAttachment.objects.filter(meeting=access.meeting).count()
    if existing + len(checked) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"files": _("添付できる資料は%(n)d件までです。") % {"n": MAX_ATTACHMENTS}}
        )
    stored = _store_attachments(access.meeting, actor, checked)
    _audit(
        access.meeting,
        actor=actor,
        action=Action.MEETING_UPDATE,
        request=request,
        attachments=[str(a.uuid) for a in stored],
    )
    return stored


# --- Minutes --------------------------------------------------------------------------------------


@dataclass
class FollowUpInput:
    text: str
    assignee: object | None
    due_on: datetime.date | None


def _minutes_text(meeting: Meeting, body: str, decisions: str) -> str:
    local = timezone.localtime(meeting.starts_at)
    head = _("【議事録】%(kind)s（%(date)s）") % {
        "kind": meeting.get_kind_display(),
        "date": f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}",
    }
    text = f"{head}\n\n{body}"
    if decisions:
        text += "\n\n" + _("【決定事項】") + "\n" + decisions
    return text


def _check_follow_ups(access: MeetingAccess, follow_ups: Sequence[FollowUpInput]) -> None:
    errors = []
    if len(follow_ups) > MAX_FOLLOW_UPS:
        raise ValidationError({"follow_ups": _("依頼は%(n)d件までです。") % {"n": MAX_FOLLOW_UPS}})
    invited = set(
        MeetingInvitation.objects.filter(meeting=access.meeting).values_list("user_id", flat=True)
    )
    today = timezone.localdate()
    for number, item in enumerate(follow_ups, start=1):
        prefix = _("%(n)d件目の依頼: ") % {"n": number}
        if not (item.text or "").strip():
            errors.append(prefix + _("依頼の内容を入力してください。"))
        elif len(item.text.strip()) > 300:
            errors.append(prefix + _("依頼の内容は300文字以内で入力してください。"))
        if item.assignee is None or item.assignee.pk not in invited:
            errors.append(prefix + _("依頼先は会議に招待された人から選んでください。"))
        elif item.assignee.pk == access.user.pk:
            errors.append(prefix + _("ご自身には依頼できません。"))
        if item.due_on is None:
            errors.append(prefix + _("期限を入力してください。"))
        elif item.due_on < today:
            errors.append(prefix + _("期限に過去の日付は指定できません。"))
    if errors:
        raise ValidationError({"follow_ups": errors})


@transaction.atomic
def minutes_save(
    *,
    actor,
    access: MeetingAccess,
    body: str,
    decisions: str = "",
    follow_ups: Sequence[FollowUpInput] = (),
    request=None,
) -> Minutes:
    """Write (or, as their writer, edit) the minutes of a meeting that has started.

    First write: shared to the resident's timeline as a report post written by the actor
    (a team meeting), or to the group's board as a thread (a group meeting); invitees are
    notified (meeting_minutes). An edit of timeline-shared minutes edits that post through
    timeline.services (its history is kept). Each follow-up (依頼) becomes, for a team
    meeting, a timeline post with a request to the assignee (依頼 → 受領 → 完了 there);
    otherwise it is kept with the minutes and notified to the assignee (request_assigned).

    Raises PermissionDenied unless `access.can_write_minutes()`; ValidationError (body,
    follow_ups) — nothing is saved then. Audits MEETING_MINUTES.
    """
    meeting = access.meeting
    existing = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    meeting._minutes_cache = existing
    if not access.can_write_minutes():
        raise PermissionDenied
    body = (body or "").strip()
    decisions = (decisions or "").strip()
    errors: dict[str, list] = {}
    if not body:
        errors["body"] = [_("議事録を入力してください。")]
    try:
        _check_follow_ups(access, follow_ups)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    first = existing is None
    minutes = existing or Minutes(meeting=meeting, written_by=actor)
    changed = first or minutes.body != body or minutes.decisions != decisions
    minutes.body, minutes.decisions = body, decisions
    minutes.full_clean(exclude=["shared_post"])
    minutes.save()
    text = _minutes_text(meeting, body, decisions)
    if access.timeline is not None:
        if first:
            post = timeline_services.post_create(
                actor=actor,
                access=access.timeline,
                kind=PostKind.REPORT,
                body=text,
                request=request,
            )
            minutes.shared_post = post
            minutes.shared_at = timezone.now()
            minutes.save(update_fields=["shared_post", "shared_at", "updated_at"])
        elif (
            changed
            and minutes.shared_post_id
            and minutes.shared_post.author_id == actor.pk
            and not minutes.shared_post.is_retracted
        ):
            timeline_services.post_edit(
                actor=actor,
                access=access.timeline,
                post=minutes.shared_post,
                body=text,
                request=request,
            )
    elif first and meeting.group_id is not None:
        minutes.shared_thread_uuid = share_to_board(
            actor=actor, meeting=meeting, title=meeting.title, body=text, request=request
        )
        minutes.shared_at = timezone.now()
        minutes.save(update_fields=["shared_thread_uuid", "shared_at", "updated_at"])
    created = [_follow_up(access, minutes, item, request=request) for item in follow_ups]
    _audit(
        meeting,
        actor=actor,
        action=Action.MEETING_MINUTES,
        request=request,
        first=first,
        shared_post=str(minutes.shared_post.uuid) if minutes.shared_post_id else None,
        shared_thread=str(minutes.shared_thread_uuid) if minutes.shared_thread_uuid else None,
        follow_ups=[str(f.uuid) for f in created],
    )
    if first:
        others = [
            row.user
            for row in MeetingInvitation.objects.filter(meeting=meeting)
            .exclude(response=MeetingInvitation.Response.DECLINE)
            .select_related("user")
        ]
        notify(
            users=others,
            kind=NotificationKind.MEETING_MINUTES,
            url=meeting_url(meeting),
            resident_uuid=meeting.resident.uuid if meeting.resident_id else None,
            target_uuid=meeting.uuid,
            exclude=actor,
        )
    return minutes


def _follow_up(access: MeetingAccess, minutes: Minutes, item: FollowUpInput, *, request):
    meeting = access.meeting
    follow_up = FollowUp(
        minutes=minutes, text=item.text.strip(), assignee=item.assignee, due_on=item.due_on
    )
    if access.timeline is not None:
        post = timeline_services.post_create(
            actor=access.user,
            access=access.timeline,
            kind=PostKind.MESSAGE,
            body=_("【会議からの依頼】%(kind)s\n%(text)s")
            % {"kind": meeting.get_kind_display(), "text": follow_up.text},
            request=request,
        )
        try:
            care_request = timeline_interactions.care_request_create(
                actor=access.user,
                access=access.timeline,
                post=post,
                assignee=item.assignee,
                due_on=item.due_on,
                http_request=request,
            )
        except ValidationError as error:
            raise ValidationError({"follow_ups": error.messages}) from None
        follow_up.care_request_uuid = care_request.uuid
    follow_up.full_clean(exclude=["minutes"])
    follow_up.save()
    if access.timeline is None:
        notify(
            users=[item.assignee],
            kind=NotificationKind.REQUEST_ASSIGNED,
            url=meeting_url(meeting),
            target_uuid=meeting.uuid,
            exclude=access.user,
        )
    return follow_up


# --- The Network's provider -------------------------------------------------------------------


@transaction.atomic
def meeting_settings_update(*, actor, network: Network, provider: str, request=None):
    """Choose the Network's video provider, as its operator. Teams needs the MS_GRAPH_*
    settings of the deployment. Audits NETWORK_SETTINGS (the field changed)."""
    if network.pk not in actor.operated_network_ids():
        raise PermissionDenied
    if provider not in Provider.values:
        raise ValidationError({"provider": _("ビデオ会議サービスを選択してください。")})
    if provider == Provider.TEAMS:
        from .providers import TeamsProvider

        if not TeamsProvider().configured():
            raise ValidationError(
                {
                    "provider": _(
                        "Microsoft Teams を使うには、サーバーに Microsoft Graph の設定"
                        "（MS_GRAPH_*）が必要です。"
                    )
                }
            )
    row = MeetingSettings.objects.select_for_update().filter(network=network).first()
    if row is None:
        row = MeetingSettings.objects.create(network=network, provider=provider, updated_by=actor)
    elif row.provider != provider:
        row.provider, row.updated_by = provider, actor
        row.save(update_fields=["provider", "updated_by", "updated_at"])
    audit_record(
        action=Action.NETWORK_SETTINGS,
        actor=actor,
        request=request,
        network_id=network.pk,
        target=row,
        detail={"changed": ["meeting_provider"], "provider": provider},
    )
    return row


# --- Calendar feed ---------------------------------------------------------------------------------


def active_feed_token(user) -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).first()


@transaction.atomic
def calendar_token_issue(*, actor, request=None) -> tuple[CalendarFeedToken, str]:
    """A new feed token for the actor (the previous one revoked); returns (token, raw). The
    raw value is shown once. Audits CALENDAR_TOKEN (issued)."""
    now = timezone.now()
    CalendarFeedToken.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=now)
    raw = CalendarFeedToken.new_raw()
    token = CalendarFeedToken.objects.create(
        user=actor, key_hash=CalendarFeedToken.hash_of(raw), hint=raw[-4:]
    )
    audit_record(
        action=Action.CALENDAR_TOKEN,
        actor=actor,
        request=request,
        target=token,
        detail={"event": "issued"},
    )
    return token, raw


@transaction.atomic
def calendar_token_revoke(*, actor, request=None) -> int:
    """Revoke the actor's feed token (its URL answers 404 from now on). Audits
    CALENDAR_TOKEN (revoked) when there was one; returns how many were revoked."""
    count = CalendarFeedToken.objects.filter(user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        audit_record(
            action=Action.CALENDAR_TOKEN,
            actor=actor,
            request=request,
            detail={"event": "revoked"},
        )
    return count


# --- Reminders ------------------------------------------------------------------------------------


def _wants_email(user) -> bool:
    setting = NotificationSetting.objects.filter(user=user).values("email").first()
    return bool(user.email) and (setting is None or setting["email"] != EmailPreference.OFF)


def _reminder_email(meeting: Meeting, address: str, connection) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        local = timezone.localtime(meeting.starts_at)
        subject = _("【電子連絡帳】まもなく会議が始まります")
        link = settings.SITE_URL.rstrip("/") + meeting_url(meeting)
        body = (
            _("%(month)d月%(day)d日 %(time)s から会議の予定があります。")
            % {"month": local.month, "day": local.day, "time": f"{local:%H:%M}"}
            + "\n"
            + _("詳細と参加ボタンは、ログインしてご確認ください。")
            + "\n"
            + link
            + "\n"
        )
    return EmailMessage(subject, body, to=[address], connection=connection)


def meeting_reminders_send(now: datetime.datetime | None = None) -> int:
    """Remind each invitee who has not declined of a meeting starting within
    MEETING_REMINDER_MINUTES (30): one notification (meeting_reminder) and, unless they
    turned e-mail off, one e-mail with the time and a link only — no title, no names. Each
    invitation is reminded once (`reminded_at`, claimed row by row so two runs cannot both
    send). An invitee who no longer reaches the meeting is marked and skipped. Returns the
    number of invitations reminded."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(minutes=_reminder_minutes())
    due = list(
        MeetingInvitation.objects.filter(
            reminded_at__isnull=True,
            meeting__cancelled_at__isnull=True,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=horizon,
            user__is_active=True,
        )
        .exclude(response=MeetingInvitation.Response.DECLINE)
        .select_related("meeting", "user")
        .order_by("meeting_id", "id")
    )
    reminded: list[MeetingInvitation] = []
    for invitation in due:
        claimed = MeetingInvitation.objects.filter(
            pk=invitation.pk, reminded_at__isnull=True
        ).update(reminded_at=now)
        if not claimed:
            continue
        if not meetings_visible_to(invitation.user).filter(pk=invitation.meeting_id).exists():
            continue
        reminded.append(invitation)
    by_meeting: dict[int, list[MeetingInvitation]] = {}
    for invitation in reminded:
        by_meeting.setdefault(invitation.meeting_id, []).append(invitation)
    mails = []
    for rows in by_meeting.values():
        meeting = rows[0].meeting
        with transaction.atomic():
            notify(
                users=[row.user for row in rows],
                kind=NotificationKind.MEETING_REMINDER,
                url=meeting_url(meeting),
                target_uuid=meeting.uuid,
            )
        mails += [(meeting, row.user.email) for row in rows if _wants_email(row.user)]
    if mails:
        connection = get_connection()
        for meeting, address in mails:
            try:
                _reminder_email(meeting, address, connection).send()
            except Exception:
                logger.warning("meeting reminder e-mail failed", exc_info=True)
    return len(reminded)
