"""Reads for the notice screens. Each function states what it costs in queries; the page
tests pin those numbers at two data sizes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from renrakucho.accounts.models import Occupation, User
from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.networks.models import Network, OperatorRole, Suspension

from .models import Notice, NoticeAttachment, NoticeRecipient

PAGE_SIZE = 30
PENDING_LIMIT = 100


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    is_first: bool


# --- Segments (who a notice goes to) ------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A notice's audience; empty = everyone registered in the Network (see models.Notice)."""

    occupations: tuple[Occupation, ...] = ()
    facility_types: tuple[str, ...] = ()
    facilities: tuple[Facility, ...] = ()

    @property
    def is_everyone(self) -> bool:
        return not (self.occupations or self.facility_types or self.facilities)


def segment_affiliations(network: Network, segment: Segment) -> QuerySet[Affiliation]:
    """The affiliations through which `segment` reaches people: active, with an approved
    facility of `network`, of an active user not suspended in `network`, matching the
    segment. Lazy; each person may appear once per matching facility."""
    suspended = Suspension.objects.filter(
        network=network, user=OuterRef("user"), lifted_at__isnull=True
    )
    queryset = Affiliation.objects.filter(
        status=Affiliation.Status.ACTIVE,
        facility__status=Facility.Status.APPROVED,
        facility__network=network,
        user__is_active=True,
    ).exclude(Exists(suspended))
    facility_rule = Q()
    if segment.facility_types:
        facility_rule |= Q(facility__facility_type__in=list(segment.facility_types))
    if segment.facilities:
        facility_rule |= Q(facility__in=[f.pk for f in segment.facilities])
    if facility_rule:
        queryset = queryset.filter(facility_rule)
    if segment.occupations:
        holds = User.occupations.through.objects.filter(
            user_id=OuterRef("user_id"), occupation_id__in=[o.pk for o in segment.occupations]
        )
        queryset = queryset.filter(Exists(holds))
    return queryset


def segment_recipients(network: Network, segment: Segment) -> list[tuple[User, int]]:
    """Each person `segment` reaches once, with the facility (id) they are reached through
    (the first matching one by name). Users come with only `id` and `uuid` loaded. Two
    queries, whatever the number of people."""
    matching = segment_affiliations(network, segment)
    users = list(
        User.objects.filter(Exists(matching.filter(user=OuterRef("pk"))))
        .only("id", "uuid")
        .order_by("id")
    )
    facility_of: dict[int, int] = {}
    for user_id, facility_id in matching.order_by(
        "user_id", "facility__name", "facility_id"
    ).values_list("user_id", "facility_id"):
        facility_of.setdefault(user_id, facility_id)
    return [(user, facility_of[user.pk]) for user in users if user.pk in facility_of]


def segment_choices(networks: list[Network]) -> tuple[QuerySet[Occupation], QuerySet[Facility]]:
    """Occupations and the approved facilities of `networks`, for the segment pickers."""
    facilities = (
        Facility.objects.filter(network__in=networks, status=Facility.Status.APPROVED)
        .select_related("network")
        .order_by("network__name", "facility_type", "name_kana", "name")
    )
    return Occupation.objects.order_by("sort_order", "code"), facilities


# --- A recipient's inbox ----------------------------------------------------------------------


def acting_in_network(user, network_field: str = "notice__network") -> Q:
    """Rows whose Network (`network_field`, an expression from the row) is one `user` acts in
    now — an active affiliation with an approved facility there, or an active operator role,
    and no suspension in force: the same rule as User.active_network_ids(), as subqueries so
    it adds no query (the navigation badge runs on every page). A suspension by one Network's
    operator hides that Network's notices only."""
    network = OuterRef(network_field)
    affiliated = Affiliation.objects.filter(
        user=user,
        status=Affiliation.Status.ACTIVE,
        facility__status=Facility.Status.APPROVED,
        facility__network=network,
    )
    operating = OperatorRole.objects.filter(user=user, is_active=True, network=network)
    suspended = Suspension.objects.filter(user=user, lifted_at__isnull=True, network=network)
    return (Q(Exists(affiliated)) | Q(Exists(operating))) & ~Q(Exists(suspended))


def my_networks(user) -> list[Network]:
    """The Networks `user` acts in now, by name (the inbox's Network switch). One query."""
    return list(Network.objects.filter(acting_in_network(user, "pk")).order_by("name", "id"))


def network_by_slug(networks: list[Network], slug: str | None) -> Network | None:
    """The Network of `networks` with `slug` (the switch's `?network=`), else None (all)."""
    return next((n for n in networks if slug and n.slug == slug), None)


def inbox_rows(user, network: Network | None = None) -> QuerySet[NoticeRecipient]:
    """`user`'s inbox rows of the Networks they act in now (of `network` alone when given)."""
    rows = NoticeRecipient.objects.filter(user=user).filter(acting_in_network(user))
    if network is not None:
        rows = rows.filter(notice__network=network)
    return rows


def unread_count(user) -> int:
    """Unread notices of `user` in the Networks they act in (the navigation badge). One
    query."""
    return inbox_rows(user).filter(read_at__isnull=True).count()


def _pending(prefix: str = "") -> Q:
    """Rows still waiting for their person: unread, or 確認必須 and not confirmed."""
    return Q(**{f"{prefix}read_at__isnull": True}) | Q(
        **{
            f"{prefix}notice__confirmation_required": True,
            f"{prefix}confirmed_at__isnull": True,
        }
    )


@dataclass
class Inbox:
    pending: list[NoticeRecipient] = field(default_factory=list)
    more_pending: bool = False
    done: Page | None = None


def inbox(
    user, *, before: str | None = None, size: int = PAGE_SIZE, network: Network | None = None
) -> Inbox:
    """`user`'s notices of every Network they act in now (of `network` alone when given; a
    Network that suspended them, or that they left, is not shown): those waiting for them
    first (unread, or 確認必須 and not yet confirmed; newest first, the PENDING_LIMIT
    newest), then the rest as keyset pages by arrival, continuing before the notice with
    UUID `before`. Two queries (one on later pages), whatever the number of Networks."""
    rows = inbox_rows(user, network).select_related("notice", "notice__network")
    result = Inbox()
    if not before:
        pending = list(rows.filter(_pending()).order_by("-id")[: PENDING_LIMIT + 1])
        result.more_pending = len(pending) > PENDING_LIMIT
        result.pending = pending[:PENDING_LIMIT]
    done = rows.exclude(_pending())
    if before:
        cursor = NoticeRecipient.objects.filter(user=user, notice__uuid=_uuid_or_none(before))
        done = done.filter(id__lt=Subquery(cursor.values("id")[:1]))
    items = list(done.order_by("-id")[: size + 1])
    more = len(items) > size
    items = items[:size]
    result.done = Page(
        items=items, next_cursor=str(items[-1].notice.uuid) if more else None, is_first=not before
    )
    return result


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def attachments_of(notice: Notice) -> list[NoticeAttachment]:
    """One query."""
    return list(notice.attachments.order_by("id"))


def attachment_of(notice: Notice, attachment_uuid) -> NoticeAttachment | None:
    parsed = _uuid_or_none(attachment_uuid)
    return notice.attachments.filter(uuid=parsed).first() if parsed else None


# --- The operator's console ---------------------------------------------------------------------


def managed_notices(
    networks: list[Network], *, before: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """Notices of `networks`, newest first, each with `n_recipients`, `n_read` and
    `n_confirmed`; keyset pages before the notice with UUID `before`. One query."""
    queryset = (
        Notice.objects.filter(network__in=[n.id for n in networks])
        .select_related("network", "published_by")
        .annotate(
            n_recipients=Count("recipients"),
            n_read=Count("recipients", filter=Q(recipients__read_at__isnull=False)),
            n_confirmed=Count("recipients", filter=Q(recipients__confirmed_at__isnull=False)),
        )
    )
    parsed = _uuid_or_none(before) if before else None
    if parsed is not None:
        cursor = Notice.objects.filter(uuid=parsed, network__in=[n.id for n in networks])
        queryset = queryset.filter(id__lt=Subquery(cursor.values("id")[:1]))
    items = list(queryset.order_by("-id")[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(
        items=items, next_cursor=str(items[-1].uuid) if more else None, is_first=parsed is None
    )


@dataclass
class FacilityRow:
    facility_name: str
    facility_kana: str
    recipients: int
    read: int
    confirmed: int


def tracking_by_facility(notice: Notice) -> list[FacilityRow]:
    """Per facility the notice reached through: recipients, read, confirmed. One query."""
    rows = (
        NoticeRecipient.objects.filter(notice=notice)
        .values("facility_id", "facility__name", "facility__name_kana")
        .annotate(
            recipients=Count("id"),
            read=Count("id", filter=Q(read_at__isnull=False)),
            confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
        )
        .order_by("facility__name_kana", "facility__name", "facility_id")
    )
    return [
        FacilityRow(
            facility_name=row["facility__name"] or "",
            facility_kana=row["facility__name_kana"] or "",
            recipients=row["recipients"],
            read=row["read"],
            confirmed=row["confirmed"],
        )
        for row in rows
    ]


def pending_recipients(
    notice: Notice, *, after: str | None = None, size: int = PAGE_SIZE * 2
) -> Page:
    """People the notice still waits for (unread; for 確認必須 also read but unconfirmed),
    in the order they were sent, with user, facility and occupations; keyset pages after the person
    with user UUID `after`. Two queries."""
    rows = (
        NoticeRecipient.objects.filter(notice=notice)
        .filter(_pending())
        .select_related("user", "facility", "notice")
        .prefetch_related("user__occupations")
        .order_by("id")
    )
    parsed = _uuid_or_none(after) if after else None
    if parsed is not None:
        cursor = NoticeRecipient.objects.filter(notice=notice, user__uuid=parsed)
        rows = rows.filter(id__gt=Subquery(cursor.values("id")[:1]))
    items = list(rows[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(
        items=items, next_cursor=str(items[-1].user.uuid) if more else None, is_first=not parsed
    )
