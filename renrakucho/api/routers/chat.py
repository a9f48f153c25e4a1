"""Chat (チャット) as JSON: conversations, messages, read state, files.

Access as on the pages (chat.access): only active members of a conversation reach it, its
messages and files — anyone else (another Network, a same-Network outsider, a member who
left) gets 404. Writes go through chat.services (audit, notifications, realtime pushes).

Messages carry `seq`, consecutive per conversation: a client that has seen up to n asks
`GET …/messages?after_seq=n` and misses nothing, whatever happened to its websocket.
Uploads: 413 when a file is too large, 415 when its type is refused (decided by content),
422 otherwise; 409 for a change of a deleted message.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from renrakucho.api import bodies
from renrakucho.api.errors import write_errors
from renrakucho.api.schemas import (
    AttachmentOut,
    InputSchema,
    NetworkRef,
    UserRef,
    attachment_out,
)
from renrakucho.chat import selectors, services
from renrakucho.chat.access import (
    ChatAccess,
    access_attachment,
    access_conversation,
    access_message,
)
from renrakucho.chat.models import Message
from renrakucho.files.serving import attachment_filename, file_download, open_stored

router = Router(tags=["chat"])

MAX_PAGE = 100


# --- shapes -----------------------------------------------------------------------------------
class ConversationIn(InputSchema):
    members: list[uuid.UUID] = Field(..., description="相手の利用者ID（1人なら1対1の会話）")
    title: str = Field("", max_length=100, description="グループの名前（任意）")


class ConversationPatchIn(InputSchema):
    title: str = Field(..., max_length=100, description="会話の名前（空にすると相手の名前で表示）")


class MembersIn(InputSchema):
    members: list[uuid.UUID] = Field(
        ..., description="追加する利用者ID（会話と同じネットワークの方）"
    )


class MessageIn(InputSchema):
    body: str = Field("", max_length=services.MAX_BODY)
    resident: uuid.UUID | None = Field(
        None, description="リンクする支援対象者のID（担当している方のみ）"
    )


class MessagePatchIn(InputSchema):
    body: str = Field(..., max_length=services.MAX_BODY)


class ReadIn(InputSchema):
    seq: int = Field(..., ge=0, description="ここまで読んだメッセージの seq")


class MemberOut(Schema):
    id: uuid.UUID
    username: str
    name: str
    name_kana: str
    last_read_seq: int


class ConversationOut(Schema):
    id: uuid.UUID
    kind: str
    title: str = Field(..., description="表示名（名前がなければ相手の名前）")
    name: str = Field(..., description="会話の名前（グループで付けたもの）")
    network: NetworkRef
    members: list[MemberOut]
    last_seq: int
    last_read_seq: int
    unread: int
    last_message_at: datetime.datetime | None
    created_at: datetime.datetime


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_page: int | None


class ResidentLinkOut(Schema):
    id: uuid.UUID
    name: str | None = Field(..., description="閲覧できる方にだけ表示（それ以外は null）")
    accessible: bool


class MessageOut(Schema):
    id: uuid.UUID
    conversation: uuid.UUID
    seq: int
    author: UserRef
    body: str = Field(..., description="削除されたメッセージは空")
    created_at: datetime.datetime
    edited: bool
    edited_at: datetime.datetime | None
    deleted: bool
    deleted_at: datetime.datetime | None
    attachments: list[AttachmentOut]
    read_count: int = Field(..., description="既読の数（送信者以外のメンバー）")
    resident: ResidentLinkOut | None


class MessagePage(Schema):
    items: list[MessageOut]
    has_earlier: bool
    has_later: bool


class ChatReadOut(Schema):
    last_read_seq: int
    unread: int


# --- responses -----------------------------------------------------------------------------
def _conversation_out(access_or_membership, members, reader) -> dict[str, Any]:
    membership = getattr(access_or_membership, "membership", access_or_membership)
    conversation = membership.conversation
    conversation.active_members = members
    return {
        "id": conversation.uuid,
        "kind": conversation.kind,
        "title": selectors.conversation_title(conversation, reader),
        "name": conversation.title,
        "network": conversation.network,
        "members": [
            {
                "id": m.user.uuid,
                "username": m.user.username,
                "name": m.user.name,
                "name_kana": m.user.name_kana,
                "last_read_seq": m.last_read_seq,
            }
            for m in members
        ],
        "last_seq": conversation.last_seq,
        "last_read_seq": membership.last_read_seq,
        "unread": max(conversation.last_seq - membership.last_read_seq, 0),
        "last_message_at": conversation.last_message_at,
        "created_at": conversation.created_at,
    }


def _attachment(conversation, attachment) -> dict[str, Any]:
    kwargs = {"conversation_id": conversation.uuid, "attachment_id": attachment.uuid}
    return attachment_out(
        attachment,
        url=reverse("api:chat_attachment", kwargs=kwargs),
        thumbnail_url=reverse(
            "chat:attachment_thumbnail", kwargs={"attachment_uuid": attachment.uuid}
        ),
    )


def message_out(message: Message, conversation) -> dict[str, Any]:
    """Expects selectors.annotate_messages (read_count, resident_link) and the author and
    attachments loaded: no query of its own."""
    deleted = message.is_deleted
    link = message.resident_link
    return {
        "id": message.uuid,
        "conversation": conversation.uuid,
        "seq": message.seq,
        "author": message.author,
        "body": "" if deleted else message.body,
        "created_at": message.created_at,
        "edited": message.edited_at is not None,
        "edited_at": message.edited_at,
        "deleted": deleted,
        "deleted_at": message.deleted_at,
        "attachments": []
        if deleted
        else [_attachment(conversation, a) for a in message.attachments.all()],
        "read_count": message.read_count,
        "resident": (
            {"id": link.uuid, "name": link.name, "accessible": link.accessible} if link else None
        ),
    }


# --- conversations -------------------------------------------------------------------------
@router.get("/conversations", response=ConversationPage, summary="会話の一覧")
def conversation_list(request, page: int = Query(1, ge=1)):
    """The caller's conversations, latest activity first, 50 a page. Four queries."""
    rows, more = selectors.my_conversations(request.user, page=page)
    return {
        "items": [
            _conversation_out(row, row.conversation.active_members, request.user) for row in rows
        ],
        "next_page": page + 1 if more else None,
    }


@router.post(
    "/conversations",
    response={200: ConversationOut, 201: ConversationOut},
    summary="会話を始める",
)
def conversation_create(request, payload: ConversationIn):
    """Start a conversation with `members` (user ids of the caller's Networks). One member
    and no title: a 1:1 — the existing one with that person is returned (200) instead of a
    new one (201). 422 when someone is not of a Network shared with the caller."""
    with write_errors():
        conversation, created = services.conversation_create(
            actor=request.user, members=payload.members, title=payload.title, request=request
        )
    access = access_conversation(request.user, conversation.uuid)
    body = _conversation_out(access, selectors.members_of(conversation), request.user)
    return Status(201 if created else 200, body)


@router.get("/conversations/{conversation_id}", response=ConversationOut, summary="会話")
def conversation_detail(request, conversation_id: str):
    access = access_conversation(request.user, conversation_id)
    return _conversation_out(access, selectors.members_of(access.conversation), request.user)


def _conversation_now(request, access: ChatAccess) -> dict[str, Any]:
    """The conversation after a change of its name or members, as GET shows it."""
    return _conversation_out(access, selectors.members_of(access.conversation), request.user)


@router.patch("/conversations/{conversation_id}", response=ConversationOut, summary="会話の名前")
def conversation_rename(request, conversation_id: str, payload: ConversationPatchIn):
    """Rename a group conversation (any member). 422 for a 1:1 conversation. Audited
    (CHAT_MEMBERS, change "rename") when the name changes."""
    access = access_conversation(request.user, conversation_id)
    with write_errors():
        services.conversation_rename(
            actor=request.user, access=access, title=payload.title, request=request
        )
    return _conversation_now(request, access)


@router.post(
    "/conversations/{conversation_id}/members", response=ConversationOut, summary="メンバーの追加"
)
def conversation_members_add(request, conversation_id: str, payload: MembersIn):
    """Add members to a group conversation (any member may; former members re-join). 422
    under `members` when someone is not active in the conversation's Network, and for a 1:1
    conversation. Audited (CHAT_MEMBERS, change "add") when anyone was added."""
    access = access_conversation(request.user, conversation_id)
    with write_errors():
        services.members_add(
            actor=request.user, access=access, members=payload.members, request=request
        )
    return _conversation_now(request, access)


@router.delete(
    "/conversations/{conversation_id}/members/{user_id}",
    response=ConversationOut,
    summary="メンバーを外す",
)
def conversation_member_remove(request, conversation_id: str, user_id: str):
    """Remove another member from a group conversation: its creator only (403 for the other
    members). 404 when `user_id` is not another active member (to leave: POST …/leave); 422
    for a 1:1 conversation. The removed member gets 404 from then on. Audited (CHAT_MEMBERS,
    change "remove")."""
    access = access_conversation(request.user, conversation_id)
    with write_errors():
        try:
            services.member_remove(
                actor=request.user, access=access, member_uuid=user_id, request=request
            )
        except ValidationError as error:
            # The service's "members" error: {user_id} names no other active member — a
            # missing resource of the path, not a wrong field of a body.
            if "members" in getattr(error, "error_dict", {}):
                raise Http404 from None
            raise
    return _conversation_now(request, access)


@router.post(
    "/conversations/{conversation_id}/leave", response=ConversationOut, summary="会話から退出"
)
def conversation_leave(request, conversation_id: str):
    """Leave the conversation (1:1 or group): from then on it answers 404 to the caller,
    until someone adds them again. The answer is the conversation as left (the remaining
    members). Audited (CHAT_MEMBERS, change "leave")."""
    access = access_conversation(request.user, conversation_id)
    services.conversation_leave(actor=request.user, access=access, request=request)
    return _conversation_now(request, access)


# --- messages ----------------------------------------------------------------------------------
_MESSAGE_BODY_DOC = bodies.upload_body_doc(
    bodies.json_schema(MessageIn),
    {"body": {"type": "string"}, "resident": {"type": "string", "format": "uuid"}},
)


@router.get(
    "/conversations/{conversation_id}/messages", response=MessagePage, summary="メッセージの一覧"
)
def message_list(
    request,
    conversation_id: str,
    after_seq: int | None = Query(None, ge=0, description="この seq より後（追いつき）"),
    before_seq: int | None = Query(None, ge=0, description="この seq より前（さかのぼり）"),
    limit: int = Query(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE),
):
    """Messages in seq order (oldest first): after `after_seq` (has_later when more are
    waiting), before `before_seq` (has_earlier when older ones remain), or the newest.
    Reading them does not mark them read: POST …/read. Six queries at most."""
    access = access_conversation(request.user, conversation_id)
    page = selectors.message_page(access, after_seq=after_seq, before_seq=before_seq, limit=limit)
    return {
        "items": [message_out(m, access.conversation) for m in page.items],
        "has_earlier": page.has_earlier,
        "has_later": page.has_later,
    }


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: MessageOut},
    summary="メッセージを送る",
    openapi_extra=_MESSAGE_BODY_DOC,
)
def message_create(request, conversation_id: str):
    """Send a message: JSON `{"body", "resident"?}` or multipart form data with the files as
    repeated `files` parts. Needs a text or a file. 413/415/422 as the module says."""
    access = access_conversation(request.user, conversation_id)
    data, files = bodies.form_input(request, optional=["resident"])
    payload = bodies.validated(MessageIn, data)
    with write_errors():
        message = services.message_send(
            actor=request.user,
            conversation=access.conversation,
            membership=access.membership,
            body=payload.body,
            files=files,
            resident_uuid=payload.resident,
            request=request,
        )
    return Status(
        201, message_out(selectors.message_for_display(access, message), access.conversation)
    )


def _own(request, message_id: str) -> tuple[ChatAccess, Message]:
    access, message = access_message(request.user, message_id)
    if message.author_id != request.user.pk:
        raise PermissionDenied
    return access, message


@router.patch("/messages/{message_id}", response=MessageOut, summary="メッセージの編集")
def message_change(request, message_id: str, payload: MessagePatchIn):
    """Change the text of one's own message (403 for others; 409 once deleted). Audited."""
    access, message = _own(request, message_id)
    with write_errors():
        message = services.message_edit(
            actor=request.user, access=access, message=message, body=payload.body, request=request
        )
    return message_out(selectors.message_for_display(access, message), access.conversation)


@router.delete("/messages/{message_id}", response=MessageOut, summary="メッセージの削除")
def message_remove(request, message_id: str):
    """Delete one's own message: it stays as a marker (403 for others; 409 once deleted).
    Audited."""
    access, message = _own(request, message_id)
    with write_errors():
        message = services.message_delete(
            actor=request.user, access=access, message=message, request=request
        )
    return message_out(selectors.message_for_display(access, message), access.conversation)


@router.post("/conversations/{conversation_id}/read", response=ChatReadOut, summary="既読にする")
def conversation_read(request, conversation_id: str, payload: ReadIn):
    """Read up to `seq` (capped at the newest message; never goes back)."""
    access = access_conversation(request.user, conversation_id)
    last_read = services.conversation_mark_read(actor=request.user, access=access, seq=payload.seq)
    return {
        "last_read_seq": last_read,
        "unread": max(access.conversation.last_seq - last_read, 0),
    }


@router.get(
    "/conversations/{conversation_id}/attachments/{attachment_id}",
    url_name="chat_attachment",
    response={200: None},
    summary="チャットの添付ファイル",
    openapi_extra={
        "responses": {
            200: {
                "description": "ファイル（Content-Disposition: attachment）",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def attachment_download(request, conversation_id: str, attachment_id: str):
    """A file of a message, as a download with its stored type, nosniff and a sandbox CSP.
    Audited (CHAT_FILE). 404 for non-members and deleted messages."""
    access, found = access_attachment(request.user, attachment_id)
    if str(access.conversation.uuid) != str(conversation_id):
        raise Http404
    open_stored(found.file)
    services.attachment_downloaded(
        actor=request.user, access=access, attachment=found, request=request, channel="api"
    )
    return file_download(
        found.file, content_type=found.content_type, filename=attachment_filename(found)
    )
