"""'My residents' across Networks costs the same number of queries for residents in 1 or in
20 Networks (the user's Networks and the partner Networks are subqueries, not a query each)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.residents.models import TeamRole
from renrakucho.testing.personas import add_consent, add_member, make_network, make_resident

from .crossnet import make_agreement


def resident_in_a_new_network(personas, i):
    """A resident of a new Network in an Agreement of its own with B, consenting to
    cross-Network sharing, with B's nurse on the team."""
    network = make_network(f"29{i:04d}", f"試験村{i}", f"test-{i}")
    make_agreement(personas.net_b, network, proposer=personas.operator_a)
    resident = make_resident(
        network, personas.operator_a, name=f"試験 {i:03d}", kana=f"シケン {i:03d}"
    )
    add_consent(resident, personas.operator_a, cross_network=True)
    add_member(resident, personas.nurse_b, TeamRole.VISITING_NURSE)


@pytest.mark.parametrize("url_name", ["home:dashboard", "residents:list"])
def test_my_residents_query_count_is_the_same_for_1_and_20_networks(
    personas, client_for, count_queries, url_name
):
    client = client_for(personas.nurse_b)
    url = reverse(url_name)
    resident_in_a_new_network(personas, 0)
    response, one = count_queries(client, url)
    assert response.status_code == 200
    assert response.content.decode().count("他のネットワーク") == 1
    for i in range(1, 20):  # 20 Networks in all, 20 Agreements
        resident_in_a_new_network(personas, i)
    response, twenty = count_queries(client, url)
    assert response.status_code == 200
    assert response.content.decode().count("他のネットワーク") == 20
    assert twenty == one


def test_local_residents_are_not_marked(personas, client_for):
    page = client_for(personas.nurse).get(reverse("home:dashboard")).content.decode()
    assert "山田 花子" in page and "他のネットワーク" not in page
