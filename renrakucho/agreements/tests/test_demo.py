"""The demo Agreement: 伊那市 and 南箕輪村 are partners for teams and groups; 箕輪町 is invited."""

import pytest
from django.core.management import call_command

from renrakucho.agreements.models import Agreement, Allows
from renrakucho.agreements.selectors import partner_network_ids
from renrakucho.networks.models import Network

pytestmark = pytest.mark.django_db


def test_demo_agreement(client_for):
    call_command("seed_demo", verbosity=0)
    networks = {n.slug: n for n in Network.objects.all()}
    agreement = Agreement.objects.get()
    assert agreement.name == "定住自立圏にもとづく在宅医療・介護連携推進事業の広域連携協定"
    assert dict(agreement.parties.values_list("network__slug", "status")) == {
        "ina": "accepted",
        "minamiminowa": "accepted",
        "minowa": "invited",
    }
    for allows in (Allows.TEAMS, Allows.GROUPS):
        assert partner_network_ids([networks["ina"].pk], allows=allows) == {
            networks["minamiminowa"].pk
        }
    assert partner_network_ids([networks["ina"].pk], allows=Allows.EVACUEES) == set()
    assert networks["minowa"].municipalities.get().code == "203840"
    from renrakucho.accounts.models import User

    page = client_for(User.objects.get(username="demo-operator")).get("/agreements/")
    assert agreement.name in page.content.decode()
