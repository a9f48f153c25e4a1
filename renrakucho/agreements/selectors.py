"""Reads of Agreements that access decisions depend on.

`partner_network_ids` is what residents.access (cross-Network care teams) and groups
(cross-Network groups) ask: which other Networks are, today, in force in an Agreement with one
of these Networks, for this purpose. One query.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

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


def partner_network_ids(
    network_ids: Iterable[int], *, allows: Allows, today: datetime.date | None = None
) -> set[int]:
    """Networks other than `network_ids` that share an Agreement in force allowing `allows`
    with one of them, both sides having accepted. One query (none for no Networks)."""
    network_ids = set(network_ids)
    if not network_ids:
        return set()
    accepted = AgreementParty.objects.filter(status=AgreementParty.Status.ACCEPTED)
    mine = accepted.filter(network_id__in=network_ids).values("agreement_id")
    partners = accepted.filter(
        agreement__in=agreements_in_force(allows=allows, today=today),
        agreement_id__in=mine,
    ).values_list("network_id", flat=True)
    return set(partners) - network_ids
