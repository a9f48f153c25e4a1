"""The home operator's console shows that a user is on care teams in other Networks
(広域連携): counts and Network names only, never the residents."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renrakucho.networks.models import OperatorRole
from renrakucho.residents.models import TeamRole
from renrakucho.residents.tests.crossnet import cross_team
from renrakucho.testing.personas import (
    add_consent,
    add_member,
    make_facility,
    make_resident,
    make_user,
)


@pytest.fixture
def operator_b(personas):
    hall_b = make_facility(personas.net_b, "南箕輪村 福祉課", "municipal_department")
    user = make_user("p-operator-b", "運営 南", "ウンエイ ミナミ", "municipal_officer", hall_b)
    OperatorRole.objects.create(network=personas.net_b, user=user)
    return user


def test_home_operator_sees_teams_elsewhere_without_residents(personas, client_for, operator_b):
    cross_team(personas)
    url = reverse("console:user", kwargs={"user_uuid": personas.nurse_b.uuid})
    html = client_for(operator_b).get(url).content.decode()
    assert "他のネットワークの支援チーム" in html
    assert "伊那市電子連絡帳: 1チームに参加" in html
    assert personas.resident.name not in html and personas.resident.name_kana not in html


def test_nothing_shown_without_teams_elsewhere(personas, client_for):
    url = reverse("console:user", kwargs={"user_uuid": personas.nurse.uuid})
    html = client_for(personas.operator_a).get(url).content.decode()
    assert "他のネットワークの支援チーム" not in html


def test_teams_elsewhere_cost_one_query_whatever_the_number(personas, client_for, operator_b):
    cross_team(personas)
    client = client_for(operator_b)
    url = reverse("console:user", kwargs={"user_uuid": personas.nurse_b.uuid})
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(5):
        resident = make_resident(personas.net_a, personas.caremanager, name=f"試験 {i}")
        add_consent(resident, personas.caremanager, cross_network=True)
        add_member(resident, personas.nurse_b, TeamRole.OTHER)
    with CaptureQueriesContext(connection) as six:
        html = client.get(url).content.decode()
    assert "伊那市電子連絡帳: 6チームに参加" in html
    assert len(six.captured_queries) == len(one.captured_queries)
