"""Meetings (会議・カンファレンス) as JSON: my meetings, scheduling, one meeting, 出欠, minutes
(議事録) and the meeting's documents.

Same rules as the pages (meetings.access): only invitees reach a meeting, and for a
resident-team meeting only while they still reach the resident's timeline, for a group
meeting only while they are members; anyone else gets 404 on everything. A write the reader
may not do on a meeting they see is 403 (minutes before the start, by someone else than their
writer, or a change by someone else than the organizer). Reads that show a resident-team
meeting write MEETING_VIEW rows (one per resident, naming the meetings:
meetings.services.meetings_viewed); writes are audited by meetings.services.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from renrakucho.api.bodies import reason_of
from renrakucho.api.errors import FieldErrors, field_error, write_errors
from renrakucho.api.schemas import InputSchema, NetworkRef, UserRef
from renrakucho.api.services import audit_api_read
from renrakucho.audit.models import Action
from renrakucho.files.serving import extension_of, file_download, open_stored
from renrakucho.meetings import selectors, services
from renrakucho.meetings.access import access_attachment, access_meeting
from renrakucho.meetings.groups_bridge import group_for_organizer
from renrakucho.meetings.models import MeetingKind
from renrakucho.timeline.access import access_timeline

router = Router(tags=["meetings"])


# --- shapes ----------------------------------------------------------------------------------
class MeetingIn(InputSchema):
    kind: MeetingKind
    title: str = Field(..., min_length=1, max_length=200)
    starts_at: datetime.datetime = Field(
        ..., description="タイムゾーン付き（例: 2026-12-10T14:00:00+09:00）"
    )
    duration_minutes: int = Field(60, ge=5, le=1440)
    purpose: str = Field("", max_length=5000)
    agenda: str = Field("", max_length=10000)
    resident: uuid.UUID | None = Field(None, description="支援チームの会議: 支援対象者のID")
    group: uuid.UUID | None = Field(None, description="グループの会議: グループのID")
    invitees: list[uuid.UUID] = Field(
        default_factory=list,
        description="招待する人のID（チーム・グループの会議では省略すると全員）",
        max_length=200,
    )
    network: str | None = Field(
        None, description="複数のネットワークに所属する場合、選んだ人の会議のネットワーク（識別名）"
    )
    join_url: str = Field(
        "", max_length=500, description="URLを手入力するネットワークで必須（https）"
    )


class MeetingPatchIn(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    starts_at: datetime.datetime | None = Field(
        None, description="タイムゾーン付き（例: 2026-12-10T14:00:00+09:00）"
    )
    duration_minutes: int | None = Field(None, ge=5, le=1440)
    purpose: str | None = Field(None, max_length=5000)
    agenda: str | None = Field(None, max_length=10000)
    invitees: list[uuid.UUID] | None = Field(
        None,
        description="招待する人のID（主催者を除く全員。指定すると置き換え、外れた人は会議を見られなくなります）",
        max_length=200,
    )


class RespondIn(InputSchema):
    response: Literal["attend", "decline"]


class FollowUpIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=300)
    assignee: uuid.UUID
    due_on: datetime.date


class MinutesIn(InputSchema):
    body: str = Field(..., min_length=1, max_length=20000)
    decisions: str = Field("", max_length=10000)
    follow_ups: list[FollowUpIn] = Field(
        default_factory=list,
        max_length=10,
        description="追加する依頼（支援チームの会議ではタイムラインの依頼になります）",
    )


class MeetingResidentRef(Schema):
    id: uuid.UUID
    name: str


class GroupRef(Schema):
    id: uuid.UUID
    name: str


class MeetingInvitationOut(Schema):
    user: UserRef
    response: str
    responded_at: datetime.datetime | None


class MeetingAttachmentOut(Schema):
    id: uuid.UUID
    kind: str
    content_type: str
    size: int
    url: str


class MeetingSummary(Schema):
    id: uuid.UUID
    kind: str
    kind_label: str
    title: str
    network: NetworkRef
    resident: MeetingResidentRef | None
    group: GroupRef | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    duration_minutes: int
    organizer: UserRef
    my_response: str
    cancelled: bool
    invitee_count: int
    attend_count: int
    has_minutes: bool


class MeetingPageOut(Schema):
    items: list[MeetingSummary]
    next_cursor: uuid.UUID | None


class MeetingOut(Schema):
    id: uuid.UUID
    kind: str
    kind_label: str
    title: str
    purpose: str
    agenda: str
    network: NetworkRef
    resident: MeetingResidentRef | None
    group: GroupRef | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    duration_minutes: int
    organizer: UserRef
    provider: str
    join_url: str
    join_open: bool = Field(..., description="参加ボタンを表示する時間帯（開始10分前〜終了）か")
    cancelled: bool
    cancel_reason: str
    can_edit: bool = Field(..., description="主催者として変更・中止できるか")
    my_response: str
    invitations: list[MeetingInvitationOut]
    attachments: list[MeetingAttachmentOut]
    has_minutes: bool
    can_write_minutes: bool


class FollowUpOut(Schema):
    id: uuid.UUID
    text: str
    assignee: UserRef
    due_on: datetime.date
    request: uuid.UUID | None = Field(
        None, description="タイムラインの依頼のID（支援チームの会議）"
    )


class MinutesOut(Schema):
    meeting: uuid.UUID
    body: str
    decisions: str
    written_by: UserRef
    updated_at: datetime.datetime
    shared_post: uuid.UUID | None
    shared_thread: uuid.UUID | None
    follow_ups: list[FollowUpOut]


# --- responses ---------------------------------------------------------------------------------
def _resident(meeting) -> dict | None:
    if meeting.resident_id is None:
        return None
    return {"id": meeting.resident.uuid, "name": meeting.resident.name}


def _group(meeting) -> dict | None:
    group = getattr(meeting, "group", None) if meeting.group_id else None
    return {"id": group.uuid, "name": group.name} if group else None


def _summary(meeting) -> dict[str, Any]:
    return {
        "id": meeting.uuid,
        "kind": meeting.kind,
        "kind_label": str(meeting.get_kind_display()),
        "title": meeting.title,
        "network": meeting.network,
        "resident": _resident(meeting),
        "group": _group(meeting),
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "duration_minutes": meeting.duration_minutes,
        "organizer": meeting.organizer,
        "my_response": meeting.my_response or "pending",
        "cancelled": meeting.is_cancelled,
        "invitee_count": meeting.invitee_count,
        "attend_count": meeting.attend_count,
        "has_minutes": meeting.has_minutes,
    }


def _attachment(meeting, attachment) -> dict[str, Any]:
    return {
        "id": attachment.uuid,
        "kind": attachment.kind,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": reverse(
            "api:meeting_attachment",
            kwargs={"meeting_id": meeting.uuid, "attachment_id": attachment.uuid},
        ),
    }


def _meeting_out(access) -> dict[str, Any]:
    meeting = access.meeting
    minutes = selectors.minutes_of(meeting)
    return {
        "id": meeting.uuid,
        "kind": meeting.kind,
        "kind_label": str(meeting.get_kind_display()),
        "title": meeting.title,
        "purpose": meeting.purpose,
        "agenda": meeting.agenda,
        "network": meeting.network,
        "resident": _resident(meeting),
        "group": _group(meeting),
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "duration_minutes": meeting.duration_minutes,
        "organizer": meeting.organizer,
        "provider": meeting.provider,
        "join_url": "" if meeting.is_cancelled else meeting.join_url,
        "join_open": meeting.join_open(),
        "cancelled": meeting.is_cancelled,
        "cancel_reason": meeting.cancel_reason if meeting.is_cancelled else "",
        "can_edit": access.can_manage and not meeting.has_ended(),
        "my_response": access.invitation.response,
        "invitations": [
            {"user": row.user, "response": row.response, "responded_at": row.responded_at}
            for row in selectors.invitations_of(meeting)
        ],
        "attachments": [_attachment(meeting, a) for a in selectors.attachments_of(meeting)],
        "has_minutes": minutes is not None,
        "can_write_minutes": access.can_write_minutes(),
    }


def _minutes_out(meeting, minutes) -> dict[str, Any]:
    return {
        "meeting": meeting.uuid,
        "body": minutes.body,
        "decisions": minutes.decisions,
        "written_by": minutes.written_by,
        "updated_at": minutes.updated_at,
        "shared_post": minutes.shared_post.uuid if minutes.shared_post_id else None,
        "shared_thread": minutes.shared_thread_uuid,
        "follow_ups": [
            {
                "id": f.uuid,
                "text": f.text,
                "assignee": f.assignee,
                "due_on": f.due_on,
                "request": f.care_request_uuid,
            }
            for f in minutes.follow_ups.all()
        ],
    }


def _audit_read(request, access, view: str) -> None:
    services.meetings_viewed(
        actor=request.user, meetings=[access.meeting], view=view, request=request, channel="api"
    )


# --- operations ----------------------------------------------------------------------------------
@router.get("/meetings", response=MeetingPageOut, summary="会議の一覧")
def meeting_list(
    request,
    when: Annotated[
        Literal["upcoming", "past"], Query(description="upcoming: 今日以降 / past: 昨日まで")
    ] = "upcoming",
    cursor: Annotated[uuid.UUID | None, Query(description="前のページの next_cursor")] = None,
):
    """The caller's meetings (invited or organised), 30 at a time: upcoming soonest first,
    past newest first."""
    page = selectors.meeting_page(request.user, when=when, cursor=str(cursor) if cursor else None)
    services.meetings_viewed(
        actor=request.user, meetings=page.items, view="meetings", request=request, channel="api"
    )
    return {"items": [_summary(m) for m in page.items], "next_cursor": page.next_cursor}


def _network_for(request, payload: MeetingIn):
    networks = selectors.active_networks(request.user)
    if payload.network:
        found = next((n for n in networks if n.slug == payload.network), None)
        if found is None:
            raise field_error("network", _("ネットワークの指定が正しくありません。"))
        return found
    if len(networks) == 1:
        return networks[0]
    if not networks:
        raise PermissionDenied
    raise field_error(
        "network", _("複数のネットワークに所属しています。network を指定してください。")
    )


@router.post(
    "/meetings",
    response={201: MeetingOut},
    summary="会議を予定する",
)
def meeting_create(request, payload: MeetingIn):
    """Schedule a meeting and invite people: for a resident's team (`resident`; the caller
    must be on the team, invitees are team members, all of them when `invitees` is empty),
    for a group (`group`; members), or for chosen users of the Network (`invitees`). The video
    link comes from the Network's provider; `join_url` (https) is required when the Network
    types URLs by hand. 404 for a resident or group out of reach, 403 for an operator who is
    not on the team or a member who may not post in an announcement-only group, 422 for bad
    values (Japanese messages)."""
    if payload.resident and payload.group:
        raise field_error("group", _("支援対象者とグループは同時に指定できません。"))
    timeline = access_timeline(request.user, payload.resident) if payload.resident else None
    group_access = group_for_organizer(request.user, payload.group) if payload.group else None
    if timeline is not None:
        if not timeline.is_member:
            raise PermissionDenied
        network = timeline.resident.network
    elif group_access is not None:
        network = group_access.group.network
    else:
        network = _network_for(request, payload)
    invitees, missing = selectors.users_by_uuid(network.pk, payload.invitees)
    if missing:
        raise field_error("invitees", _("同じネットワークに見つからない利用者が含まれています。"))
    with write_errors():
        meeting = services.meeting_create(
            actor=request.user,
            network=network,
            kind=payload.kind,
            title=payload.title,
            starts_at=payload.starts_at,
            duration_minutes=payload.duration_minutes,
            purpose=payload.purpose,
            agenda=payload.agenda,
            audience=services.Audience(
                timeline=timeline, group=group_access.group if group_access else None
            ),
            invitees=invitees,
            join_url=payload.join_url,
            request=request,
        )
    return Status(201, _meeting_out(access_meeting(request.user, meeting.uuid)))


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="会議")
def meeting_detail(request, meeting_id: str):
    access = access_meeting(request.user, meeting_id)
    _audit_read(request, access, "meeting")
    return _meeting_out(access)


@router.patch("/meetings/{meeting_id}", response=MeetingOut, summary="会議を変更する")
def meeting_patch(request, meeting_id: str, payload: MeetingPatchIn):
    """Change title, purpose, agenda, start, duration or the invitation list (organizer only:
    403 for other invitees; 409 once cancelled or ended). Fields left out stay. `invitees`
    replaces the list: team members for a team meeting, active members for a group meeting,
    active users of the Network otherwise. A new time clears the reminders, moves a Teams
    meeting through Graph and is told to invitees who answered 出席 (notification and
    e-mail); new invitees are invited; removed ones get 404 from then on."""
    access = access_meeting(request.user, meeting_id)
    if not access.is_organizer:
        raise PermissionDenied
    invitees = None
    if payload.invitees is not None:
        invitees, missing = selectors.users_by_uuid(access.meeting.network_id, payload.invitees)
        if missing:
            raise field_error(
                "invitees", _("同じネットワークに見つからない利用者が含まれています。")
            )
    with write_errors():
        services.meeting_update(
            actor=request.user,
            access=access,
            title=payload.title,
            purpose=payload.purpose,
            agenda=payload.agenda,
            starts_at=payload.starts_at,
            duration_minutes=payload.duration_minutes,
            invitees=invitees,
            request=request,
        )
    return _meeting_out(access)


CANCEL_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "reason": {
                            "type": "string",
                            "maxLength": 500,
                            "description": "中止の理由（任意。会議の画面にだけ表示）",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "/meetings/{meeting_id}/cancel",
    response=MeetingOut,
    summary="会議を中止する",
    openapi_extra=CANCEL_BODY,
)
def meeting_cancel(request, meeting_id: str):
    """Cancel (中止) a meeting, as its organizer (403 for other invitees; 409 when already
    cancelled or ended). Every invitee is told (notification and e-mail, without the title);
    a Teams online meeting is deleted. `reason` is shown on the meeting only."""
    access = access_meeting(request.user, meeting_id)
    if not access.is_organizer:
        raise PermissionDenied
    reason = reason_of(request)  # {"reason": …}, or no body at all
    with write_errors():
        services.meeting_cancel(actor=request.user, access=access, reason=reason, request=request)
    return _meeting_out(access)


@router.post("/meetings/{meeting_id}/respond", response=MeetingOut, summary="出欠を回答する")
def meeting_respond(request, meeting_id: str, payload: RespondIn):
    """出席 (`attend`) or 欠席 (`decline`); changeable until the meeting ends (409 after, or
    when it was cancelled)."""
    access = access_meeting(request.user, meeting_id)
    with write_errors():
        services.meeting_respond(
            actor=request.user, access=access, response=payload.response, request=request
        )
    return _meeting_out(access)


@router.get("/meetings/{meeting_id}/minutes", response=MinutesOut, summary="議事録")
def minutes_detail(request, meeting_id: str):
    """The minutes (404 while none are written)."""
    access = access_meeting(request.user, meeting_id)
    minutes = selectors.minutes_of(access.meeting)
    if minutes is None:
        raise Http404
    _audit_read(request, access, "minutes")
    return _minutes_out(access.meeting, minutes)


@router.put("/meetings/{meeting_id}/minutes", response=MinutesOut, summary="議事録を書く")
def minutes_put(request, meeting_id: str, payload: MinutesIn):
    """Write the minutes once the meeting has started (the organizer or an invitee who
    attends; for a resident-team meeting a team member), or edit them as their writer (403
    otherwise). The first write shares them to the resident's timeline (a report post) or the
    group's board; each follow-up becomes a request (依頼) to an invitee."""
    access = access_meeting(request.user, meeting_id)
    selectors.minutes_of(access.meeting)
    if not access.can_write_minutes():
        raise PermissionDenied
    people = {u.uuid: u for u in selectors.invitee_users(access.meeting)}
    follow_ups = []
    for index, item in enumerate(payload.follow_ups):
        assignee = people.get(item.assignee)
        if assignee is None:
            raise FieldErrors(
                [
                    {
                        "loc": ["body", "follow_ups", index, "assignee"],
                        "msg": _("依頼先は会議に招待された人から選んでください。"),
                        "type": "invalid",
                    }
                ]
            )
        follow_ups.append(
            services.FollowUpInput(text=item.text, assignee=assignee, due_on=item.due_on)
        )
    with write_errors():
        minutes = services.minutes_save(
            actor=request.user,
            access=access,
            body=payload.body,
            decisions=payload.decisions,
            follow_ups=follow_ups,
            request=request,
        )
    return _minutes_out(access.meeting, selectors.minutes_of(access.meeting) or minutes)


@router.get(
    "/meetings/{meeting_id}/attachments/{attachment_id}",
    url_name="meeting_attachment",
    response={200: None},
    summary="会議の資料",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF または画像（Content-Disposition: attachment）",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def meeting_attachment(request, meeting_id: str, attachment_id: str):
    """A meeting's document, always as a download with nosniff (invitees who reach the
    meeting; 404 for anyone else). Audited MEETING_FILE."""
    access, found = access_attachment(request.user, meeting_id, attachment_id)
    open_stored(found.file)
    audit_api_read(
        request,
        action=Action.MEETING_FILE,
        resident=access.resident,
        network_id=access.meeting.network_id,
        target=found,
        detail={"meeting": str(access.meeting.uuid)},
    )
    return file_download(
        found.file,
        content_type=found.content_type,
        filename=f"meeting-{found.kind}.{extension_of(found.file)}",
    )
