"""Reads of groups and their membership for the pages and the API, access already resolved
(groups.access): members, my groups (with their boards' unread counts), invitations,
groups I may join. The board's reads are in board_selectors.py. Every list is a fixed
number of queries whatever its size."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .access import GroupAccess, uuid_or_none
from .board_selectors import unread_annotations
from .models import Group, GroupMembership, Policy, Reply, Thread

Status = GroupMembership.Status


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
    value = uuid_or_none(membership_uuid)
    if value is None:
        return None
    return (
        GroupMembership.objects.filter(group=access.group, uuid=value)
        .select_related("user")
        .first()
    )


# --- Group lists --------------------------------------------------------------------------


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
    `unread` (threads + replies unread, "99+" above board_selectors.UNREAD_CAP),
    `member_count`, `my_role` and `my_membership` (its UUID). Two queries (the user's
    Networks, the groups), one more with `prefetch_occupations`."""
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
