"""Reads for the operator console. Every function takes the operated Network ids resolved by
`console.access.operated_networks`, and never reads outside them."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from renrakucho.accounts.models import User
from renrakucho.core.text import fold
from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.networks.models import OperatorRole, Suspension
from renrakucho.residents.access import residents_visible_to

PAGE_SIZE = 50


@dataclass
class Page:
    items: list
    next_cursor: str | None


def console_counts(user, network_ids: Collection[int]) -> dict[str, int]:
    """Figures for the console's front page; five queries whatever the Network's size."""
    residents = (
        residents_visible_to(user)
        .filter(network_id__in=network_ids)
        .aggregate(
            residents=Count("id", distinct=True),
            teams=Count("id", distinct=True, filter=Q(team_members__status="active")),
        )
    )
    return {
        "pending_facilities": Facility.objects.filter(
            network_id__in=network_ids, status=Facility.Status.PENDING
        ).count(),
        "pending_staff": Affiliation.objects.filter(
            facility__network_id__in=network_ids,
            facility__status=Facility.Status.APPROVED,
            status=Affiliation.Status.PENDING,
        ).count(),
        "users": User.objects.filter(
            Exists(
                Affiliation.objects.filter(
                    user=OuterRef("pk"),
                    facility__network_id__in=network_ids,
                    facility__status=Facility.Status.APPROVED,
                    status=Affiliation.Status.ACTIVE,
                )
            )
        ).count(),
        "residents": residents["residents"],
        "teams": residents["teams"],
    }


def _admins_prefetch() -> Prefetch:
    return Prefetch(
        "affiliations",
        queryset=Affiliation.objects.filter(is_admin=True)
        .select_related("user")
        .prefetch_related("user__occupations"),
        to_attr="admin_affiliations",
    )


def pending_facilities(network_ids: Collection[int]) -> list[Facility]:
    """Facilities waiting for approval, oldest first, with their applicant admins (3 queries)."""
    return list(
        Facility.objects.filter(network_id__in=network_ids, status=Facility.Status.PENDING)
        .select_related("network")
        .prefetch_related(_admins_prefetch())
        .order_by("created_at", "id")
    )


def network_facilities(
    network_ids: Collection[int],
    *,
    facility_type: str = "",
    status: str = "",
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """All facilities of the Networks, newest first, keyset-paginated by the UUID of the last
    row shown (one query, plus one to resolve the cursor)."""
    facilities = Facility.objects.filter(network_id__in=network_ids)
    if facility_type:
        facilities = facilities.filter(facility_type=facility_type)
    if status:
        facilities = facilities.filter(status=status)
    cursor_id = _cursor(Facility.objects.filter(network_id__in=network_ids), after, "id")
    if cursor_id is not None:
        facilities = facilities.filter(id__lt=cursor_id["id"])
    rows = list(
        facilities.select_related("network")
        .annotate(
            active_count=Count("affiliations", filter=Q(affiliations__status="active")),
        )
        .order_by("-id")[: limit + 1]
    )
    return _page(rows, limit)


def facility_in(network_ids: Collection[int], facility_uuid) -> Facility:
    """One facility of the operated Networks, with its admins, or Http404."""
    facility = (
        Facility.objects.filter(network_id__in=network_ids, uuid=_as_uuid(facility_uuid))
        .select_related("network", "decided_by")
        .prefetch_related(_admins_prefetch())
        .annotate(
            active_count=Count("affiliations", filter=Q(affiliations__status="active")),
        )
        .first()
    )
    if facility is None:
        raise Http404
    return facility


def _users_in(network_ids: Collection[int]) -> QuerySet[User]:
    """Users with any affiliation in the Networks, or an operator role there."""
    return User.objects.filter(
        Exists(
            Affiliation.objects.filter(user=OuterRef("pk"), facility__network_id__in=network_ids)
        )
        | Exists(OperatorRole.objects.filter(user=OuterRef("pk"), network_id__in=network_ids))
    )


def _user_prefetches(network_ids: Collection[int]) -> list[Prefetch | str]:
    return [
        "occupations",
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.filter(facility__network_id__in=network_ids)
            .select_related("facility__network")
            .order_by("status", "-created_at"),
            to_attr="network_affiliations",
        ),
        Prefetch(
            "suspensions",
            queryset=Suspension.objects.filter(network_id__in=network_ids, lifted_at__isnull=True)
            .select_related("network")
            .order_by("network__name"),
            to_attr="active_suspensions",
        ),
    ]


def network_users(
    network_ids: Collection[int], *, q: str = "", after: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    """Users of the Networks in kana order, searched through `search_key` (width- and
    kana-insensitive), keyset-paginated by the UUID of the last row shown.

    Four queries (users, occupations, affiliations with facilities, suspensions in force),
    plus one to resolve the cursor.
    """
    users = _users_in(network_ids)
    if q and (key := fold(q)):
        users = users.filter(search_key__contains=key)
    cursor = _cursor(_users_in(network_ids), after, "name_kana", "id")
    if cursor is not None:
        users = users.filter(
            Q(name_kana__gt=cursor["name_kana"])
            | Q(name_kana=cursor["name_kana"], id__gt=cursor["id"])
        )
    rows = list(
        users.prefetch_related(*_user_prefetches(network_ids)).order_by("name_kana", "id")[
            : limit + 1
        ]
    )
    return _page(rows, limit)


def network_user(network_ids: Collection[int], user_uuid) -> User:
    """One user of the operated Networks with affiliations and suspensions there, or Http404."""
    user = (
        _users_in(network_ids)
        .filter(uuid=_as_uuid(user_uuid))
        .prefetch_related(
            *_user_prefetches(network_ids),
            Prefetch(
                "suspensions",
                queryset=Suspension.objects.filter(network_id__in=network_ids)
                .select_related("network", "suspended_by", "lifted_by")
                .order_by("-created_at"),
                to_attr="suspension_history",
            ),
        )
        .first()
    )
    if user is None:
        raise Http404
    return user


def _as_uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404


def _cursor(scope: QuerySet, after: str | None, *fields: str) -> dict | None:
    if not after:
        return None
    try:
        wanted = uuid.UUID(str(after))
    except ValueError:
        return None
    return scope.filter(uuid=wanted).values(*fields).first()


def _page(rows: list, limit: int) -> Page:
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=str(rows[-1].uuid) if more and rows else None)
