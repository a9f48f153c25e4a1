import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from renrakucho.residents.access import Permission, access_resident, residents_visible_to
from renrakucho.residents.models import Consent


def test_team_members_reach_the_resident(personas):
    for user in personas.team:
        access = access_resident(user, personas.resident.uuid)
        assert access.resident == personas.resident
        assert access.is_member


def test_operator_of_the_network_reaches_the_resident(personas):
    access = access_resident(personas.operator_a, personas.resident.uuid)
    assert access.is_operator and not access.is_member
    assert access.can(Permission.VIEW_ACCESS_HISTORY)


@pytest.mark.parametrize("who", ["pharmacist", "nurse_b", "operator_c"])
def test_outsiders_get_404(personas, who):
    with pytest.raises(Http404):
        access_resident(getattr(personas, who), personas.resident.uuid)
    assert not residents_visible_to(getattr(personas, who)).exists()


def test_malformed_and_unknown_ids_are_404(personas):
    for bad in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"]:
        with pytest.raises(Http404):
            access_resident(personas.nurse, bad)


def test_without_consent_only_the_card(personas):
    Consent.objects.update(revoked_on=personas.consent.consented_on)
    access = access_resident(personas.nurse, personas.resident.uuid)
    assert access.can(Permission.VIEW_CARD)
    assert not access.can(Permission.VIEW_DETAILS)
    with pytest.raises(PermissionDenied):
        access_resident(personas.nurse, personas.resident.uuid, permission=Permission.VIEW_DETAILS)


def test_only_lead_and_operator_remove_members(personas):
    assert access_resident(personas.caremanager, personas.resident.uuid).can(
        Permission.REMOVE_MEMBER
    )
    assert access_resident(personas.operator_a, personas.resident.uuid).can(
        Permission.REMOVE_MEMBER
    )
    assert not access_resident(personas.nurse, personas.resident.uuid).can(Permission.REMOVE_MEMBER)


def test_access_is_one_query(personas, django_assert_num_queries):
    with django_assert_num_queries(1):
        access_resident(personas.nurse, personas.resident.uuid)
