"""Which Networks are partners today: only accepted parties of an Agreement in force that
allows the purpose asked."""

import datetime

import pytest
from django.utils import timezone

from renrakucho.agreements.models import Agreement, AgreementParty, Allows
from renrakucho.agreements.selectors import partner_network_ids

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def agreement(personas, *networks, status="accepted", **fields):
    made = Agreement.objects.create(
        name="上伊那広域連携協定",
        starts_on=fields.pop("starts_on", TODAY - DAY),
        proposed_by=personas.operator_a,
        **fields,
    )
    for network in networks:
        AgreementParty.objects.create(
            agreement=made, network=network, status=status, invited_by=personas.operator_a
        )
    return made


def test_accepted_parties_of_an_agreement_in_force_are_partners(personas):
    agreement(personas, personas.net_a, personas.net_b)
    assert partner_network_ids([personas.net_a.pk], allows=Allows.TEAMS) == {personas.net_b.pk}
    assert partner_network_ids([personas.net_b.pk], allows=Allows.TEAMS) == {personas.net_a.pk}
    assert partner_network_ids([personas.net_c.pk], allows=Allows.TEAMS) == set()
    # Groups were not allowed by this one.
    assert partner_network_ids([personas.net_a.pk], allows=Allows.GROUPS) == set()


@pytest.mark.parametrize(
    "fields",
    [
        {"starts_on": TODAY + DAY},  # not yet
        {"ends_on": TODAY - DAY},  # over
        {"ended_at": timezone.now()},  # ended early
    ],
)
def test_an_agreement_not_in_force_makes_no_partners(personas, fields):
    agreement(personas, personas.net_a, personas.net_b, **fields)
    assert partner_network_ids([personas.net_a.pk], allows=Allows.TEAMS) == set()


@pytest.mark.parametrize("status", ["invited", "declined", "left"])
def test_a_party_that_has_not_accepted_or_left_is_no_partner(personas, status):
    made = agreement(personas, personas.net_a)
    AgreementParty.objects.create(
        agreement=made, network=personas.net_b, status=status, invited_by=personas.operator_a
    )
    assert partner_network_ids([personas.net_a.pk], allows=Allows.TEAMS) == set()
    assert partner_network_ids([personas.net_b.pk], allows=Allows.TEAMS) == set()


def test_one_query(personas, django_assert_num_queries):
    agreement(personas, personas.net_a, personas.net_b, personas.net_c)
    with django_assert_num_queries(1):
        partner_network_ids([personas.net_a.pk], allows=Allows.TEAMS)
    with django_assert_num_queries(0):
        assert partner_network_ids([], allows=Allows.TEAMS) == set()
