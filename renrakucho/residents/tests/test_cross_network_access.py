"""The chokepoint across Networks (広域連携): a team membership counts only while the member
may act for the resident — in the resident's Network, or in a partner Network of an
Agreement in force allowing care teams, with the resident's cross-Network consent."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import timezone

from renrakucho.agreements.models import AgreementParty
from renrakucho.facilities.models import Affiliation
from renrakucho.networks.models import Suspension
from renrakucho.residents.access import (
    Permission,
    access_resident,
    residents_on_my_teams,
    residents_visible_to,
)
from renrakucho.residents.models import Consent, TeamRole
from renrakucho.testing.personas import add_member

from .crossnet import (
    allow_cross_network,
    cross_team,
    end_agreement,
    leave_agreement,
    make_agreement,
    make_nurse_c,
)


def reaches(user, resident) -> bool:
    try:
        access_resident(user, resident.uuid)
    except Http404:
        return False
    return residents_visible_to(user).filter(pk=resident.pk).exists()


def test_external_member_has_the_rights_of_a_local_member(personas):
    cross_team(personas)
    access = access_resident(personas.nurse_b, personas.resident.uuid)
    assert access.is_member and access.is_external and not access.is_operator
    local = access_resident(personas.nurse, personas.resident.uuid)
    assert access.permissions == local.permissions
    assert not access.can(Permission.REMOVE_MEMBER)
    assert not access.can(Permission.VIEW_ACCESS_HISTORY)
    assert not local.is_external
    assert list(residents_on_my_teams(personas.nurse_b)) == [personas.resident]


@pytest.mark.parametrize(
    "undo",
    ["end", "leave_a", "leave_b", "future_end", "no_teams", "consent", "revoke", "pending"],
)
def test_external_member_loses_access_at_once(personas, undo):
    agreement = cross_team(personas)
    assert reaches(personas.nurse_b, personas.resident)
    if undo == "end":
        end_agreement(agreement, personas.operator_a)
    elif undo == "leave_a":  # the resident's Network leaves
        leave_agreement(agreement, personas.net_a)
    elif undo == "leave_b":
        leave_agreement(agreement, personas.net_b)
    elif undo == "future_end":  # its end date has passed
        type(agreement).objects.filter(pk=agreement.pk).update(
            ends_on=timezone.localdate() - timezone.timedelta(days=1)
        )
    elif undo == "no_teams":
        type(agreement).objects.filter(pk=agreement.pk).update(allows_teams=False)
    elif undo == "consent":
        allow_cross_network(personas, False)
    elif undo == "revoke":
        Consent.objects.update(revoked_on=timezone.localdate())
    elif undo == "pending":
        AgreementParty.objects.filter(network=personas.net_b).update(
            status=AgreementParty.Status.INVITED
        )
    assert not reaches(personas.nurse_b, personas.resident)
    assert not residents_on_my_teams(personas.nurse_b).exists()
    # Local members are not affected by anything but the team-sharing consent.
    assert reaches(personas.nurse, personas.resident)


def test_access_returns_when_the_condition_returns(personas):
    agreement = cross_team(personas)
    leave_agreement(agreement, personas.net_b)
    assert not reaches(personas.nurse_b, personas.resident)
    AgreementParty.objects.filter(network=personas.net_b).update(
        status=AgreementParty.Status.ACCEPTED
    )
    assert reaches(personas.nurse_b, personas.resident)


def test_suspension_in_the_home_network_stops_external_access(personas):
    cross_team(personas)
    Suspension.objects.create(
        network=personas.net_b, user=personas.nurse_b, reason="x", suspended_by=personas.operator_a
    )
    assert not reaches(personas.nurse_b, personas.resident)


def test_a_network_not_in_the_agreement_gives_nothing(personas):
    cross_team(personas)
    nurse_c = make_nurse_c(personas)
    add_member(personas.resident, nurse_c, TeamRole.OTHER)  # a row that must not count
    assert not reaches(nurse_c, personas.resident)
    assert not reaches(personas.operator_c, personas.resident)


def test_operator_of_a_partner_network_sees_nothing(personas):
    cross_team(personas)
    from renrakucho.networks.models import OperatorRole
    from renrakucho.testing.personas import make_facility, make_user

    hall_b = make_facility(personas.net_b, "南箕輪村 福祉課", "municipal_department")
    operator_b = make_user(
        "p-operator-b", "運営 南", "ウンエイ ミナミ", "municipal_officer", hall_b
    )
    OperatorRole.objects.create(network=personas.net_b, user=operator_b)
    assert not reaches(operator_b, personas.resident)


def test_membership_of_someone_no_longer_in_the_network_stops_counting(personas):
    # Before issue 5 the membership row alone granted access; now the member must still
    # act in the resident's Network (or a partner one).
    Affiliation.objects.filter(user=personas.nurse).update(status=Affiliation.Status.ENDED)
    assert not reaches(personas.nurse, personas.resident)


def test_suspended_in_the_residents_network_but_active_in_a_partner(personas):
    # A care manager of A and B, on R's team, suspended by A: A's data is out of reach even
    # though B is a partner of A.
    cross_team(personas)
    Affiliation.objects.create(
        user=personas.caremanager, facility=personas.nursing_b, status=Affiliation.Status.ACTIVE
    )
    Suspension.objects.create(
        network=personas.net_a,
        user=personas.caremanager,
        reason="x",
        suspended_by=personas.operator_a,
    )
    assert not reaches(personas.caremanager, personas.resident)


def test_one_login_across_networks_lists_every_team(personas, more_residents):
    # A care manager serving A and B: residents of both on one list.
    Affiliation.objects.create(
        user=personas.caremanager, facility=personas.nursing_b, status=Affiliation.Status.ACTIVE
    )
    in_b = more_residents(1, member=personas.caremanager, network=personas.net_b)
    mine = set(residents_on_my_teams(personas.caremanager))
    assert mine == {personas.resident, *in_b}
    # Suspended by B: B's residents only are out of reach.
    Suspension.objects.create(
        network=personas.net_b,
        user=personas.caremanager,
        reason="x",
        suspended_by=personas.operator_a,
    )
    assert set(residents_on_my_teams(personas.caremanager)) == {personas.resident}


def test_access_stays_one_query_across_networks(personas, django_assert_num_queries):
    cross_team(personas)
    with django_assert_num_queries(1):
        access_resident(personas.nurse_b, personas.resident.uuid)


def test_agreement_with_another_network_does_not_open_a(personas):
    # B in an Agreement with C only: B's nurse on A's team does not count.
    make_agreement(personas.net_b, personas.net_c, proposer=personas.operator_c)
    allow_cross_network(personas)
    add_member(personas.resident, personas.nurse_b, TeamRole.VISITING_NURSE)
    assert not reaches(personas.nurse_b, personas.resident)
