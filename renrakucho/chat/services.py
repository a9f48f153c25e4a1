"""Writes of the chat: conversations, members, messages, read state.

Each function owns its transaction. Audited: creating a conversation (CHAT_CREATE), every
change of its members or name (CHAT_MEMBERS), editing (CHAT_EDIT) and deleting (CHAT_DELETE)
a message; sending is not audited (no resident data: a message can only link to a resident
by UUID, and who may open the link is decided by residents.access when it is shown).

Realtime (after commit), group `chat.<conversation uuid>`:
`{"type": "message.created" | "message.updated" | "read.updated", "id": "<conversation uuid>",
"seq": n}` — the page fetches the messages through the normal, access-checked view.

Errors a person can fix are ValidationError with Japanese messages keyed by field
("members", "title", "body", "files", "resident", "seq"); file errors keep the codes of
files.uploads.check_upload, so the API answers 413/415. Nothing is saved when anything is
refused. A write on a deleted message is code "retracted" (409 in the API).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.core.realtime import publish_on_commit, user_group
from renrakucho.core.text import fold
from renrakucho.files.attachments import check_files, store_attachment
from renrakucho.files.uploads import CheckedFile
from renrakucho.notifications.models import Kind as NotificationKind
from renrakucho.notifications.models import Notification
from renrakucho.notifications.services import notify
from renrakucho.residents.access import residents_visible_to

from .access import ChatAccess, active_networks
from .models import Conversation, ConversationMember, Message, MessageAttachment, MessageVersion
from .selectors import users_of_networks

MAX_BODY = 5000
MAX_MEMBERS = 100
# A member who read the conversation this recently is reading it now: no notification for
# each new message (the page shows them); one after a quiet spell.
NOTIFY_QUIET = datetime.timedelta(minutes=5)


def chat_group(conversation_uuid) -> str:
    return f"chat.{uuid.UUID(str(conversation_uuid))}"


def _push(conversation: Conversation, event: str, seq: int) -> None:
    publish_on_commit(
        chat_group(conversation.uuid), {"type": event, "id": str(conversation.uuid), "seq": seq}
    )


def _audit(conversation: Conversation, *, actor, action, request=None, target=None, **detail):
    audit_record(
        action=action,
        actor=actor,
        request=request,
        network_id=conversation.network_id,
        target=target if target is not None else conversation,
        detail=detail or None,
    )


def conversation_url(conversation: Conversation) -> str:
    return reverse("chat:conversation", kwargs={"conversation_uuid": conversation.uuid})


# --- members -----------------------------------------------------------------------------------
def _uuids(members: Iterable) -> list[uuid.UUID]:
    """User objects or UUIDs (strings) → UUIDs, in order, without repeats. A value that is
    not a UUID is refused like an unknown user."""
    seen: list[uuid.UUID] = []
    for member in members:
        value = getattr(member, "uuid", member)
        try:
            parsed = uuid.UUID(str(value))
        except (ValueError, TypeError, AttributeError):
            raise _other_network()
        if parsed not in seen:
            seen.append(parsed)
    return seen


def _other_network() -> ValidationError:
    return ValidationError(
        {
            "members": ValidationError(
                _("同じネットワークの利用者ではない方は、会話に追加できません。"),
                code="other_network",
            )
        }
    )


def _users_in(network_id: int, member_uuids: list[uuid.UUID]) -> list | None:
    """The users of `member_uuids` when every one is active in the Network, else None."""
    users = list(users_of_networks([network_id]).filter(uuid__in=member_uuids))
    return users if len(users) == len(member_uuids) else None


def _check_title(title: str) -> str:
    title = (title or "").strip()
    limit = Conversation._meta.get_field("title").max_length
    if len(title) > limit:
        raise ValidationError(
            {"title": _("会話の名前は%(n)d文字以内で入力してください。") % {"n": limit}}
        )
    return title


def _activate(conversation: Conversation, users: Iterable) -> list:
    """Make `users` active members (new rows, or re-joining former members). Returns the
    users who were not active members before."""
    now = timezone.now()
    users = list(users)
    existing = {
        m.user_id: m
        for m in ConversationMember.objects.filter(
            conversation=conversation, user__in=[u.pk for u in users]
        )
    }
    added, rejoined = [], []
    for user in users:
        member = existing.get(user.pk)
        if member is None:
            added.append(ConversationMember(conversation=conversation, user=user, joined_at=now))
        elif member.left_at is not None:
            rejoined.append(member.pk)
    ConversationMember.objects.bulk_create(added)
    if rejoined:
        ConversationMember.objects.filter(pk__in=rejoined).update(left_at=None, joined_at=now)
    new_ids = {m.user_id for m in added} | {uid for uid, m in existing.items() if m.pk in rejoined}
    return [u for u in users if u.pk in new_ids]


@transaction.atomic
def conversation_create(
    *, actor, members: Iterable, title: str = "", request=None
) -> tuple[Conversation, bool]:
    """Start a conversation of `actor` with `members` (User objects or user UUIDs).

    One other member and no title: a 1:1 (direct) conversation — the existing one with the
    same person is returned instead when there is one (and `actor` re-joins it if they had
    left it). Otherwise a group conversation. Every member must be active in a Network the
    actor is active in (the conversation's Network: the first such Network shared by all).

    Returns (conversation, created). Raises ValidationError: "members" (none, too many, or
    someone not of a shared Network — code "other_network"), "title". Audits CHAT_CREATE.
    """
    title = _check_title(title)
    member_uuids = [u for u in _uuids(members) if u != actor.uuid]
    if not member_uuids:
        raise ValidationError({"members": _("会話の相手を1人以上選んでください。")})
    if len(member_uuids) >= MAX_MEMBERS:
        raise ValidationError(
            {"members": _("会話のメンバーは%(n)d人までです。") % {"n": MAX_MEMBERS}}
        )
    network_id, users = None, None
    for candidate in sorted(active_networks(actor)):
        users = _users_in(candidate, member_uuids)
        if users is not None:
            network_id = candidate
            break
    if network_id is None:
        raise _other_network()
    if len(users) == 1 and not title:
        return _direct(actor=actor, other=users[0], network_id=network_id, request=request)
    conversation = Conversation.objects.create(
        network_id=network_id, kind=Conversation.Kind.GROUP, title=title, created_by=actor
    )
    _activate(conversation, [actor, *users])
    _audit(
        conversation,
        actor=actor,
        action=Action.CHAT_CREATE,
        request=request,
        kind=conversation.kind,
        members=[str(u.uuid) for u in users],
    )
    return conversation, True


def _direct(*, actor, other, network_id: int, request=None) -> tuple[Conversation, bool]:
    key = Conversation.key_for(network_id, [actor.pk, other.pk])
    existing = Conversation.objects.filter(direct_key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    network_id=network_id,
                    kind=Conversation.Kind.DIRECT,
                    created_by=actor,
                    direct_key=key,
                )
        except IntegrityError:
            # Created by the other person at the same moment: use theirs.
            existing = Conversation.objects.get(direct_key=key)
        else:
            _activate(conversation, [actor, other])
            _audit(
                conversation,
                actor=actor,
                action=Action.CHAT_CREATE,
                request=request,
                kind=conversation.kind,
                members=[str(other.uuid)],
            )
            return conversation, True
    if _activate(existing, [actor, other]):
        _audit(
            existing,
            actor=actor,
            action=Action.CHAT_MEMBERS,
            request=request,
            change="rejoin",
        )
    return existing, False


def _require_group(access: ChatAccess) -> None:
    if access.conversation.is_direct:
        raise ValidationError(_("1対1の会話では、名前やメンバーは変更できません。"), code="direct")


@transaction.atomic
def conversation_rename(*, actor, access: ChatAccess, title: str, request=None) -> Conversation:
    """Rename a group conversation (any member). Audits CHAT_MEMBERS (change "rename")."""
    _require_group(access)
    title = _check_title(title)
    conversation = access.conversation
    if title != conversation.title:
        conversation.title = title
        conversation.save(update_fields=["title", "updated_at"])
        _audit(
            conversation, actor=actor, action=Action.CHAT_MEMBERS, request=request, change="rename"
        )
    return conversation


@transaction.atomic
def members_add(*, actor, access: ChatAccess, members: Iterable, request=None) -> list:
    """Add members to a group conversation (any member may). Each must be active in the
    conversation's Network (ValidationError "members", code "other_network"). Returns the
    users newly added. Audits CHAT_MEMBERS (change "add", their UUIDs)."""
    _require_group(access)
    conversation = access.conversation
    member_uuids = [u for u in _uuids(members) if u != actor.uuid]
    if not member_uuids:
        raise ValidationError({"members": _("追加する方を1人以上選んでください。")})
    users = _users_in(conversation.network_id, member_uuids)
    if users is None:
        raise _other_network()
    count = ConversationMember.objects.filter(
        conversation=conversation, left_at__isnull=True
    ).count()
    if count + len(users) > MAX_MEMBERS:
        raise ValidationError(
            {"members": _("会話のメンバーは%(n)d人までです。") % {"n": MAX_MEMBERS}}
        )
    added = _activate(conversation, users)
    if added:
        _audit(
            conversation,
            actor=actor,
            action=Action.CHAT_MEMBERS,
            request=request,
            change="add",
            members=[str(u.uuid) for u in added],
        )
        _push(conversation, "members.updated", conversation.last_seq)
    return added


@transaction.atomic
def member_remove(*, actor, access: ChatAccess, member_uuid, request=None) -> None:
    """Remove another member from a group conversation: its creator only (PermissionDenied
    otherwise). The removed member no longer reaches the conversation (404). Unknown or
    former members: ValidationError "members". Audits CHAT_MEMBERS (change "remove")."""
    _require_group(access)
    conversation = access.conversation
    if conversation.created_by_id != actor.pk:
        raise PermissionDenied
    target = (
        ConversationMember.objects.select_related("user")
        .filter(
            conversation=conversation, left_at__isnull=True, user__uuid=_uuids([member_uuid])[0]
        )
        .exclude(user=actor)
        .first()
    )
    if target is None:
        raise ValidationError({"members": _("この方は会話のメンバーではありません。")})
    target.left_at = timezone.now()
    target.save(update_fields=["left_at"])
    _audit(
        conversation,
        actor=actor,
        action=Action.CHAT_MEMBERS,
        request=request,
        change="remove",
        members=[str(target.user.uuid)],
    )
    _push(conversation, "members.updated", conversation.last_seq)


@transaction.atomic
def conversation_leave(*, actor, access: ChatAccess, request=None) -> None:
    """Leave the conversation: it disappears for `actor` (404 from now on, history included)
    until someone adds them again (or, for a 1:1, either of the two starts it again).
    Audits CHAT_MEMBERS (change "leave")."""
    membership = access.membership
    membership.left_at = timezone.now()
    membership.save(update_fields=["left_at"])
    _audit(
        access.conversation,
        actor=actor,
        action=Action.CHAT_MEMBERS,
        request=request,
        change="leave",
    )
    _push(access.conversation, "members.updated", access.conversation.last_seq)


# --- messages ---------------------------------------------------------------------------------
def _store_attachments(message: Message, actor, checked: list[CheckedFile]) -> list:
    return [
        store_attachment(MessageAttachment(message=message, uploaded_by=actor), file)
        for file in checked
    ]


def attachment_downloaded(
    *, actor, access: ChatAccess, attachment: MessageAttachment, request=None, channel=None
) -> None:
    """Audit a download of a message's file (CHAT_FILE, naming the conversation), from the
    page or the API (`channel="api"`)."""
    conversation = access.conversation
    audit_record(
        action=Action.CHAT_FILE,
        actor=actor,
        request=request,
        network_id=conversation.network_id,
        target=attachment,
        detail={
            **({"channel": channel} if channel else {}),
            "conversation": str(conversation.uuid),
        },
    )


def _check_body(body: str, errors: dict) -> str:
    body = (body or "").strip()
    if len(body) > MAX_BODY:
        errors.setdefault("body", []).append(
            _("メッセージは%(n)d文字以内で入力してください。") % {"n": MAX_BODY}
        )
    return body


def _check_resident(actor, resident_uuid, errors: dict) -> uuid.UUID | None:
    """A resident link must point at a resident the author may reach."""
    if resident_uuid in (None, ""):
        return None
    try:
        parsed = uuid.UUID(str(resident_uuid))
    except (ValueError, TypeError, AttributeError):
        parsed = None
    if parsed is None or not residents_visible_to(actor).filter(uuid=parsed).exists():
        errors.setdefault("resident", []).append(
            _("リンクできるのは、担当している支援対象者だけです。")
        )
        return None
    return parsed


def _membership(actor, conversation: Conversation) -> ConversationMember:
    membership = ConversationMember.objects.filter(
        conversation=conversation, user=actor, left_at__isnull=True
    ).first()
    if membership is None or conversation.network_id not in active_networks(actor):
        raise PermissionDenied
    return membership


def _notify_members(conversation: Conversation, *, actor, now) -> None:
    """One CHAT_MESSAGE notification to each other member who is not reading the
    conversation now and has no unread one for it yet."""
    quiet_since = now - NOTIFY_QUIET
    members = list(
        ConversationMember.objects.filter(conversation=conversation, left_at__isnull=True)
        .exclude(user=actor)
        .select_related("user")
    )
    waiting = set(
        Notification.objects.filter(
            kind=NotificationKind.CHAT_MESSAGE,
            target_uuid=conversation.uuid,
            read_at__isnull=True,
            user_id__in=[m.user_id for m in members],
        ).values_list("user_id", flat=True)
    )
    recipients = [
        m.user
        for m in members
        if m.user_id not in waiting and (m.last_read_at is None or m.last_read_at < quiet_since)
    ]
    if recipients:
        notify(
            users=recipients,
            kind=NotificationKind.CHAT_MESSAGE,
            url=conversation_url(conversation),
            target_uuid=conversation.uuid,
        )


@transaction.atomic
def message_send(
    *,
    actor,
    conversation: Conversation,
    body: str = "",
    files: Iterable = (),
    resident_uuid=None,
    membership: ConversationMember | None = None,
    request=None,
) -> Message:
    """Send a message to `conversation` as `actor`, an active member (PermissionDenied
    otherwise; pass `membership` when the caller already has it).

    Needs a text or a file; files as `files.attachments.check_files` (at most
    CHAT_MAX_FILES, by default TIMELINE_MAX_FILES); `resident_uuid` links a resident the
    author may reach (residents.access). The seq is allocated by incrementing
    `Conversation.last_seq` in one UPDATE, which holds the row lock until commit, so seqs
    are consecutive and commit in order (on SQLite the write lock serialises the same way).
    The author has read their own message. Notifies the other members (see
    `_notify_members`); pushes `message.created`.
    """
    if membership is None:
        membership = _membership(actor, conversation)
    elif membership.user_id != actor.pk or membership.left_at is not None:
        raise PermissionDenied
    errors: dict[str, list] = {}
    checked: list[CheckedFile] = []
    try:
        checked = check_files(
            files,
            max_files=getattr(settings, "CHAT_MAX_FILES", None),
            too_many=_("添付できるファイルは1件のメッセージにつき%(n)d件までです。"),
        )
    except ValidationError as error:
        errors.update(error.error_dict)
    body = _check_body(body, errors)
    link = _check_resident(actor, resident_uuid, errors)
    if not body and not checked and "files" not in errors:
        errors.setdefault("body", []).append(_("メッセージを入力してください。"))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # The row lock is taken last, so it is held only for the inserts below.
    Conversation.objects.filter(pk=conversation.pk).update(
        last_seq=F("last_seq") + 1, last_message_at=now
    )
    seq = Conversation.objects.filter(pk=conversation.pk).values_list("last_seq", flat=True).get()
    conversation.last_seq, conversation.last_message_at = seq, now
    message = Message.objects.create(
        conversation=conversation,
        seq=seq,
        author=actor,
        body=body,
        resident_uuid=link,
        search_key=fold(body),
    )
    _store_attachments(message, actor, checked)
    ConversationMember.objects.filter(pk=membership.pk).update(last_read_seq=seq, last_read_at=now)
    membership.last_read_seq, membership.last_read_at = seq, now
    _notify_members(conversation, actor=actor, now=now)
    _push(conversation, "message.created", seq)
    return message


def _own_live_message(actor, message: Message) -> None:
    if message.author_id != actor.pk:
        raise PermissionDenied
    if message.is_deleted:
        raise ValidationError(_("削除されたメッセージは変更できません。"), code="retracted")


@transaction.atomic
def message_edit(
    *, actor, access: ChatAccess, message: Message, body: str, request=None
) -> Message:
    """Change the text of the actor's own message (PermissionDenied for anyone else). The
    previous text is kept (MessageVersion). ValidationError: a deleted message (code
    "retracted"), an empty or too long text. Audits CHAT_EDIT; pushes `message.updated`."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    _own_live_message(actor, message)
    errors: dict[str, list] = {}
    body = _check_body(body, errors)
    if not body and not message.attachments.exists():
        errors.setdefault("body", []).append(_("メッセージを入力してください。"))
    if errors:
        raise ValidationError(errors)
    if body == message.body:
        return message
    MessageVersion.objects.create(message=message, body=message.body, edited_by=actor)
    message.body = body
    message.search_key = fold(body)
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "search_key", "edited_at", "updated_at"])
    _audit(
        access.conversation, actor=actor, action=Action.CHAT_EDIT, request=request, target=message
    )
    _push(access.conversation, "message.updated", message.seq)
    return message


@transaction.atomic
def message_delete(*, actor, access: ChatAccess, message: Message, request=None) -> Message:
    """Delete the actor's own message: it shows 「このメッセージは削除されました」 from now on;
    its text and files stay stored, no longer shown or served. PermissionDenied for anyone
    else; ValidationError (code "retracted") when already deleted. Audits CHAT_DELETE;
    pushes `message.updated`."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    _own_live_message(actor, message)
    message.deleted_at = timezone.now()
    message.deleted_by = actor
    message.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    _audit(
        access.conversation, actor=actor, action=Action.CHAT_DELETE, request=request, target=message
    )
    _push(access.conversation, "message.updated", message.seq)
    return message


@transaction.atomic
def conversation_mark_read(*, actor, access: ChatAccess, seq: int | None = None) -> int:
    """Mark the conversation read up to `seq` (default: its newest message; larger values
    are capped to it; read state never goes back). Marks the actor's chat notifications of
    this conversation read when everything is read. Returns the member's last_read_seq.
    Pushes `read.updated` when it moved. At most three queries."""
    conversation = access.conversation
    membership = access.membership
    last = conversation.last_seq
    target = last if seq is None else max(0, min(int(seq), last))
    now = timezone.now()
    moved = ConversationMember.objects.filter(pk=membership.pk, last_read_seq__lt=target).update(
        last_read_seq=target, last_read_at=now
    )
    if moved:
        membership.last_read_seq = target
        membership.last_read_at = now
        if target >= last:
            cleared = Notification.objects.filter(
                user=actor,
                kind=NotificationKind.CHAT_MESSAGE,
                target_uuid=conversation.uuid,
                read_at__isnull=True,
            ).update(read_at=now)
            if cleared:
                publish_on_commit(user_group(actor.uuid), {"type": "notification.read"})
        _push(conversation, "read.updated", target)
    return membership.last_read_seq
