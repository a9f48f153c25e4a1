"""Who may reach an Agreement.

An Agreement is seen by the active operators (not suspended) of the Networks named in it,
whatever their party's status (an invited Network must read what it is asked to accept; one
that declined or left keeps it in its history), and by superusers (the prefecture-level
overview). Anyone else gets Http404, for the pages and for the API alike: a stranger cannot
tell an Agreement exists. What the reader may do is decided per party (`AgreementAccess`);
a write the reader may not do on an Agreement they see is PermissionDenied (403).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from renrakucho.networks.models import Municipality, Network

from .models import Agreement, AgreementParty

Status = AgreementParty.Status


def parse_uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404


def operator_network_ids(user) -> set[int]:
    """The Networks `user` operates now, or Http404 (the pages do not exist for others).
    One query."""
    if not user.is_authenticated:
        raise Http404
    operated = user.operated_network_ids()
    if not operated:
        raise Http404
    return operated


def parties_prefetch(*, areas: bool = False) -> Prefetch:
    """Parties with their Networks (and, with `areas`, the Networks' municipalities and
    二次医療圏): one query each."""
    parties = AgreementParty.objects.select_related("network").order_by("id")
    if areas:
        parties = parties.prefetch_related(
            Prefetch(
                "network__municipalities",
                queryset=Municipality.objects.select_related("medical_area").order_by("code"),
            )
        )
    return Prefetch("parties", queryset=parties)


@dataclass
class AgreementAccess:
    agreement: Agreement
    operated: set[int]
    today: object = field(default_factory=timezone.localdate)

    @property
    def parties(self) -> list[AgreementParty]:
        return list(self.agreement.parties.all())

    @property
    def mine(self) -> list[AgreementParty]:
        return [p for p in self.parties if p.network_id in self.operated]

    @property
    def is_open(self) -> bool:
        return not self.agreement.is_over(self.today)

    def _mine_with(self, status) -> list[AgreementParty]:
        return [p for p in self.mine if p.status == status] if self.is_open else []

    @property
    def to_answer(self) -> list[AgreementParty]:
        """My Networks' parties invited and not answered (accept / decline buttons)."""
        return self._mine_with(Status.INVITED)

    @property
    def taking_part(self) -> list[AgreementParty]:
        """My Networks' accepted parties (leave buttons; end and invite for any)."""
        return self._mine_with(Status.ACCEPTED)

    @property
    def can_end(self) -> bool:
        return bool(self.taking_part)

    can_invite = can_end

    def my_party(self, status, network_uuid=None) -> AgreementParty:
        """The reader's party in `status` (of the Network `network_uuid` when given, needed
        only when the reader operates several such parties), or PermissionDenied."""
        candidates = [p for p in self.mine if p.status == status]
        if network_uuid:
            wanted = parse_uuid(network_uuid)
            candidates = [p for p in candidates if p.network.uuid == wanted]
        if not candidates:
            raise PermissionDenied
        return candidates[0]

    def invitable_networks(self) -> list[Network]:
        """Active Networks not invited to or taking part in the Agreement. One query."""
        busy = [p.network_id for p in self.parties if p.status in (Status.INVITED, Status.ACCEPTED)]
        return list(
            Network.objects.filter(is_active=True)
            .exclude(id__in=busy)
            .prefetch_related("municipalities")
            .order_by("name")
        )


def access_agreement(user, agreement_uuid, *, areas: bool = False) -> AgreementAccess:
    """The Agreement as `user` may see it (parties and Networks loaded; with `areas`, their
    municipalities and 二次医療圏), or Http404. Three queries (four with `areas`)."""
    if not user.is_authenticated:
        raise Http404
    wanted = parse_uuid(agreement_uuid)
    operated = user.operated_network_ids()
    agreements = Agreement.objects.filter(uuid=wanted)
    if not user.is_superuser:
        if not operated:
            raise Http404
        agreements = agreements.filter(
            id__in=AgreementParty.objects.filter(network_id__in=operated).values("agreement_id")
        )
    agreement = agreements.prefetch_related(parties_prefetch(areas=areas)).first()
    if agreement is None:
        raise Http404
    return AgreementAccess(agreement=agreement, operated=operated)
