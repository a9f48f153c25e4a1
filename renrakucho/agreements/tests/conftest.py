import datetime

import pytest
from django.utils import timezone

from renrakucho.networks.models import OperatorRole
from renrakucho.testing.personas import make_facility, make_user

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def operator_b(personas):
    """An operator of Network B (the personas have none)."""
    hall = make_facility(personas.net_b, "南箕輪村 健康福祉課", "municipal_department")
    user = make_user("p-operator-b", "運営 南", "ウンエイ ミナミ", "municipal_officer", hall)
    OperatorRole.objects.create(network=personas.net_b, user=user)
    return user


@pytest.fixture
def propose(personas):
    """propose(*partners, actor=operator_a, network=net_a, **fields) -> Agreement."""
    from renrakucho.agreements.services import agreement_propose

    def make(*partners, actor=None, network=None, **fields):
        fields.setdefault("name", "上伊那広域連携協定")
        fields.setdefault("starts_on", TODAY - DAY)
        return agreement_propose(
            actor=actor or personas.operator_a,
            network=network or personas.net_a,
            partner_networks=list(partners or [personas.net_b]),
            **fields,
        )

    return make


@pytest.fixture
def in_force(personas, propose, operator_b):
    """A → B Agreement accepted by B (teams and groups allowed)."""
    from renrakucho.agreements.services import party_accept

    agreement = propose(allows_groups=True)
    party_accept(actor=operator_b, party=agreement.parties.get(network=personas.net_b))
    return agreement
