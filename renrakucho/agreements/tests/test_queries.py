"""Query counts of the lists (ARCHITECTURE.md rule 8): the operator's list, the overview and
the propose form's Network list cost the same with 2 or 12 Agreements / Networks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renrakucho.accounts.models import User
from renrakucho.agreements.services import party_accept
from renrakucho.networks.models import MedicalArea, Municipality, Network

pytestmark = pytest.mark.django_db


def count(client, url, **params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context.captured_queries)


def grow(personas, propose, operator_b, n):
    """n Agreements of A with B (accepted) and a new Network each (invited, own
    municipality and 二次医療圏)."""
    area = MedicalArea.objects.get_or_create(prefecture="20", name="上伊那")[0]
    start = Network.objects.count()
    for i in range(n):
        municipality = Municipality.objects.create(
            code=f"2{start + i:04d}0", name=f"町{i}", medical_area=area
        )
        network = Network.objects.create(
            name=f"ネットワーク{start + i}", slug=f"net-{start + i}", operator_organisation="x"
        )
        network.municipalities.add(municipality)
        agreement = propose(personas.net_b, network, name=f"協定{start + i}")
        party_accept(actor=operator_b, party=agreement.parties.get(network=personas.net_b))


def test_list_overview_and_propose_are_constant(personas, client_for, propose, operator_b):
    superuser = User.objects.create_superuser("p-admin", "x", name="管理 者")
    operator = client_for(personas.operator_a)
    admin = client_for(superuser)
    urls = [
        (operator, reverse("agreements:list"), {}),
        (operator, reverse("agreements:propose"), {}),
        (admin, reverse("agreements:overview"), {}),
        (admin, reverse("agreements:overview"), {"prefecture": "20"}),
    ]
    grow(personas, propose, operator_b, 2)
    small = [count(c, u, **p) for c, u, p in urls]
    grow(personas, propose, operator_b, 10)
    large = [count(c, u, **p) for c, u, p in urls]
    assert small == large, (small, large)
    # list: network links (1), agreements (1), parties with Networks (1);
    # propose: links (1), my Networks (1), Networks (1), municipalities (1);
    # overview: agreements (1), parties (1), municipalities with 二次医療圏 (1), and the
    # prefecture's Networks as a subquery. Plus what every signed-in page runs.
    assert large[0] <= 3 + 12
    assert large[2] <= 3 + 12
