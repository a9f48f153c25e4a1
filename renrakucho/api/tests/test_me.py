"""GET /me."""

import pytest

from renrakucho.accounts.models import Occupation
from renrakucho.facilities.models import Affiliation, FacilityType
from renrakucho.networks.models import Suspension
from renrakucho.testing.personas import make_facility

pytestmark = pytest.mark.django_db


def test_me_describes_the_professional(personas, api_for):
    response = api_for(personas.nurse).get("/me")
    assert response.status_code == 200
    network = {"id": str(personas.net_a.uuid), "slug": "ina", "name": "伊那市電子連絡帳"}
    assert response.json() == {
        "id": str(personas.nurse.uuid),
        "username": "p-nurse",
        "name": "看護 花子",
        "name_kana": "カンゴ ハナコ",
        "occupations": [{"code": "nurse", "name": "看護師"}],
        "facilities": [
            {
                "id": str(personas.nursing_a.uuid),
                "name": "いーな訪問看護ステーション",
                "type": "visiting_nursing",
                "type_label": "訪問看護ステーション",
                "network": network,
            }
        ],
        "networks": [network],
        "operator_of": [],
    }


def test_me_lists_operated_networks(personas, api_for):
    body = api_for(personas.operator_a).get("/me").json()
    assert [n["slug"] for n in body["operator_of"]] == ["ina"]


def test_me_leaves_out_suspended_networks(personas, api_for):
    Affiliation.objects.create(
        user=personas.nurse, facility=personas.nursing_b, status=Affiliation.Status.ACTIVE
    )
    Suspension.objects.create(
        network=personas.net_b, user=personas.nurse, reason="確認中", suspended_by=personas.nurse_b
    )
    body = api_for(personas.nurse).get("/me").json()
    assert [n["slug"] for n in body["networks"]] == ["ina"]
    assert [f["name"] for f in body["facilities"]] == ["いーな訪問看護ステーション"]


def test_me_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.nurse).post("/me").status_code == 405
    assert api_for(None).get("/me").status_code == 401


@pytest.mark.parametrize("extra", [0, 8])
def test_me_query_count(personas, api_for, django_assert_max_num_queries, extra):
    user = personas.nurse
    user.occupations.add(*Occupation.objects.exclude(code="nurse")[:extra])
    for i in range(extra):
        facility = make_facility(personas.net_a, f"事業所{i}", FacilityType.HOME_HELP)
        Affiliation.objects.create(user=user, facility=facility, status=Affiliation.Status.ACTIVE)
    api = api_for(user)
    # auth 6; the user's Networks 3; affiliations (+facility, network) 1; Networks 1;
    # operator roles 1; occupations 1.
    with django_assert_max_num_queries(13):
        body = api.get("/me").json()
    assert len(body["facilities"]) == extra + 1
    assert len(body["occupations"]) == extra + 1
