"""Reads of Agreements that access decisions depend on.

`partner_networks_of` is the one definition of "partner Networks" (which other Networks are,
today, in force in an Agreement with one of these Networks, for this purpose), as a subquery:
residents.access uses it inside its resident queries; `partner_network_ids` evaluates it (one
query) for residents' services and selectors and groups (cross-Network groups).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from renrakucho.networks.models import Municipality, Network

from .models import Agreement, AgreementParty, Allows


def agreements_in_force(
    *, allows: Allows | None = None, today: datetime.date | None = None
) -> QuerySet[Agreement]:
    """Agreements in force today (started, not past their end date, not ended early), and
    allowing `allows` when given."""
    today = today or timezone.localdate()
    agreements = Agreement.objects.filter(starts_on__lte=today, ended_at__isnull=True).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    if allows is not None:
        agreements = agreements.filter(**{allows.value: True})
    return agreements


def partner_networks_of(
    network_ids, *, allows: Allows, today: datetime.date | None = None
) -> QuerySet[AgreementParty]:
    """THE definition of "partner Networks": the Networks that share an Agreement in force
    allowing `allows` with one of `network_ids`, both sides having accepted — as a lazy
    `values("network_id")` queryset, to be used as a subquery (`network_id__in=…`).

    `network_ids` is anything `__in` accepts: ids, or a queryset of Network ids (a subquery,
    e.g. the Networks a user acts in: the whole stays one query). The result may include
    `network_ids` themselves."""
    accepted = AgreementParty.objects.filter(status=AgreementParty.Status.ACCEPTED)
    mine = accepted.filter(network_id__in=network_ids).values("agreement_id")
    return accepted.filter(
        agreement__in=agreements_in_force(allows=allows, today=today),
        agreement_id__in=mine,
    ).values("network_id")


def partner_network_ids(
    network_ids: Iterable[int], *, allows: Allows, today: datetime.date | None = None
) -> set[int]:
    """Networks other than `network_ids` that share an Agreement in force allowing `allows`
    with one of them, both sides having accepted (partner_networks_of, evaluated). One query
    (none for no Networks)."""
    network_ids = set(network_ids)
    if not network_ids:
        return set()
    partners = partner_networks_of(network_ids, allows=allows, today=today)
    return set(partners.values_list("network_id", flat=True)) - network_ids


# --- Screens and the API ------------------------------------------------------------------------


@dataclass
class AgreementRow:
    """An Agreement as listed: its parties (with Networks, and municipalities and 二次医療圏
    when asked for) and what it is today."""

    agreement: Agreement
    parties: list[AgreementParty]
    phase: str

    @property
    def accepted(self) -> list[AgreementParty]:
        return [p for p in self.parties if p.status == AgreementParty.Status.ACCEPTED]

    @property
    def medical_areas(self) -> list:
        """The distinct 二次医療圏 of the accepted parties' municipalities (needs areas)."""
        seen: dict[int, object] = {}
        for party in self.accepted:
            for municipality in party.network.municipalities.all():
                area = municipality.medical_area
                if area is not None:
                    seen.setdefault(area.pk, area)
        return sorted(seen.values(), key=lambda a: (a.prefecture, a.name))

    @property
    def spans_areas(self) -> bool:
        return len(self.medical_areas) > 1


class Phase:
    IN_FORCE = "in_force"  # started, not over, at least two accepted parties
    PENDING = "pending"  # open, but not started or still waiting for a partner
    OVER = "over"  # ended early or past its end date


def phase_of(agreement: Agreement, parties: list[AgreementParty], today) -> str:
    if agreement.is_over(today):
        return Phase.OVER
    accepted = sum(1 for p in parties if p.status == AgreementParty.Status.ACCEPTED)
    if agreement.starts_on <= today and accepted >= 2:
        return Phase.IN_FORCE
    return Phase.PENDING


def _rows(agreements, today) -> list[AgreementRow]:
    rows = []
    for agreement in agreements:
        parties = list(agreement.parties.all())
        rows.append(AgreementRow(agreement, parties, phase_of(agreement, parties, today)))
    return rows


@dataclass
class MyAgreements:
    awaiting: list[AgreementRow]  # one of my Networks is invited and has not answered
    in_force: list[AgreementRow]
    pending: list[AgreementRow]  # my Network accepted; waiting for a partner or the start
    past: list[AgreementRow]  # over, or my Network declined or left

    @property
    def all(self) -> list[AgreementRow]:
        return [*self.awaiting, *self.in_force, *self.pending, *self.past]


def agreements_of_networks(network_ids: Iterable[int] | None, *, areas: bool = False):
    """Agreements naming one of `network_ids` (all of them for None), parties prefetched."""
    from .access import parties_prefetch

    agreements = Agreement.objects.all()
    if network_ids is not None:
        agreements = agreements.filter(
            id__in=AgreementParty.objects.filter(network_id__in=network_ids).values("agreement_id")
        )
    return agreements.prefetch_related(parties_prefetch(areas=areas)).order_by(
        "-starts_on", "name", "id"
    )


Status = AgreementParty.Status


def my_agreements(operated: set[int], *, today: datetime.date | None = None) -> MyAgreements:
    """The operated Networks' Agreements sorted for the list page. Two queries."""
    today = today or timezone.localdate()
    mine = MyAgreements([], [], [], [])
    for row in _rows(agreements_of_networks(operated), today):
        my_statuses = {p.status for p in row.parties if p.network_id in operated}
        if row.phase == Phase.OVER or not my_statuses & {Status.INVITED, Status.ACCEPTED}:
            mine.past.append(row)
        elif Status.INVITED in my_statuses:
            mine.awaiting.append(row)
        elif row.phase == Phase.IN_FORCE:
            mine.in_force.append(row)
        else:
            mine.pending.append(row)
    return mine


def agreement_rows(
    network_ids: Iterable[int] | None, *, areas: bool = False, today=None
) -> list[AgreementRow]:
    """Agreements of `network_ids` (all for None) as rows; two queries (four with areas)."""
    return _rows(agreements_of_networks(network_ids, areas=areas), today or timezone.localdate())


def overview(*, prefecture: str = "", today=None) -> list[AgreementRow]:
    """Every Agreement (those naming a Network that serves a municipality of `prefecture`,
    when given) with its parties' municipalities and 二次医療圏, for the superuser's
    overview. Four queries whatever the number of Agreements and Networks."""
    network_ids = None
    if prefecture:
        network_ids = Network.objects.filter(municipalities__code__startswith=prefecture).values(
            "id"
        )
    return agreement_rows(network_ids, areas=True, today=today)


def network_choices(*, exclude: Iterable[int] = (), query: str = "") -> list[Network]:
    """Active Networks with their municipalities (no personal data), to choose partners
    from, by name. Two queries."""
    networks = Network.objects.filter(is_active=True).exclude(id__in=list(exclude))
    if query:
        networks = networks.filter(
            Q(name__icontains=query) | Q(municipalities__name__icontains=query)
        ).distinct()
    return list(
        networks.prefetch_related(
            Prefetch(
                "municipalities",
                queryset=Municipality.objects.select_related("medical_area").order_by("code"),
            )
        ).order_by("name")
    )
