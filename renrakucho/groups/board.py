"""Writes of a group's board: threads, replies, their attachments (content-checked and
stored with thumbnails), pinning and closing threads, and read receipts. Groups and their
membership are written by services.py, whose audit and push helpers these share.

Each function owns its transaction, writes an audit row (Action.THREAD_CREATE,
THREAD_UPDATE, REPLY_CREATE), notifies (notifications.services.notify) and nudges open pages
after commit (group `group.<uuid>` ← `{"type": "thread.created" | "thread.updated" |
"reply.created" | "thread.read", "id": "<thread uuid>"}`).

Notifications: a new thread → GROUP_POST to every active member but the author; a reply →
GROUP_POST to the thread's author and earlier repliers (not the replier).

Errors a person can fix are ValidationError with Japanese messages keyed by field ("title",
"body", "files") or with the code "closed" (a reply to a closed thread). File errors keep
the codes of files.uploads.check_upload ("too_large", "bad_type", …) and "too_many_files" so
the API can answer 413/415. PermissionDenied for a write the actor may not do on something
they can see; Http404 when they cannot see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.audit.models import Action
from renrakucho.core.text import fold
from renrakucho.files.attachments import check_files, store_attachment
from renrakucho.files.uploads import CheckedFile
from renrakucho.notifications.models import Kind as NotificationKind
from renrakucho.notifications.services import notify

from .access import GroupAccess, group_access_for
from .models import BoardAttachment, Group, Reply, ReplyRead, Thread, ThreadRead
from .selectors import member_users, thread_participants
from .services import audit_group, push_to_group

# Read receipts written by one page view at most (the page shows at most this many posts).
READ_BATCH = 200


def _thread_url(thread: Thread) -> str:
    return reverse("groups:thread", kwargs={"thread_uuid": thread.uuid})


# --- Attachments ------------------------------------------------------------------------


def _store(thread: Thread, reply: Reply | None, actor, checked: Sequence[CheckedFile]):
    return [
        store_attachment(
            BoardAttachment(group=thread.group, thread=thread, reply=reply, uploaded_by=actor),
            file,
        )
        for file in checked
    ]


def attachment_downloaded(
    *, actor, access: GroupAccess, attachment: BoardAttachment, request=None
) -> None:
    """Audit a download of a board file (BOARD_FILE, naming the group and the thread), from
    the page or the API."""
    audit_group(
        access.group,
        actor=actor,
        action=Action.BOARD_FILE,
        request=request,
        target=attachment,
        thread=str(attachment.thread.uuid),
    )


# --- Threads and replies ------------------------------------------------------------------


def _text_errors(*, title: str | None, body: str, has_files: bool, errors: dict) -> None:
    if title is not None:
        if not title:
            errors.setdefault("title", []).append(_("件名を入力してください。"))
        elif len(title) > Thread._meta.get_field("title").max_length:
            errors.setdefault("title", []).append(
                _("件名は%(n)d文字以内で入力してください。")
                % {"n": Thread._meta.get_field("title").max_length}
            )
    if not body and not has_files and title is None:
        errors.setdefault("body", []).append(_("本文を入力してください。"))
    if len(body) > 20000:
        errors.setdefault("body", []).append(_("本文は20000文字以内で入力してください。"))


def _checked_post(*, title: str | None, body: str, files) -> list[CheckedFile]:
    """The files of a new thread (`title` given) or reply (`title` None), checked together
    with its text: one ValidationError with every field's errors, or the checked files."""
    errors: dict[str, list] = {}
    checked: list[CheckedFile] = []
    try:
        checked = check_files(
            files, too_many=_("添付できるファイルは1件の投稿につき%(n)d件までです。")
        )
    except ValidationError as error:
        errors.update(error.error_dict)
    _text_errors(title=title, body=body, has_files=bool(files), errors=errors)
    if errors:
        raise ValidationError(errors)
    return checked


@transaction.atomic
def thread_create(*, actor, group: Group, title: str, body: str, files=(), request=None) -> Thread:
    """Start a thread on `group`'s board as `actor`.

    Stable contract (meetings posts minutes through it): Http404 unless the actor is an
    active member acting in the group's Network; PermissionDenied in an announcement-only
    group for a non-owner; ValidationError under "title", "body", "files" (codes of
    check_upload, "too_many_files"). Nothing is saved when anything is refused. Audits
    THREAD_CREATE (with the attachments' UUIDs); notifies every other active member
    (GROUP_POST); pushes `thread.created`.
    """
    access = group_access_for(actor, group)
    if not access.can_post:
        raise PermissionDenied
    title = (title or "").strip()
    body = (body or "").strip()
    checked = _checked_post(title=title, body=body, files=files)
    now = timezone.now()
    thread = Thread.objects.create(
        group=group,
        author=actor,
        title=title,
        body=body,
        last_activity_at=now,
        search_key=fold(f"{title} {body}"),
    )
    attachments = _store(thread, None, actor, checked)
    audit_group(
        group,
        actor=actor,
        action=Action.THREAD_CREATE,
        request=request,
        target=thread,
        attachments=[str(a.uuid) for a in attachments],
    )
    notify(
        users=member_users(group),
        kind=NotificationKind.GROUP_POST,
        url=_thread_url(thread),
        target_uuid=thread.uuid,
        exclude=actor,
    )
    push_to_group(group, "thread.created", thread)
    return thread


@transaction.atomic
def reply_create(
    *, actor, access: GroupAccess, thread: Thread, body: str, files=(), request=None
) -> Reply:
    """Reply to `thread` as a member. A closed thread refuses with
    「このスレッドは締め切られているため返信できません。」 (ValidationError code "closed").
    Audits REPLY_CREATE; notifies the thread's author and earlier repliers (GROUP_POST);
    pushes `reply.created` with the thread's UUID."""
    if not access.can_reply or thread.group_id != access.group.pk:
        raise PermissionDenied
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    thread.group = access.group
    if thread.is_closed:
        raise ValidationError(
            _("このスレッドは締め切られているため返信できません。"), code="closed"
        )
    body = (body or "").strip()
    checked = _checked_post(title=None, body=body, files=files)
    reply = Reply.objects.create(thread=thread, author=actor, body=body, search_key=fold(body))
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=F("reply_count") + 1, last_activity_at=reply.created_at
    )
    attachments = _store(thread, reply, actor, checked)
    audit_group(
        access.group,
        actor=actor,
        action=Action.REPLY_CREATE,
        request=request,
        target=reply,
        thread=str(thread.uuid),
        attachments=[str(a.uuid) for a in attachments],
    )
    notify(
        users=thread_participants(thread),
        kind=NotificationKind.GROUP_POST,
        url=_thread_url(thread),
        target_uuid=thread.uuid,
        exclude=actor,
    )
    push_to_group(access.group, "reply.created", thread)
    return reply


@transaction.atomic
def thread_set_pinned(*, actor, access: GroupAccess, thread: Thread, pinned: bool, request=None):
    """Owners pin or unpin a thread (pinned threads head the board). Audits THREAD_UPDATE."""
    return _thread_update(actor, access, thread, {"pinned": bool(pinned)}, request)


@transaction.atomic
def thread_set_closed(*, actor, access: GroupAccess, thread: Thread, closed: bool, request=None):
    """Owners (or the thread's author) close a thread — replies are refused from then on — or
    reopen it. Audits THREAD_UPDATE."""
    if not (access.can_manage or thread.author_id == actor.pk):
        raise PermissionDenied
    values = {
        "closed_at": timezone.now() if closed else None,
        "closed_by": actor if closed else None,
    }
    if bool(closed) == thread.is_closed:
        return thread
    return _thread_update(actor, access, thread, values, request, check=False)


def _thread_update(actor, access, thread, values, request, check=True):
    if check and not access.can_manage:
        raise PermissionDenied
    if thread.group_id != access.group.pk:
        raise PermissionDenied
    changed = [key for key, value in values.items() if getattr(thread, key) != value]
    if not changed:
        return thread
    for key, value in values.items():
        setattr(thread, key, value)
    thread.save(update_fields=[*values, "updated_at"])
    audit_group(
        access.group,
        actor=actor,
        action=Action.THREAD_UPDATE,
        request=request,
        target=thread,
        changed=changed,
        pinned=thread.pinned,
        closed=thread.is_closed,
    )
    push_to_group(access.group, "thread.updated", thread)
    return thread


# --- Read receipts ------------------------------------------------------------------------


def mark_read(*, user, thread: Thread, replies: Iterable[Reply] = ()) -> int:
    """Record that `user` opened `thread` and saw `replies` (already access-checked; at most
    READ_BATCH of them). Own posts are skipped. Two queries when nothing is new (the receipts
    that exist); otherwise one insert per model more, whatever the number of replies, in a
    savepoint (a concurrent reader's insert is ignored). Pushes `thread.read` once when
    anything was new. Returns how many receipts were written."""
    now = timezone.now()
    written = 0
    with transaction.atomic():
        if (
            thread.author_id != user.pk
            and not ThreadRead.objects.filter(thread=thread, user=user).exists()
        ):
            ThreadRead.objects.bulk_create(
                [ThreadRead(thread=thread, user=user, read_at=now)], ignore_conflicts=True
            )
            written += 1
        candidates = [r.pk for r in list(replies)[:READ_BATCH] if r.author_id != user.pk]
        if candidates:
            existing = set(
                ReplyRead.objects.filter(user=user, reply_id__in=candidates).values_list(
                    "reply_id", flat=True
                )
            )
            new = [pk for pk in candidates if pk not in existing]
            if new:
                ReplyRead.objects.bulk_create(
                    [ReplyRead(reply_id=pk, thread=thread, user=user, read_at=now) for pk in new],
                    ignore_conflicts=True,
                )
                written += len(new)
    if written:
        push_to_group(thread.group, "thread.read", thread)
    return written
