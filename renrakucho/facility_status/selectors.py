"""Reads for the operating-status screens and API. Callers pass a Network or facility already
resolved through `facility_status.access`. Each function states its queries; the page and
API tests pin them at two sizes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from renrakucho.facilities.models import Affiliation, Facility, FacilityType
from renrakucho.networks.models import Network, Suspension

from .models import STALE_AFTER, SUPPLIES, FacilityStatus, StatusKind, StatusRequest, SupplyLevel

HISTORY_PAGE = 30
# The board's status filter also offers the facilities that never reported.
NO_STATUS = "none"


@dataclass(frozen=True)
class BoardFilters:
    facility_type: str = ""
    status: str = ""
    shortage: bool = False

    @classmethod
    def from_query(cls, data) -> BoardFilters:
        """Filters from a query string; unknown values are ignored (the board shows all)."""
        facility_type = data.get("type", "") or data.get("facility_type", "")
        status = data.get("status", "")
        return cls(
            facility_type=facility_type if facility_type in FacilityType.values else "",
            status=status if status in [*StatusKind.values, NO_STATUS] else "",
            shortage=str(data.get("shortage", "")).lower() in {"1", "true", "on"},
        )

    @property
    def active(self) -> bool:
        return bool(self.facility_type or self.status or self.shortage)


def _shortage_q(prefix: str) -> Q:
    levels = [SupplyLevel.LOW, SupplyLevel.SHORT]
    q = Q()
    for name, _label in SUPPLIES:
        q |= Q(**{f"{prefix}{name}__in": levels})
    return q


def board(network: Network, filters: BoardFilters | None = None) -> list[Facility]:
    """The approved facilities of `network` by type and name, each with `current_status`
    and its `entry` joined (no `current_status` attribute lookup hits the database; a
    facility that never reported raises nothing: use `current_entry(facility)`). One query,
    whatever the number of facilities and the length of their histories.

    Not paginated: a Network has at most some hundreds of facilities, and the board is read
    as one list (the query count stays one either way)."""
    filters = filters or BoardFilters()
    queryset = Facility.objects.filter(network=network, status=Facility.Status.APPROVED)
    if filters.facility_type:
        queryset = queryset.filter(facility_type=filters.facility_type)
    if filters.status == NO_STATUS:
        queryset = queryset.filter(current_status__isnull=True)
    elif filters.status:
        queryset = queryset.filter(current_status__entry__status=filters.status)
    if filters.shortage:
        queryset = queryset.filter(_shortage_q("current_status__entry__"))
    return list(
        queryset.select_related("current_status__entry__updated_by").order_by(
            "facility_type", "name_kana", "name", "id"
        )
    )


def current_entry(facility: Facility) -> FacilityStatus | None:
    """The facility's latest status, from the joined pointer (no query when `board` or
    `facility_with_current` loaded it)."""
    try:
        return facility.current_status.entry
    except Facility.current_status.RelatedObjectDoesNotExist:
        return None


def status_counts(network: Network) -> dict[str, int]:
    """How many approved facilities of `network` are in each status (key NO_STATUS for those
    that never reported). One query."""
    rows = (
        Facility.objects.filter(network=network, status=Facility.Status.APPROVED)
        .values("current_status__entry__status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {value: 0 for value in [*StatusKind.values, NO_STATUS]}
    for row in rows:
        counts[row["current_status__entry__status"] or NO_STATUS] += row["n"]
    return counts


def staff_facilities(user, network: Network) -> list[Facility]:
    """Approved facilities of `network` where `user` is on the active staff (the ones they
    may update), each with its current status joined. One query."""
    return list(
        Facility.objects.filter(network=network, status=Facility.Status.APPROVED)
        .filter(
            Exists(
                Affiliation.objects.filter(
                    facility=OuterRef("pk"), user=user, status=Affiliation.Status.ACTIVE
                )
            )
        )
        .select_related("current_status__entry")
        .order_by("name_kana", "name")
    )


@dataclass
class Page:
    items: list[FacilityStatus] = field(default_factory=list)
    next_cursor: str | None = None
    is_first: bool = True


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def history(facility: Facility, *, before: str | None = None, size: int = HISTORY_PAGE) -> Page:
    """The facility's reports, newest first, with who reported; keyset pages before the
    report with UUID `before`. One query."""
    rows = FacilityStatus.objects.filter(facility=facility).select_related("updated_by")
    parsed = _uuid_or_none(before) if before else None
    if parsed is not None:
        cursor = FacilityStatus.objects.filter(facility=facility, uuid=parsed)
        rows = rows.filter(id__lt=Subquery(cursor.values("id")[:1]))
    items = list(rows.order_by("-id")[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(
        items=items, next_cursor=str(items[-1].uuid) if more else None, is_first=parsed is None
    )


# --- The operator's requests ----------------------------------------------------------------


def not_updated_since(network: Network, moment) -> QuerySet[Facility]:
    """Approved facilities of `network` whose latest report is older than `moment` (or that
    never reported). Lazy."""
    return Facility.objects.filter(network=network, status=Facility.Status.APPROVED).filter(
        Q(current_status__isnull=True) | Q(current_status__entry__created_at__lt=moment)
    )


@dataclass
class RequestProgress:
    request: StatusRequest
    facilities: int
    updated: int

    @property
    def pending(self) -> int:
        return self.facilities - self.updated


def latest_request(network: Network) -> RequestProgress | None:
    """The newest request to `network`'s facilities with how many have updated since. Two
    queries (the request, one count)."""
    found = (
        StatusRequest.objects.filter(network=network)
        .select_related("requested_by", "notice")
        .order_by("-requested_at", "-id")
        .first()
    )
    if found is None:
        return None
    counts = Facility.objects.filter(network=network, status=Facility.Status.APPROVED).aggregate(
        total=Count("id"),
        updated=Count("id", filter=Q(current_status__entry__created_at__gte=found.requested_at)),
    )
    return RequestProgress(request=found, facilities=counts["total"], updated=counts["updated"])


def request_recipients(facilities: QuerySet[Facility]) -> list:
    """The people asked to update `facilities`: each facility's active admins, or its whole
    active staff when it has no admin; active accounts only, not suspended in the facility's
    Network. Users come with `id` and `uuid`. One query."""
    suspended = Suspension.objects.filter(
        network=OuterRef("facility__network"), user=OuterRef("user"), lifted_at__isnull=True
    )
    rows = (
        Affiliation.objects.filter(
            facility__in=facilities, status=Affiliation.Status.ACTIVE, user__is_active=True
        )
        .exclude(Exists(suspended))
        .select_related("user")
        .only("facility_id", "is_admin", "user__id", "user__uuid")
        .order_by("facility_id", "id")
    )
    by_facility: dict[int, list] = {}
    for row in rows:
        by_facility.setdefault(row.facility_id, []).append(row)
    users = []
    for affiliations in by_facility.values():
        admins = [a.user for a in affiliations if a.is_admin]
        users += admins or [a.user for a in affiliations]
    return users


def is_stale(entry: FacilityStatus | None) -> bool:
    return entry is None or timezone.now() - entry.created_at > STALE_AFTER
