"""Reads of groups and their membership for the pages and the API, access already resolved
(groups.access): members, my groups (with their boards' unread counts), invitations,
groups I may join. The board's reads are in board_selectors.py. Every list is a fixed
number of queries whatever its size."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.networks.models import OperatorRole, Suspension

from .access import GroupAccess, partner_networks, reachable, uuid_or_none
from .board_selectors import unread_annotations
from .models import Group, GroupMembership, Policy, Reply, Thread

Status = GroupMembership.Status


# --- Members ------------------------------------------------------------------------------


def _may_act_in(group: Group) -> Q:
    """Users who may act in `group` now (see groups.access): acting in its Network (an
    active affiliation with an approved facility there or an operator role, and no
    suspension there), or — the group open to partners — affiliated with a partner Network
    of an Agreement in force allowing groups and not suspended there. Subqueries on users."""
    user = OuterRef("pk")

    def affiliated(**where):
        not_suspended = ~Exists(
            Suspension.objects.filter(
                user_id=OuterRef("user_id"),
                network_id=OuterRef("facility__network_id"),
                lifted_at__isnull=True,
            )
        )
        return Exists(
            Affiliation.objects.filter(
                not_suspended,
                user=user,
                status=Affiliation.Status.ACTIVE,
                facility__status=Facility.Status.APPROVED,
                **where,
            )
        )

    suspended_here = Exists(
        Suspension.objects.filter(user=user, network_id=group.network_id, lifted_at__isnull=True)
    )
    operating = Exists(
        OperatorRole.objects.filter(user=user, is_active=True, network_id=group.network_id)
    )
    acts = (affiliated(facility__network_id=group.network_id) | operating) & ~suspended_here
    if group.open_to_partners:
        acts |= affiliated(facility__network_id__in=partner_networks([group.network_id]))
    return Q(acts)


def member_users(group: Group):
    """Active members (users still active) who may act in the group now — an external member
    no longer counts once the Agreement ends (no notification reaches them) — as a queryset
    of users. Stable contract."""
    return (
        get_user_model()
        .objects.filter(
            group_memberships__group=group,
            group_memberships__status=Status.ACTIVE,
            is_active=True,
        )
        .filter(_may_act_in(group))
    )


def member_user_ids(group: Group) -> list[int]:
    """Ids of the active members of `group`. Stable contract (meetings invites a group's
    members with it). One query."""
    return list(member_users(group).order_by("pk").values_list("pk", flat=True))


def thread_participants(thread: Thread):
    """The thread's author and everyone who replied, while still active members."""
    repliers = Reply.objects.filter(thread=thread).values("author_id")
    return member_users(thread.group).filter(Q(pk=thread.author_id) | Q(pk__in=repliers))


def _network_marks(group: Group) -> dict:
    """Annotations of a membership row: `local` (the person acts in the group's Network:
    an active affiliation with an approved facility there, or an operator role),
    `home_network` (the name of another Network they are affiliated with, for external
    members: 外部（…）) and `partner_now` (affiliated with a partner Network of an Agreement in
    force allowing groups, the group being open to partners: an external membership that
    counts today). Subqueries: no query added."""
    user = OuterRef("user_id")
    active = Affiliation.objects.filter(
        user=user, status=Affiliation.Status.ACTIVE, facility__status=Facility.Status.APPROVED
    )
    operating = OperatorRole.objects.filter(user=user, is_active=True, network_id=group.network_id)
    marks = {
        "local": Exists(active.filter(facility__network_id=group.network_id)) | Exists(operating),
        "home_network": Subquery(
            active.exclude(facility__network_id=group.network_id)
            .order_by("facility__network__name")
            .values("facility__network__name")[:1]
        ),
    }
    if group.open_to_partners:
        marks["partner_now"] = Exists(
            active.filter(facility__network_id__in=partner_networks([group.network_id]))
        )
    else:
        marks["partner_now"] = Value(False)
    return marks


def memberships(access: GroupAccess, *, include_pending: bool = False) -> list[GroupMembership]:
    """Active members, owners first, with users and occupations (two queries); owners also
    see open requests and invitations (`include_pending`). Each row is marked with the
    person's Network when it is not the group's (see _network_marks)."""
    statuses = [Status.ACTIVE]
    if include_pending and access.can_manage:
        statuses += [Status.REQUESTED, Status.INVITED]
    return list(
        GroupMembership.objects.filter(group=access.group, status__in=statuses)
        .annotate(**_network_marks(access.group))
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


def acting_network_ids(user, network_ids=None) -> set[int]:
    """`network_ids` when given — the caller resolved them from `user.active_network_ids()`
    (a page computes them once and narrows them with its Network switch) — else the user's
    active Networks (one query)."""
    return user.active_network_ids() if network_ids is None else set(network_ids)


def my_groups(user, *, prefetch_occupations: bool = False, network_ids=None) -> list[Group]:
    """Groups where `user` is an active member through a Network they act in (narrowed to
    `network_ids`, a Network switch, when given) — its own groups, and partners' groups open
    to them through an Agreement in force (広域連携) — by name, with `unread` (threads +
    replies unread, "99+" above board_selectors.UNREAD_CAP), `member_count`, `my_role` and
    `my_membership` (its UUID). Two queries (the user's Networks, the groups), one more with
    `prefetch_occupations`, whatever the number of Networks."""
    mine = GroupMembership.objects.filter(group=OuterRef("pk"), user_id=user.pk, status="active")
    groups = Group.objects.filter(reachable(acting_network_ids(user, network_ids)))
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


def pending_invitations(
    user, *, prefetch_occupations=False, network_ids=None
) -> list[GroupMembership]:
    """Open invitations addressed to `user` to groups they reach (see my_groups). One query
    (plus the Networks; plus one with `prefetch_occupations`)."""
    rows = (
        GroupMembership.objects.filter(
            reachable(acting_network_ids(user, network_ids), prefix="group__"),
            user=user,
            status=Status.INVITED,
        )
        .select_related("group", "group__network", "invited_by")
        .order_by("-created_at")
    )
    if prefetch_occupations:
        rows = rows.prefetch_related("group__allowed_occupations")
    return list(rows)


def discoverable_groups(user, *, network_ids=None) -> list[Group]:
    """Open and by-request groups the user reaches (their Networks' — narrowed to
    `network_ids` when given — and partners' groups open to them, see my_groups) that they
    are not in and may join (occupation; facility type in the group's Network, or in one of
    their own for a partner's group), with `requested` when they asked already. A fixed
    number of queries whatever the number of Networks: Networks, the user's occupations,
    facility types, the groups with their allowed occupations (prefetch)."""
    network_ids = acting_network_ids(user, network_ids)
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
    own_types = set().union(*(types_by_network.get(n, set()) for n in network_ids))
    candidates = (
        Group.objects.filter(reachable(network_ids), policy__in=[Policy.OPEN, Policy.REQUEST])
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
        held = (
            types_by_network.get(group.network_id, set())
            if group.network_id in network_ids
            else own_types
        )
        if types and not (types & held):
            continue
        result.append(group)
    return result
