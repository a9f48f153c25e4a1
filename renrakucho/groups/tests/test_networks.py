"""One login across Networks: the groups list spans every Network the user acts in (each
group labelled with its Network) with a switch (?network=<slug>); its query count is the
same for 1 and 20 Networks; a suspension by one Network hides that Network's groups only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from renrakucho.facilities.models import Affiliation, FacilityType
from renrakucho.groups import board
from renrakucho.groups.models import Group, GroupMembership
from renrakucho.networks.models import Suspension
from renrakucho.testing.personas import make_facility, make_network, make_user

from .crossnet import make_agreement
from .test_queries import OUTSIDE_THE_VIEW

pytestmark = pytest.mark.django_db


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode(), len(context.captured_queries)


def _groups_of(network, owner, member, i):
    """In `network`: a group `member` is in (with an unread thread), one to discover, and a
    group open to partners."""
    mine = Group.objects.create(network=network, name=f"連絡会{i}", created_by=owner)
    other = Group.objects.create(
        network=network, name=f"勉強会{i}", policy="open", created_by=owner
    )
    shared = Group.objects.create(
        network=network, name=f"広域会{i}", policy="open", created_by=owner, open_to_partners=True
    )
    for group in (mine, other, shared):
        GroupMembership.objects.create(
            group=group, user=owner, role="owner", status="active", joined_at=timezone.now()
        )
    if member != owner:
        GroupMembership.objects.create(
            group=mine, user=member, status="active", joined_at=timezone.now()
        )
    board.thread_create(actor=owner, group=mine, title="t", body="b")


def _join_networks(personas, user, n, *, start=0, prefix=""):
    """`user` (of Network A) also registered in n more Networks, each with its groups."""
    for i in range(start, start + n):
        network = make_network(f"29{i:04d}", f"町{i}", f"town-{i}")
        facility = make_facility(network, f"町{i}訪問看護", FacilityType.VISITING_NURSING)
        Affiliation.objects.create(user=user, facility=facility, status=Affiliation.Status.ACTIVE)
        owner = make_user(f"owner-{prefix}{i}", f"所長 {i}", "ショチョウ", "nurse", facility)
        _groups_of(network, owner, user, f"{prefix}{i}")


@pytest.mark.parametrize("extra", [0, 19])
def test_group_list_same_queries_for_1_and_20_networks(personas, client_for, extra):
    # Networks of the user (1), their names for the switch (1), my groups (1), invitations
    # (1), discoverable: occupations (1), facility types (1), groups (1) with their allowed
    # occupations (1). An Agreement with B makes B's groups open to partners discoverable.
    user = personas.nurse
    _groups_of(personas.net_a, personas.caremanager, user, "A")
    _groups_of(personas.net_b, personas.nurse_b, personas.nurse_b, "B")
    make_agreement(personas.net_a, personas.net_b, proposer=personas.operator_a)
    _join_networks(personas, user, extra)
    client = client_for(user)
    page, n = _count(client, reverse("groups:list"))
    assert page.count("未読 1") == extra + 1
    assert "広域会B" in page and "勉強会B" not in page
    assert n <= 8 + OUTSIDE_THE_VIEW, n
    if extra:
        assert "?network=town-0" in page and "すべてのネットワーク" in page
        narrowed, m = _count(client, reverse("groups:list"), {"network": "town-3"})
        assert "連絡会3" in narrowed and "連絡会A" not in narrowed and "連絡会4" not in narrowed
        assert m == n
    else:
        assert "すべてのネットワーク" not in page


def test_query_count_does_not_grow_with_networks(personas, client_for):
    user = personas.nurse
    client = client_for(user)
    _join_networks(personas, user, 1)
    _, small = _count(client, reverse("groups:list"))
    _join_networks(personas, user, 19, start=1)
    page, large = _count(client, reverse("groups:list"))
    assert page.count("未読 1") == 20
    assert small == large


def test_suspension_in_one_network_hides_its_groups_only(personas, client_for):
    user = personas.nurse
    _groups_of(personas.net_a, personas.caremanager, user, "A")
    nursing_b2 = make_facility(personas.net_b, "みなみ訪問看護2", FacilityType.VISITING_NURSING)
    Affiliation.objects.create(user=user, facility=nursing_b2, status=Affiliation.Status.ACTIVE)
    _groups_of(personas.net_b, personas.nurse_b, user, "B")
    group_b = Group.objects.get(name="連絡会B")
    client = client_for(user)
    page = client.get(reverse("groups:list")).content.decode()
    assert "連絡会A" in page and "連絡会B" in page
    assert client.get(reverse("groups:group", args=[group_b.uuid])).status_code == 200
    Suspension.objects.create(
        network=personas.net_b, user=user, reason="確認のため", suspended_by=personas.nurse_b
    )
    page = client.get(reverse("groups:list")).content.decode()
    assert "連絡会A" in page and "連絡会B" not in page
    assert client.get(reverse("groups:group", args=[group_b.uuid])).status_code == 404
    group_a = Group.objects.get(name="連絡会A")
    assert client.get(reverse("groups:group", args=[group_a.uuid])).status_code == 200
