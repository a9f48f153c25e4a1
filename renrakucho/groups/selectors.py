"""Reads of groups and boards for the pages and the API, access already resolved
(groups.access). Every list is a fixed number of queries whatever its size: boards are keyset
pages (pinned first, then latest activity), replies keyset pages by id, unread counts capped
subqueries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from renrakucho.core.text import fold

from .access import GroupAccess
from .models import (
    BoardAttachment,
    Group,
    GroupMembership,
    Policy,
    Reply,
    ReplyRead,
    Thread,
    ThreadRead,
)

BOARD_PAGE = 20
REPLY_PAGE = 100
SEARCH_LIMIT = 50
UNREAD_CAP = 99
Status = GroupMembership.Status


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# --- Members ------------------------------------------------------------------------------


def member_users(group: Group):
    """Active members (users still active) as a queryset of users. Stable contract."""
    return get_user_model().objects.filter(
        group_memberships__group=group,
        group_memberships__status=Status.ACTIVE,
        is_active=True,
    )


def member_user_ids(group: Group) -> list[int]:
    """Ids of the active members of `group`. Stable contract (meetings invites a group's
    members with it). One query."""
    return list(member_users(group).order_by("pk").values_list("pk", flat=True))


def thread_participants(thread: Thread):
    """The thread's author and everyone who replied, while still active members."""
    repliers = Reply.objects.filter(thread=thread).values("author_id")
    return member_users(thread.group).filter(Q(pk=thread.author_id) | Q(pk__in=repliers))


def memberships(access: GroupAccess, *, include_pending: bool = False) -> list[GroupMembership]:
    """Active members, owners first, with users and occupations (two queries); owners also
    see open requests and invitations (`include_pending`)."""
    statuses = [Status.ACTIVE]
    if include_pending and access.can_manage:
        statuses += [Status.REQUESTED, Status.INVITED]
    return list(
        GroupMembership.objects.filter(group=access.group, status__in=statuses)
        .select_related("user")
        .prefetch_related("user__occupations")
        .order_by("status", "-role", "user__name_kana", "id")
    )


def membership_in(access: GroupAccess, membership_uuid) -> GroupMembership | None:
    value = _uuid(membership_uuid)
    if value is None:
        return None
    return (
        GroupMembership.objects.filter(group=access.group, uuid=value)
        .select_related("user")
        .first()
    )


# --- Group lists --------------------------------------------------------------------------


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


def _member_count():
    return Subquery(
        GroupMembership.objects.filter(group=OuterRef("pk"), status="active")
        .order_by()
        .values("group")
        .annotate(n=Count("id"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def my_groups(user, *, prefetch_occupations: bool = False) -> list[Group]:
    """Groups where `user` is an active member in a Network they act in, by name, with
    `unread` (threads + replies unread, "99+" above UNREAD_CAP), `member_count`, `my_role`
    and `my_membership` (its UUID). Two queries (the user's Networks, the groups), one more
    with `prefetch_occupations`."""
    mine = GroupMembership.objects.filter(group=OuterRef("pk"), user_id=user.pk, status="active")
    groups = Group.objects.filter(network_id__in=user.active_network_ids())
    groups = (
        groups.filter(Exists(mine))
        .annotate(
            **unread_annotations(user),
            member_count=Coalesce(_member_count(), 0),
            my_role=Subquery(mine.values("role")[:1]),
            my_membership=Subquery(mine.values("uuid")[:1]),
        )
        .select_related("network")
        .order_by("name", "id")
    )
    if prefetch_occupations:
        groups = groups.prefetch_related("allowed_occupations")
    groups = list(groups)
    for group in groups:
        group.unread = group.unread_threads + group.unread_replies
    return groups


def member_count(group: Group) -> int:
    return GroupMembership.objects.filter(group=group, status=Status.ACTIVE).count()


def group_unread(group: Group, user) -> int:
    """Unread threads + replies of `group` for `user` (each capped). One query."""
    row = Group.objects.filter(pk=group.pk).annotate(**unread_annotations(user)).first()
    return (row.unread_threads + row.unread_replies) if row else 0


def unread_total(user) -> int:
    """The sum of my groups' unread counts for the menu badge (capped). Two queries."""
    return sum(group.unread for group in my_groups(user))


def pending_invitations(user, *, prefetch_occupations=False) -> list[GroupMembership]:
    """Open invitations addressed to `user` in Networks they act in. One query (plus the
    Networks; plus one with `prefetch_occupations`)."""
    rows = (
        GroupMembership.objects.filter(
            user=user,
            status=Status.INVITED,
            group__network_id__in=user.active_network_ids(),
        )
        .select_related("group", "group__network", "invited_by")
        .order_by("-created_at")
    )
    if prefetch_occupations:
        rows = rows.prefetch_related("group__allowed_occupations")
    return list(rows)


def discoverable_groups(user) -> list[Group]:
    """Open and by-request groups of the user's Networks they are not in and may join
    (occupation and facility type), with `requested` when they asked already. A fixed number
    of queries: Networks, the user's occupations, facility types, the groups with their
    allowed occupations (prefetch)."""
    network_ids = user.active_network_ids()
    occupation_ids = set(user.occupations.values_list("pk", flat=True))
    types_by_network: dict[int, set[str]] = {}
    for network_id, facility_type in user.affiliations.filter(
        status="active", facility__status="approved"
    ).values_list("facility__network_id", "facility__facility_type"):
        types_by_network.setdefault(network_id, set()).add(facility_type)
    member = GroupMembership.objects.filter(group=OuterRef("pk"), user_id=user.pk, status="active")
    requested = GroupMembership.objects.filter(
        group=OuterRef("pk"), user_id=user.pk, status="requested"
    )
    candidates = (
        Group.objects.filter(network_id__in=network_ids, policy__in=[Policy.OPEN, Policy.REQUEST])
        .exclude(Exists(member))
        .annotate(
            requested=Exists(requested),
            requested_uuid=Subquery(requested.values("uuid")[:1]),
            member_count=Coalesce(_member_count(), 0),
        )
        .select_related("network")
        .prefetch_related("allowed_occupations")
        .order_by("name", "id")
    )
    result = []
    for group in candidates:
        allowed = {o.pk for o in group.allowed_occupations.all()}
        if allowed and not (allowed & occupation_ids):
            continue
        types = set(group.allowed_facility_types or [])
        if types and not (types & types_by_network.get(group.network_id, set())):
            continue
        result.append(group)
    return result


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
    value = _uuid(after) if after else None
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
    value = _uuid(after) if after else None
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
