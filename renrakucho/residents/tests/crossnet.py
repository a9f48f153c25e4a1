"""Helpers of the cross-Network (広域連携) tests: an Agreement between Networks, written as
rows (the agreements app's services are not needed to set the scene)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from renrakucho.agreements.models import Agreement, AgreementParty
from renrakucho.residents.models import Consent, TeamRole
from renrakucho.testing.personas import add_member, make_facility, make_user


def make_agreement(*networks, proposer, allows_teams=True, status=None) -> Agreement:
    """An Agreement in force since yesterday between `networks`, every party accepted."""
    agreement = Agreement.objects.create(
        name="上伊那広域連携協定",
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
        allows_teams=allows_teams,
        proposed_by=proposer,
    )
    for network in networks:
        AgreementParty.objects.create(
            agreement=agreement,
            network=network,
            status=status or AgreementParty.Status.ACCEPTED,
            invited_by=proposer,
        )
    return agreement


def end_agreement(agreement: Agreement, by) -> None:
    Agreement.objects.filter(pk=agreement.pk).update(ended_at=timezone.now(), ended_by=by)


def leave_agreement(agreement: Agreement, network) -> None:
    AgreementParty.objects.filter(agreement=agreement, network=network).update(
        status=AgreementParty.Status.LEFT, left_at=timezone.now()
    )


def allow_cross_network(personas, allowed=True) -> None:
    Consent.objects.filter(pk=personas.consent.pk).update(scope_cross_network=allowed)


def cross_team(personas):
    """A–B Agreement in force, R's consent covering cross-Network sharing, B's nurse on R's
    team. Returns the Agreement."""
    agreement = make_agreement(personas.net_a, personas.net_b, proposer=personas.operator_a)
    allow_cross_network(personas)
    add_member(personas.resident, personas.nurse_b, TeamRole.VISITING_NURSE)
    return agreement


def make_nurse_c(personas):
    """A visiting nurse of Network C (not in any Agreement with A)."""
    nursing_c = make_facility(personas.net_c, "みのわ訪問看護", "visiting_nursing")
    return make_user("p-nurse-c", "箕輪 看護", "ミノワ カンゴ", "nurse", nursing_c)
