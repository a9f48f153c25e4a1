"""Reads for the facility admin's screens. Callers pass facilities already resolved through
`facilities.access`, so every query here is scoped to what the user may manage."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from .access import facilities_administered_by
from .models import Affiliation, Facility, StaffInvitation


def my_facilities(user) -> QuerySet[Facility]:
    """Facilities `user` administers, with counts of active and pending staff (one query)."""
    return (
        facilities_administered_by(user)
        .select_related("network")
        .annotate(
            active_count=Count("affiliations", filter=Q(affiliations__status="active")),
            pending_count=Count("affiliations", filter=Q(affiliations__status="pending")),
        )
        .order_by("network__name", "name_kana", "name")
    )


def my_applications(user) -> QuerySet[Facility]:
    """Facilities `user` applied for as admin that are still waiting or were rejected."""
    if not user.is_authenticated:
        return Facility.objects.none()
    return (
        Facility.objects.filter(
            affiliations__user=user,
            affiliations__is_admin=True,
            status__in=[Facility.Status.PENDING, Facility.Status.REJECTED],
        )
        .select_related("network")
        .distinct()
        .order_by("-created_at")
    )


@dataclass
class StaffLists:
    active: list[Affiliation] = field(default_factory=list)
    pending: list[Affiliation] = field(default_factory=list)
    ended: list[Affiliation] = field(default_factory=list)


# Ended and rejected rows are history; the page shows the most recent ones.
HISTORY_LIMIT = 100


def facility_staff(facility: Facility) -> StaffLists:
    """The facility's staff split by state, each with user and occupations loaded.

    Three queries: open affiliations (+users), history (+users), occupations of both.
    """
    occupations = Prefetch("user__occupations")
    base = Affiliation.objects.filter(facility=facility).select_related("user")
    open_rows = list(
        base.filter(status__in=[Affiliation.Status.ACTIVE, Affiliation.Status.PENDING]).order_by(
            "-is_admin", "user__name_kana", "user__username"
        )
    )
    history = list(
        base.filter(status__in=[Affiliation.Status.ENDED, Affiliation.Status.REJECTED]).order_by(
            "-updated_at"
        )[:HISTORY_LIMIT]
    )
    prefetch_related_objects(open_rows + history, occupations)
    lists = StaffLists(ended=history)
    for row in open_rows:
        (lists.active if row.status == Affiliation.Status.ACTIVE else lists.pending).append(row)
    return lists


def open_invitations(facility: Facility) -> list[StaffInvitation]:
    """Unused, unrevoked, unexpired invitation links of the facility."""
    return list(
        StaffInvitation.objects.filter(
            facility=facility,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).select_related("created_by")
    )
