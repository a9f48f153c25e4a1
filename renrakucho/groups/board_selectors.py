"""Reads of a group's board for the pages and the API, access already resolved
(groups.access): the board (keyset pages, pinned first, then latest activity), a thread with
its replies (keyset pages by id) and readers, search, and unread counts (capped subqueries,
also annotated on the group lists of selectors.py). Every list is a fixed number of queries
whatever its size."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from renrakucho.core.text import fold

from .access import GroupAccess, uuid_or_none
from .models import BoardAttachment, Reply, ReplyRead, Thread, ThreadRead

BOARD_PAGE = 20
REPLY_PAGE = 100
SEARCH_LIMIT = 50
UNREAD_CAP = 99


# --- Unread counts ------------------------------------------------------------------------


class _CappedCount(Subquery):
    """COUNT(*) over a LIMITed subquery: stops counting at the cap."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped_count)"
    output_field = IntegerField()


def unread_annotations(user) -> dict:
    """Annotations for a Group queryset: `unread_threads` and `unread_replies` — posts of
    others the user has not read, each capped at UNREAD_CAP + 1. No query of their own."""
    threads = (
        Thread.objects.filter(group=OuterRef("pk"))
        .exclude(author_id=user.pk)
        .exclude(Exists(ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=user.pk)))
        .order_by()
        .values("id")[: UNREAD_CAP + 1]
    )
    replies = (
        Reply.objects.filter(thread__group=OuterRef("pk"))
        .exclude(author_id=user.pk)
        .exclude(Exists(ReplyRead.objects.filter(reply=OuterRef("pk"), user_id=user.pk)))
        .order_by()
        .values("id")[: UNREAD_CAP + 1]
    )
    return {
        "unread_threads": Coalesce(_CappedCount(threads), 0),
        "unread_replies": Coalesce(_CappedCount(replies), 0),
    }


# --- The board ----------------------------------------------------------------------------


@dataclass
class BoardPage:
    threads: list[Thread]
    next_cursor: str | None = None
    pinned: list[Thread] = field(default_factory=list)
    is_first: bool = True


def _board_queryset(access: GroupAccess, user):
    return (
        Thread.objects.filter(group=access.group)
        .select_related("author")
        .annotate(
            read_count=Coalesce(
                Subquery(
                    ThreadRead.objects.filter(thread=OuterRef("pk"))
                    .order_by()
                    .values("thread")
                    .annotate(n=Count("id"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            is_read=Exists(ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=user.pk))
            | Q(author_id=user.pk),
            unread_replies=Coalesce(
                _CappedCount(
                    Reply.objects.filter(thread=OuterRef("pk"))
                    .exclude(author_id=user.pk)
                    .exclude(
                        Exists(ReplyRead.objects.filter(reply=OuterRef("pk"), user_id=user.pk))
                    )
                    .order_by()
                    .values("id")[: UNREAD_CAP + 1]
                ),
                Value(0),
            ),
        )
    )


def board_page(access: GroupAccess, user, *, after=None, size: int = BOARD_PAGE) -> BoardPage:
    """One page of the board: on the first page every pinned thread first, then unpinned
    threads by latest activity (keyset: `after` is the UUID of the last thread shown; an
    unknown cursor gives the first page). Each thread has its author, `read_count`,
    `is_read` and `unread_replies`. Queries: the cursor (0–1), pinned (0–1), the page (1)."""
    base = _board_queryset(access, user)
    cursor = None
    value = uuid_or_none(after) if after else None
    if value is not None:
        cursor = (
            Thread.objects.filter(group=access.group, uuid=value, pinned=False)
            .values("last_activity_at", "id")
            .first()
        )
    pinned: list[Thread] = []
    unpinned = base.filter(pinned=False)
    if cursor is None:
        pinned = list(base.filter(pinned=True).order_by("-last_activity_at", "-id"))
    else:
        unpinned = unpinned.filter(
            Q(last_activity_at__lt=cursor["last_activity_at"])
            | Q(last_activity_at=cursor["last_activity_at"], id__lt=cursor["id"])
        )
    threads = list(unpinned.order_by("-last_activity_at", "-id")[: size + 1])
    more = len(threads) > size
    threads = threads[:size]
    return BoardPage(
        threads=threads,
        pinned=pinned,
        next_cursor=str(threads[-1].uuid) if more and threads else None,
        is_first=cursor is None,
    )


def board_thread(access: GroupAccess, user, thread_id: int) -> Thread | None:
    """One thread of the board with the board's annotations (read_count, is_read,
    unread_replies). One query."""
    return _board_queryset(access, user).filter(pk=thread_id).first()


def unread_replies(thread: Thread, user, *, limit: int) -> list[Reply]:
    """The oldest `limit` replies of `thread` by others that `user` has not read. One query."""
    return list(
        Reply.objects.filter(thread=thread)
        .exclude(author_id=user.pk)
        .exclude(Exists(ReplyRead.objects.filter(reply=OuterRef("pk"), user_id=user.pk)))
        .only("id", "author_id")
        .order_by("id")[:limit]
    )


def search_threads(access: GroupAccess, user, query: str) -> list[Thread]:
    """Threads of the board whose title, body or a reply contains `query` (folded: kana,
    width and case insensitive, spaces ignored), latest activity first, at most
    SEARCH_LIMIT. One query. An empty query finds nothing."""
    key = fold(query or "")
    if not key:
        return []
    # The threads whose replies match, as one set (a hashed subplan), not a probe per thread.
    in_replies = Reply.objects.filter(thread__group=access.group, search_key__contains=key).values(
        "thread_id"
    )
    return list(
        _board_queryset(access, user)
        .filter(Q(search_key__contains=key) | Q(pk__in=in_replies))
        .order_by("-last_activity_at", "-id")[:SEARCH_LIMIT]
    )


# --- A thread -----------------------------------------------------------------------------


def _readers_prefetch(model):
    return Prefetch(
        "reads",
        queryset=model.objects.select_related("user").order_by("read_at", "id"),
        to_attr="readers",
    )


@dataclass
class ThreadPage:
    thread: Thread
    replies: list[Reply]
    next_cursor: str | None = None


def thread_page(
    access: GroupAccess,
    thread: Thread,
    *,
    after=None,
    size: int = REPLY_PAGE,
    with_thread: bool = True,
):
    """The thread with its attachments and readers, and one page of replies oldest first
    (keyset: `after` is the UUID of the last reply shown), each with author, attachments and
    readers (`readers`: receipts with users, earliest first). Queries: thread attachments (1),
    thread readers (1), the cursor (0–1), replies (1), their attachments (1), their readers
    (1)."""
    if with_thread:
        thread.thread_attachments = list(
            BoardAttachment.objects.filter(thread=thread, reply__isnull=True).order_by("id")
        )
        thread.readers = list(
            ThreadRead.objects.filter(thread=thread)
            .select_related("user")
            .order_by("read_at", "id")
        )
    replies = Reply.objects.filter(thread=thread)
    value = uuid_or_none(after) if after else None
    if value is not None:
        cursor_id = (
            Reply.objects.filter(thread=thread, uuid=value).values_list("id", flat=True).first()
        )
        if cursor_id is not None:
            replies = replies.filter(id__gt=cursor_id)
    page = list(
        replies.select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=BoardAttachment.objects.order_by("id")),
            _readers_prefetch(ReplyRead),
        )
        .order_by("id")[: size + 1]
    )
    more = len(page) > size
    page = page[:size]
    return ThreadPage(
        thread=thread, replies=page, next_cursor=str(page[-1].uuid) if more and page else None
    )
