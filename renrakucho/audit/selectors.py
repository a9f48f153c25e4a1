"""Reads of the audit log (アクセスログ) for operators: the console page and the API.

Callers pass the Network ids the reader operates (resolved by their access layer); nothing
outside them is returned. Reading the log is itself audited by the caller (Action.AUDIT_VIEW).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from renrakucho.facilities.models import Affiliation
from renrakucho.networks.models import OperatorRole

from .models import AuditEvent

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor_username: str = ""
    resident_uuid: uuid.UUID | None = None
    date_from: datetime.date | None = None  # local dates, both inclusive
    date_to: datetime.date | None = None

    def as_detail(self) -> dict:
        """The filters as JSON-safe values, for the AUDIT_VIEW row's detail."""
        return {
            key: str(value)
            for key, value in (
                ("action", self.action),
                ("actor", self.actor_username),
                ("resident", self.resident_uuid),
                ("from", self.date_from),
                ("to", self.date_to),
            )
            if value
        }


@dataclass
class AuditPage:
    events: list[AuditEvent]
    next_before: int | None  # pass as `before` for the next (older) page


def _start_of_local_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _network_scope(network_ids: Collection[int]) -> Q:
    # Events written with the Network (resident reads, approvals, …) plus Network-less
    # events (login, logout, tokens) of the Networks' own users.
    members = Exists(
        Affiliation.objects.filter(user=OuterRef("actor_id"), facility__network_id__in=network_ids)
    ) | Exists(OperatorRole.objects.filter(user=OuterRef("actor_id"), network_id__in=network_ids))
    return Q(network_id__in=network_ids) | (Q(network__isnull=True) & members)


def audit_events_in(network_ids: Collection[int], filters: AuditFilters | None = None) -> QuerySet:
    """The Networks' events matching `filters`, newest first, with the actor loaded."""
    filters = filters or AuditFilters()
    events = AuditEvent.objects.filter(_network_scope(network_ids))
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor_username:
        events = events.filter(actor_username__iexact=filters.actor_username)
    if filters.resident_uuid:
        events = events.filter(resident_uuid=filters.resident_uuid)
    if filters.date_from:
        events = events.filter(at__gte=_start_of_local_day(filters.date_from))
    if filters.date_to:
        events = events.filter(
            at__lt=_start_of_local_day(filters.date_to + datetime.timedelta(days=1))
        )
    return events.select_related("actor").order_by("-id")


def network_audit_events(
    network_ids: Collection[int],
    filters: AuditFilters | None = None,
    *,
    before: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> AuditPage:
    """One keyset page (`id < before`, newest first) of the Networks' audit events.

    One query whatever the log's size. Each event gets `target_label`, the Japanese name of
    the target's model (no extra query).
    """
    limit = max(1, min(limit, MAX_LIMIT))
    events = audit_events_in(network_ids, filters)
    if before is not None:
        events = events.filter(id__lt=before)
    rows = list(events[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    for event in rows:
        event.target_label = target_label(event.target_type)
    return AuditPage(events=rows, next_before=rows[-1].id if more and rows else None)


def target_label(target_type: str) -> str:
    """'residents.resident' → '支援対象者' (the model's verbose name); '' when unknown."""
    if not target_type:
        return ""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type
