"""One login across Networks: the inbox lists the notices of every Network the user acts in,
each labelled with its Network, with a switch (?network=<slug>) when there are several; a
suspension by one Network hides that Network's notices only (page, badge, notice; the API
in api/tests/test_notices_networks.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.facilities.models import Affiliation, FacilityType
from renrakucho.networks.models import OperatorRole, Suspension
from renrakucho.notices import services
from renrakucho.notices.selectors import Segment, unread_count
from renrakucho.testing.personas import make_facility, make_network, make_user

from .conftest import SIGNED_IN_OVERHEAD

pytestmark = pytest.mark.django_db


def _publish(network, actor, title):
    return services.notice_publish(
        actor=actor, network=network, title=title, body="本文です。", segment=Segment()
    )


@pytest.fixture
def two_towns(personas):
    """A care manager registered in A (personas.caremanager) and also in B."""
    office_b = make_facility(
        personas.net_b, "みなみ居宅介護支援事業所", FacilityType.CARE_MANAGEMENT
    )
    Affiliation.objects.create(
        user=personas.caremanager, facility=office_b, status=Affiliation.Status.ACTIVE
    )
    operator_b = make_user(
        "op-b", "南箕輪 運営", "ミナミミノワ ウンエイ", "municipal_officer", personas.nursing_b
    )
    OperatorRole.objects.create(network=personas.net_b, user=operator_b, is_active=True)
    _publish(personas.net_a, personas.operator_a, "伊那市からのお知らせ")
    _publish(personas.net_b, operator_b, "南箕輪村からのお知らせ")
    return operator_b


def test_inbox_lists_every_network_labelled_with_a_switch(personas, two_towns, client_for):
    client = client_for(personas.caremanager)
    page = client.get(reverse("notices:inbox")).content.decode()
    assert "伊那市からのお知らせ" in page and "南箕輪村からのお知らせ" in page
    assert "伊那市電子連絡帳" in page and "南箕輪村電子連絡帳" in page
    assert "?network=minamiminowa" in page and "すべてのネットワーク" in page
    only_b = client.get(reverse("notices:inbox"), {"network": "minamiminowa"}).content.decode()
    assert "南箕輪村からのお知らせ" in only_b and "伊那市からのお知らせ" not in only_b
    # An unknown or foreign slug shows everything (the switch only narrows).
    other = client.get(reverse("notices:inbox"), {"network": "minowa"}).content.decode()
    assert "伊那市からのお知らせ" in other and "南箕輪村からのお知らせ" in other


def test_no_switch_for_a_user_of_one_network(personas, two_towns, client_for):
    page = client_for(personas.nurse).get(reverse("notices:inbox")).content.decode()
    assert "伊那市からのお知らせ" in page and "南箕輪村からのお知らせ" not in page
    assert "すべてのネットワーク" not in page


def test_suspension_in_one_network_hides_its_notices_only(personas, two_towns, client_for):
    user = personas.caremanager
    notice_b = user.notice_inbox.get(notice__title="南箕輪村からのお知らせ").notice
    assert unread_count(user) == 2
    Suspension.objects.create(
        network=personas.net_b, user=user, reason="確認のため", suspended_by=two_towns
    )
    client = client_for(user)
    page = client.get(reverse("notices:inbox")).content.decode()
    assert "伊那市からのお知らせ" in page and "南箕輪村からのお知らせ" not in page
    assert "すべてのネットワーク" not in page  # one Network left
    assert unread_count(user) == 1
    assert client.get(reverse("notices:detail", args=[notice_b.uuid])).status_code == 404
    # Lifting the suspension brings them back.
    Suspension.objects.filter(user=user).update(lifted_at="2026-12-01T00:00:00Z")
    assert unread_count(user) == 2


@pytest.mark.parametrize("extra", [0, 19])
def test_inbox_query_count_is_the_same_for_1_and_20_networks(
    personas, client_for, count_queries, django_assert_max_num_queries, extra
):
    user = personas.nurse
    _publish(personas.net_a, personas.operator_a, "伊那市のお知らせ")
    for i in range(extra):
        network = make_network(f"2{i:05d}", f"町{i}", f"town-{i}")
        facility = make_facility(network, f"町{i}訪問看護", FacilityType.VISITING_NURSING)
        Affiliation.objects.create(user=user, facility=facility, status=Affiliation.Status.ACTIVE)
        operator = make_user(f"op-{i}", f"運営 {i}", f"ウンエイ {i}", "municipal_officer", facility)
        OperatorRole.objects.create(network=network, user=operator, is_active=True)
        _publish(network, operator, f"町{i}のお知らせ")
    client = client_for(user)
    # the user's Networks (1), pending rows with notices and Networks (1), read rows (1).
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 3):
        response = client.get(reverse("notices:inbox"))
    assert response.content.decode().count("のお知らせ</strong>") == extra + 1
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 3):
        client.get(reverse("notices:inbox"), {"network": "ina"})
