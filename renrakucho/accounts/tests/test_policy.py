"""accounts.middleware: the one-query two_factor_required must agree with
User.active_network_ids(), the rule it mirrors."""

import pytest
from django.utils import timezone

from renrakucho.accounts.middleware import two_factor_required
from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.networks.models import Network, OperatorRole, Suspension

pytestmark = pytest.mark.django_db


def _by_rule(user) -> bool:
    return Network.objects.filter(
        id__in=user.active_network_ids(), two_factor_required=True
    ).exists()


def _require(network):
    network.two_factor_required = True
    network.save(update_fields=["two_factor_required"])


def _check(user, expected):
    assert _by_rule(user) is expected
    assert two_factor_required(user) is expected


def test_member_of_a_two_factor_network(personas):
    _require(personas.net_a)
    _check(personas.nurse, True)
    _check(personas.nurse_b, False)
    _check(personas.operator_a, True)


def test_ended_or_pending_affiliation_does_not_count(personas):
    _require(personas.net_b)
    Affiliation.objects.filter(user=personas.nurse_b).update(status=Affiliation.Status.ENDED)
    _check(personas.nurse_b, False)
    Affiliation.objects.create(
        user=personas.nurse, facility=personas.nursing_b, status=Affiliation.Status.PENDING
    )
    _check(personas.nurse, False)


def test_unapproved_facility_does_not_count(personas):
    _require(personas.net_b)
    Facility.objects.filter(pk=personas.nursing_b.pk).update(status=Facility.Status.PENDING)
    _check(personas.nurse_b, False)


def test_operator_role_counts_unless_inactive(personas):
    _require(personas.net_b)
    role = OperatorRole.objects.create(network=personas.net_b, user=personas.nurse)
    _check(personas.nurse, True)
    role.is_active = False
    role.save(update_fields=["is_active"])
    _check(personas.nurse, False)


def test_suspension_in_force_removes_the_network(personas):
    _require(personas.net_b)
    Affiliation.objects.create(
        user=personas.nurse, facility=personas.nursing_b, status=Affiliation.Status.ACTIVE
    )
    _check(personas.nurse, True)
    suspension = Suspension.objects.create(
        network=personas.net_b, user=personas.nurse, reason="確認", suspended_by=personas.operator_a
    )
    _check(personas.nurse, False)
    suspension.lifted_at = timezone.now()
    suspension.lifted_by = personas.operator_a
    suspension.save(update_fields=["lifted_at", "lifted_by"])
    _check(personas.nurse, True)


def test_another_users_suspension_does_not_matter(personas):
    _require(personas.net_a)
    Suspension.objects.create(
        network=personas.net_a,
        user=personas.doctor,
        reason="確認",
        suspended_by=personas.operator_a,
    )
    _check(personas.nurse, True)
    _check(personas.doctor, False)


def test_one_query(personas, django_assert_num_queries):
    with django_assert_num_queries(1):
        two_factor_required(personas.nurse)


def test_static_and_api_paths_skip_the_policy(personas, client_for):
    _require(personas.net_a)
    client = client_for(personas.nurse)
    response = client.get("/healthz")
    assert response.status_code == 200
