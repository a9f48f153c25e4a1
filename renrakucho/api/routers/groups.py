"""Groups and boards (グループ / 掲示板) as JSON.

Same rules as the pages (groups.access): a group, thread or file out of reach is 404 — a
board is for its active members only, and an invitation-only group is invisible to everyone
but its members and invitees; 403 for a write the caller may not do on something they can see
(a member starting a thread in an announcement-only group, a member pinning). Writes go
through groups.services (groups, members) and groups.board (threads, replies, files, read
receipts), which audit, notify and push.

Uploads (threads and replies, multipart `files`): 413 when a file is too large, 415 when its
type is refused (decided by content), 422 for anything else; a reply to a closed thread is
409. Nothing is saved on any error. Reading is not audited (no resident data); downloading a
file is (BOARD_FILE).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from renrakucho.api import bodies
from renrakucho.api.errors import FieldErrors, field_error, service_errors, write_errors
from renrakucho.api.schemas import AttachmentOut, attachment_out
from renrakucho.files.serving import attachment_filename, file_download, open_stored
from renrakucho.groups import board, board_selectors, selectors, services
from renrakucho.groups.access import (
    GroupAccess,
    access_attachment,
    access_group,
    access_thread,
)
from renrakucho.groups.models import BoardAttachment, Group, GroupMembership, Reply, Thread
from renrakucho.networks.models import Network

router = Router(tags=["groups"])


# --- schemas ------------------------------------------------------------------------------
class PersonOut(Schema):
    id: uuid.UUID
    username: str
    name: str


class MembershipOut(Schema):
    id: uuid.UUID
    user: PersonOut
    role: Literal["owner", "member"]
    status: str
    joined_at: datetime.datetime | None = None
    created_at: datetime.datetime
    external: bool = Field(
        False, description="グループのネットワーク以外のネットワークの方（広域連携）"
    )
    network: str | None = Field(None, description="外部の方の所属ネットワーク名")


class MyMembershipOut(Schema):
    id: uuid.UUID
    role: Literal["owner", "member"]
    status: str


class GroupOut(Schema):
    id: uuid.UUID
    network: str = Field(description="ネットワークのスラッグ（例: ina）")
    name: str
    description: str
    policy: Literal["open", "request", "invitation"]
    announcement_only: bool
    open_to_partners: bool = Field(
        description="広域連携協定（グループを認めるもの）の相手ネットワークにも公開"
    )
    occupations: list[str] = Field(description="参加できる職種コード（空ならすべて）")
    facility_types: list[str] = Field(description="参加できる事業所の種別（空ならすべて）")
    member_count: int | None = None
    unread: int | None = Field(None, description="未読の投稿数（メンバーのみ、100以上は100）")
    membership: MyMembershipOut | None = None


class GroupIn(Schema):
    network: str = Field(description="ネットワークのスラッグ")
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    policy: Literal["open", "request", "invitation"] = "request"
    announcement_only: bool = False
    occupations: list[str] = []
    facility_types: list[str] = []


class GroupPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = None
    policy: Literal["open", "request", "invitation"] | None = None
    open_to_partners: bool | None = Field(
        None, description="広域連携協定の相手ネットワークにも公開する（運営者である管理者のみ）"
    )


class ThreadOut(Schema):
    id: uuid.UUID
    group: uuid.UUID
    title: str
    body: str
    author: PersonOut
    created_at: datetime.datetime
    last_activity_at: datetime.datetime
    pinned: bool
    closed: bool
    reply_count: int
    read_count: int
    read_by_me: bool
    attachments: list[AttachmentOut] | None = Field(
        None, description="スレッド本体の添付（一覧では省略）"
    )


class ThreadPage(Schema):
    items: list[ThreadOut]
    next_cursor: uuid.UUID | None = None


class ThreadPatchIn(Schema):
    pinned: bool | None = None
    closed: bool | None = None


class ReplyOut(Schema):
    id: uuid.UUID
    thread: uuid.UUID
    body: str
    author: PersonOut
    created_at: datetime.datetime
    attachments: list[AttachmentOut]
    read_count: int
    readers: list[PersonOut]


class ReplyPage(Schema):
    items: list[ReplyOut]
    next_cursor: uuid.UUID | None = None


class InviteIn(Schema):
    user: uuid.UUID


class RoleIn(Schema):
    role: Literal["owner", "member"]


class LeaveIn(Schema):
    successor: uuid.UUID | None = Field(None, description="最後の管理者が退出するときの後任")


class ThreadReadOut(Schema):
    marked: int


# --- responses ----------------------------------------------------------------------------
def _person(user) -> dict[str, Any]:
    return {"id": user.uuid, "username": user.username, "name": user.name}


def _my_membership(membership: GroupMembership | None):
    if membership is None:
        return None
    return {"id": membership.uuid, "role": membership.role, "status": membership.status}


def _group(group: Group, *, membership=None, unread=None, member_count=None) -> dict[str, Any]:
    return {
        "id": group.uuid,
        "network": group.network.slug,
        "name": group.name,
        "description": group.description,
        "policy": group.policy,
        "announcement_only": group.announcement_only,
        "open_to_partners": group.open_to_partners,
        "occupations": [o.code for o in group.allowed_occupations.all()],
        "facility_types": list(group.allowed_facility_types or []),
        "member_count": member_count,
        "unread": unread,
        "membership": _my_membership(membership),
    }


def _attachment(attachment: BoardAttachment) -> dict[str, Any]:
    kwargs = {"attachment_id": attachment.uuid}
    return attachment_out(
        attachment,
        url=reverse("api:board_file", kwargs=kwargs),
        thumbnail_url=reverse("api:board_file_thumbnail", kwargs=kwargs),
    )


def _thread(thread: Thread, *, attachments=None) -> dict[str, Any]:
    return {
        "id": thread.uuid,
        "group": thread.group.uuid,
        "title": thread.title,
        "body": thread.body,
        "author": _person(thread.author),
        "created_at": thread.created_at,
        "last_activity_at": thread.last_activity_at,
        "pinned": thread.pinned,
        "closed": thread.is_closed,
        "reply_count": thread.reply_count,
        "read_count": thread.read_count,
        "read_by_me": bool(thread.is_read),
        "attachments": None if attachments is None else [_attachment(a) for a in attachments],
    }


def _reply(reply: Reply, thread: Thread) -> dict[str, Any]:
    readers = getattr(reply, "readers", [])
    return {
        "id": reply.uuid,
        "thread": thread.uuid,
        "body": reply.body,
        "author": _person(reply.author),
        "created_at": reply.created_at,
        "attachments": [_attachment(a) for a in reply.attachments.all()],
        "read_count": len(readers),
        "readers": [_person(r.user) for r in readers],
    }


def _thread_detail(request, access: GroupAccess, thread: Thread) -> dict[str, Any]:
    """The thread with its read counts and attachments (three queries)."""
    annotated = (
        board_selectors.board_thread(access, request.user, thread.pk)
        if thread.pk is not None
        else None
    )
    if annotated is None:
        raise Http404
    attachments = BoardAttachment.objects.filter(thread=thread, reply__isnull=True).order_by("id")
    annotated.group = access.group
    return _thread(annotated, attachments=list(attachments))


# --- reading the request ------------------------------------------------------------------
def _input(request: HttpRequest, allowed: set[str]) -> tuple[dict[str, Any], list]:
    """(fields, files) from JSON or (multipart) form data; unknown fields are 422."""
    data, files = bodies.form_input(request)
    extra = set(data) - allowed
    if extra:
        raise bodies.unknown_fields(extra)
    for name, value in data.items():
        if not isinstance(value, str):
            raise field_error(name, _("文字列を指定してください。"), type_="string_type")
    return data, files


def _form_doc(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "required": required, "properties": properties}
    return bodies.upload_body_doc(schema, properties, required=required)


# --- groups -------------------------------------------------------------------------------
@router.get("/groups", response=list[GroupOut], summary="グループの一覧")
def group_list(
    request,
    network: Annotated[
        str | None, Query(description="ネットワークのスラッグ（指定すると、そのネットワークだけ）")
    ] = None,
):
    """My groups (with `unread`, `member_count` and my membership), then groups I am invited
    to, then open and by-request groups I may join (membership null, or `requested`), of
    every Network I act in — partners' groups open to mine included (広域連携) — or of
    `network` alone (an unknown slug or a Network I do not act in: an empty list)."""
    user = request.user
    result = []
    scope = user.active_network_ids()
    if network is not None:
        scope = set(Network.objects.filter(slug=network, pk__in=scope).values_list("pk", flat=True))
        if not scope:
            return []
    mine = selectors.my_groups(user, prefetch_occupations=True, network_ids=scope)
    for group in mine:
        membership = GroupMembership(uuid=group.my_membership, role=group.my_role, status="active")
        result.append(
            _group(
                group, membership=membership, unread=group.unread, member_count=group.member_count
            )
        )
    for invitation in selectors.pending_invitations(
        user, prefetch_occupations=True, network_ids=scope
    ):
        result.append(_group(invitation.group, membership=invitation))
    for group in selectors.discoverable_groups(user, network_ids=scope):
        membership = None
        if group.requested:
            membership = GroupMembership(
                uuid=group.requested_uuid, role="member", status="requested"
            )
        result.append(_group(group, membership=membership, member_count=group.member_count))
    return result


@router.post("/groups", response={201: GroupOut}, summary="グループの作成")
def group_create(request, payload: GroupIn):
    """Create a group in one of my Networks; I become its owner. Open and announcement-only
    groups are for the Network's operators (403 otherwise); 404 for a Network I do not act
    in; 422 for a name already used, unknown occupation codes or facility types."""
    network = Network.objects.filter(
        slug=payload.network, pk__in=request.user.active_network_ids()
    ).first()
    if network is None:
        raise field_error("network", _("ネットワークの指定が正しくありません。"))
    with service_errors():
        group = services.group_create(
            actor=request.user,
            network=network,
            name=payload.name,
            description=payload.description,
            policy=payload.policy,
            announcement_only=payload.announcement_only,
            occupation_codes=payload.occupations,
            facility_types=payload.facility_types,
            request=request,
        )
    access = access_group(request.user, group.uuid)
    return Status(201, _group(group, membership=access.membership, unread=0, member_count=1))


@router.get("/groups/{group_id}", response=GroupOut, summary="グループ")
def group_detail(request, group_id: str):
    """A group I am in, invited to or may join (its card); 404 otherwise."""
    access = access_group(request.user, group_id, board=False)
    count = selectors.member_count(access.group)
    unread = selectors.group_unread(access.group, request.user) if access.is_member else None
    return _group(access.group, membership=access.membership, unread=unread, member_count=count)


@router.patch("/groups/{group_id}", response=GroupOut, summary="グループの設定")
def group_update(request, group_id: str, payload: GroupPatchIn):
    """Owners change the name, description, policy and — owners who operate the group's
    Network — `open_to_partners` (422 under `open_to_partners` without an Agreement in force
    allowing groups). 403 for a member who is not an owner, 404 for anyone else."""
    access = access_group(request.user, group_id)
    group = access.group
    with service_errors():
        group = services.group_update(
            actor=request.user,
            access=access,
            name=payload.name if payload.name is not None else group.name,
            description=(
                payload.description if payload.description is not None else group.description
            ),
            policy=payload.policy or group.policy,
            open_to_partners=payload.open_to_partners,
            request=request,
        )
    count = selectors.member_count(group)
    unread = selectors.group_unread(group, request.user)
    return _group(group, membership=access.membership, unread=unread, member_count=count)


@router.post("/groups/{group_id}/join", response=MyMembershipOut, summary="参加・参加申請")
def group_join(request, group_id: str):
    """Join an open group, ask to join a by-request group (owners are notified), or accept
    my invitation. 422 when already a member or requested, or not eligible."""
    access = access_group(request.user, group_id, board=False)
    with service_errors():
        membership = services.group_join(actor=request.user, access=access, request=request)
    return _my_membership(membership)


@router.post("/groups/{group_id}/decline", response=MyMembershipOut, summary="招待の辞退")
def group_decline(request, group_id: str):
    access = access_group(request.user, group_id, board=False)
    if not access.is_invited:
        raise Http404
    with service_errors():
        membership = services.invitation_respond(
            actor=request.user, membership=access.membership, accept=False, request=request
        )
    return _my_membership(membership)


@router.post("/groups/{group_id}/leave", response=MyMembershipOut, summary="退出")
def group_leave(request, group_id: str, payload: LeaveIn | None = None):
    """Leave (or withdraw a request). The last owner names an active member as
    `successor` when anyone else is in the group (422 otherwise)."""
    access = access_group(request.user, group_id, board=False)
    if access.membership is None:
        raise Http404
    successor = None
    if payload is not None and payload.successor is not None:
        successor = selectors.membership_in(access, payload.successor)
        if successor is None:
            raise field_error("successor", _("後任はこのグループのメンバーから選んでください。"))
    with service_errors():
        membership = services.group_leave(
            actor=request.user, access=access, successor=successor, request=request
        )
    return _my_membership(membership)


@router.get("/groups/{group_id}/members", response=list[MembershipOut], summary="メンバー")
def member_list(request, group_id: str):
    """Active members, owners first; owners also get open requests and invitations."""
    access = access_group(request.user, group_id)
    return [_member_out(m) for m in selectors.memberships(access, include_pending=True)]


def _member_out(m: GroupMembership) -> dict[str, Any]:
    return {
        "id": m.uuid,
        "user": _person(m.user),
        "role": m.role,
        "status": m.status,
        "joined_at": m.joined_at,
        "created_at": m.created_at,
        "external": not getattr(m, "local", True),
        "network": None if getattr(m, "local", True) else m.home_network,
    }


def _manager(request, group_id: str) -> GroupAccess:
    access = access_group(request.user, group_id)
    if not access.can_manage:
        raise PermissionDenied
    return access


def _membership(access: GroupAccess, membership_id: str) -> GroupMembership:
    membership = selectors.membership_in(access, membership_id)
    if membership is None:
        raise Http404
    return membership


@router.post("/groups/{group_id}/members", response={201: MembershipOut}, summary="招待")
def member_invite(request, group_id: str, payload: InviteIn):
    """Owners invite an eligible professional of the group's Network (422 under `user`
    otherwise, whether the person does not exist, is elsewhere or not eligible)."""
    access = _manager(request, group_id)
    invitee = get_user_model().objects.filter(uuid=payload.user).first()
    with service_errors():
        membership = services.group_invite(
            actor=request.user, access=access, invitee=invitee, request=request
        )
    return Status(201, _member_out(membership))


@router.post(
    "/groups/{group_id}/members/{membership_id}/approve",
    response=MembershipOut,
    summary="参加申請の承認",
)
def member_approve(request, group_id: str, membership_id: str):
    return _decide(request, group_id, membership_id, approve=True)


@router.post(
    "/groups/{group_id}/members/{membership_id}/reject",
    response=MembershipOut,
    summary="参加申請の却下",
)
def member_reject(request, group_id: str, membership_id: str):
    return _decide(request, group_id, membership_id, approve=False)


def _decide(request, group_id: str, membership_id: str, *, approve: bool):
    """Approve or reject a request to join, as an owner."""
    access = _manager(request, group_id)
    membership = _membership(access, membership_id)
    with service_errors():
        membership = services.request_decide(
            actor=request.user,
            access=access,
            membership=membership,
            approve=approve,
            request=request,
        )
    return _member_out(membership)


@router.patch(
    "/groups/{group_id}/members/{membership_id}",
    response=MembershipOut,
    summary="管理者の指定・解除",
)
def member_role(request, group_id: str, membership_id: str, payload: RoleIn):
    access = _manager(request, group_id)
    membership = _membership(access, membership_id)
    with service_errors():
        membership = services.member_set_role(
            actor=request.user,
            access=access,
            membership=membership,
            owner=payload.role == "owner",
            request=request,
        )
    return _member_out(membership)


@router.delete(
    "/groups/{group_id}/members/{membership_id}",
    response={204: None},
    summary="メンバーの除外・招待の取消",
)
def member_remove(request, group_id: str, membership_id: str):
    access = _manager(request, group_id)
    membership = _membership(access, membership_id)
    with service_errors():
        services.member_remove(
            actor=request.user, access=access, membership=membership, request=request
        )
    return Status(204, None)


# --- threads ------------------------------------------------------------------------------
@router.get("/groups/{group_id}/threads", response=ThreadPage, summary="掲示板（スレッドの一覧）")
def thread_list(
    request,
    group_id: str,
    cursor: Annotated[
        uuid.UUID | None, Query(description="前のページの next_cursor（このスレッドの次から）")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=100, description="件名・本文・返信の検索（かな・幅を区別しない）"),
    ] = None,
    limit: int = Query(board_selectors.BOARD_PAGE, ge=1, le=100),
):
    """Pinned threads first (on the first page), then by latest activity, as keyset pages.
    With `q`: matching threads, latest activity first (at most 50, no cursor)."""
    access = access_group(request.user, group_id)
    if q:
        threads = board_selectors.search_threads(access, request.user, q)
        return {"items": [_thread(t) for t in threads], "next_cursor": None}
    page = board_selectors.board_page(
        access, request.user, after=str(cursor) if cursor else None, size=limit
    )
    items = [*page.pinned, *page.threads]
    for thread in items:
        thread.group = access.group
    return {"items": [_thread(t) for t in items], "next_cursor": page.next_cursor}


@router.post(
    "/groups/{group_id}/threads",
    response={201: ThreadOut},
    summary="スレッドの作成",
    openapi_extra=_form_doc(["title"], {"title": {"type": "string"}, "body": {"type": "string"}}),
)
def thread_create(request, group_id: str):
    """Start a thread (members; owners only in an announcement-only group: 403). JSON
    `{"title", "body"}` or multipart form data with repeated `files` parts (timeline limits).
    Every other member is notified."""
    access = access_group(request.user, group_id)
    if not access.can_post:
        raise PermissionDenied
    data, files = _input(request, {"title", "body"})
    if not data.get("title"):
        raise field_error("title", _("この項目は必須です。"), type_="missing")
    with write_errors():
        thread = board.thread_create(
            actor=request.user,
            group=access.group,
            title=data["title"],
            body=data.get("body") or "",
            files=files,
            request=request,
        )
    return Status(201, _thread_detail(request, access, thread))


@router.get("/threads/{thread_id}", response=ThreadOut, summary="スレッド")
def thread_detail(request, thread_id: str):
    """One thread with its attachments. Reading it here does not mark it read: clients call
    POST /threads/{id}/read when the person has seen it."""
    access, thread = access_thread(request.user, thread_id)
    return _thread_detail(request, access, thread)


@router.patch("/threads/{thread_id}", response=ThreadOut, summary="ピン留め・締切")
def thread_change(request, thread_id: str, payload: ThreadPatchIn):
    """`pinned` (owners) and `closed` (owners or the author); 403 otherwise."""
    access, thread = access_thread(request.user, thread_id)
    if payload.pinned is not None:
        thread = board.thread_set_pinned(
            actor=request.user, access=access, thread=thread, pinned=payload.pinned, request=request
        )
    if payload.closed is not None:
        thread = board.thread_set_closed(
            actor=request.user, access=access, thread=thread, closed=payload.closed, request=request
        )
    return _thread_detail(request, access, thread)


@router.post("/threads/{thread_id}/read", response=ThreadReadOut, summary="既読にする")
def thread_read(request, thread_id: str):
    """Mark the thread and its replies read (the oldest unread first, at most 200 per call;
    call again for more). Returns how many receipts were written."""
    access, thread = access_thread(request.user, thread_id)
    replies = board_selectors.unread_replies(thread, request.user, limit=board.READ_BATCH)
    return {"marked": board.mark_read(user=request.user, thread=thread, replies=replies)}


@router.get("/threads/{thread_id}/replies", response=ReplyPage, summary="返信の一覧")
def reply_list(
    request,
    thread_id: str,
    cursor: Annotated[
        uuid.UUID | None, Query(description="前のページの next_cursor（この返信の次から）")
    ] = None,
    limit: int = Query(board_selectors.REPLY_PAGE, ge=1, le=200),
):
    """Replies oldest first, keyset pages, each with attachments and who read it."""
    access, thread = access_thread(request.user, thread_id)
    page = board_selectors.thread_page(
        access, thread, after=str(cursor) if cursor else None, size=limit, with_thread=False
    )
    return {
        "items": [_reply(r, thread) for r in page.replies],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/threads/{thread_id}/replies",
    response={201: ReplyOut},
    summary="返信",
    openapi_extra=_form_doc([], {"body": {"type": "string"}}),
)
def reply_create(request, thread_id: str):
    """Reply as a member: JSON `{"body"}` or multipart with `files`. 409 when the thread is
    closed (締切); 413/415/422 as the module says."""
    access, thread = access_thread(request.user, thread_id)
    data, files = _input(request, {"body"})
    if thread.is_closed:
        raise FieldErrors(
            [
                {
                    "loc": ["body"],
                    "msg": _("このスレッドは締め切られているため返信できません。"),
                    "type": "closed",
                }
            ],
            status=409,
        )
    with write_errors():
        reply = board.reply_create(
            actor=request.user,
            access=access,
            thread=thread,
            body=data.get("body") or "",
            files=files,
            request=request,
        )
    reply.readers = []
    return Status(201, _reply(reply, thread))


# --- files --------------------------------------------------------------------------------
@router.get(
    "/board-files/{attachment_id}",
    url_name="board_file",
    summary="掲示板の添付ファイル",
    response={200: None},
)
def board_file(request, attachment_id: str):
    """The file as a download (members only; 404 otherwise). Audited (BOARD_FILE)."""
    access, found = access_attachment(request.user, attachment_id)
    open_stored(found.file)
    board.attachment_downloaded(
        actor=request.user, access=access, attachment=found, request=request
    )
    return file_download(
        found.file, content_type=found.content_type, filename=attachment_filename(found)
    )


@router.get(
    "/board-files/{attachment_id}/thumbnail",
    url_name="board_file_thumbnail",
    summary="掲示板の添付ファイルのプレビュー",
    response={200: None},
)
def board_file_thumbnail(request, attachment_id: str):
    _, found = access_attachment(request.user, attachment_id)
    return file_download(found.thumbnail, content_type="image/jpeg", inline=True)
