"""Scene of the cross-Network group tests (広域連携): an Agreement written as rows, and a
group of Network A opened to partners through the service."""

from __future__ import annotations

import datetime

from django.utils import timezone

from renrakucho.agreements.models import Agreement, AgreementParty
from renrakucho.facilities.models import FacilityType
from renrakucho.groups import services
from renrakucho.groups.access import access_group
from renrakucho.groups.models import Policy
from renrakucho.testing.personas import make_facility, make_user


def make_agreement(*networks, proposer, allows_groups=True, allows_teams=True) -> Agreement:
    """An Agreement in force since yesterday between `networks`, every party accepted."""
    agreement = Agreement.objects.create(
        name="上伊那広域連携協定",
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
        allows_teams=allows_teams,
        allows_groups=allows_groups,
        proposed_by=proposer,
    )
    for network in networks:
        AgreementParty.objects.create(
            agreement=agreement,
            network=network,
            status=AgreementParty.Status.ACCEPTED,
            invited_by=proposer,
        )
    return agreement


def end_agreement(agreement: Agreement, by) -> None:
    Agreement.objects.filter(pk=agreement.pk).update(ended_at=timezone.now(), ended_by=by)


def nurses_group(personas, *, open_to_partners=True, policy=Policy.OPEN):
    """A's operator's open group of visiting nursing stations, opened to partner Networks."""
    group = services.group_create(
        actor=personas.operator_a,
        network=personas.net_a,
        name="上伊那訪問看護ステーション連絡会",
        policy=policy,
        facility_types=[FacilityType.VISITING_NURSING],
    )
    if open_to_partners:
        services.group_update(
            actor=personas.operator_a,
            access=access_group(personas.operator_a, group.uuid),
            name=group.name,
            description=group.description,
            policy=group.policy,
            open_to_partners=True,
        )
        group.refresh_from_db()
    return group


def cross_group(personas, *, join=True):
    """A–B Agreement allowing groups, A's nurses' group open to partners, B's nurse in it.
    Returns (agreement, group)."""
    agreement = make_agreement(personas.net_a, personas.net_b, proposer=personas.operator_a)
    group = nurses_group(personas)
    if join:
        services.group_join(
            actor=personas.nurse_b, access=access_group(personas.nurse_b, group.uuid, board=False)
        )
    return agreement, group


def make_nurse_c(personas):
    """A visiting nurse of Network C (in no Agreement with A)."""
    nursing_c = make_facility(personas.net_c, "みのわ訪問看護", FacilityType.VISITING_NURSING)
    return make_user("p-nurse-c", "箕輪 看護", "ミノワ カンゴ", "nurse", nursing_c)
