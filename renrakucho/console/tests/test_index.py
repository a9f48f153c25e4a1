import pytest
from django.urls import reverse

from renrakucho.facilities.models import Affiliation
from renrakucho.testing.personas import make_resident

pytestmark = pytest.mark.django_db


def _count(html, key):
    """The figure shown in the card `stat-<key>` on the console's front page."""
    card = html[html.index(f'id="stat-{key}"') :]
    start = card.index('<span class="num">') + len('<span class="num">')
    return int(card[start : card.index("</span>", start)])


def test_front_page_counts_only_the_operated_network(
    client_for, personas, apply_facility, add_users
):
    apply_facility(personas.net_a)
    apply_facility(personas.net_c, username="c-applicant", name="箕輪町の事業所")
    add_users(personas.clinic_a, 2)
    pending = add_users(personas.clinic_a, 1, prefix="pending")[0]
    Affiliation.objects.filter(user=pending).update(status="pending")
    make_resident(personas.net_a, personas.caremanager, name="川上 次郎", kana="カワカミ ジロウ")
    make_resident(personas.net_b, personas.nurse_b, name="南 三郎", kana="ミナミ サブロウ")

    response = client_for(personas.operator_a).get(reverse("console:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "運営" in html and personas.net_a.name in html
    for label in ("承認待ちの事業所", "承認待ちの職員", "利用者", "支援対象者", "支援チーム"):
        assert label in html
    assert _count(html, "pending-facilities") == 1
    assert _count(html, "pending-staff") == 1
    # doctor, nurse, caremanager, pharmacist, operator_a + 2 new staff
    assert _count(html, "users") == 7
    assert _count(html, "residents") == 2
    assert _count(html, "teams") == 1  # 川上 has no team yet
    assert reverse("residents:list") in html
    assert reverse("console:audit") in html
    assert reverse("console:network_settings", kwargs={"network_uuid": personas.net_a.uuid}) in html
    assert "<script>" not in html and "style=" not in html


# session, user, login policy (5), operated Networks (2: roles, suspensions) + the Networks,
# residents & teams, pending facilities, pending staff, users, navigation (3).
INDEX_QUERIES = 17


@pytest.mark.parametrize("n", [3, 30])
def test_front_page_query_count_does_not_grow(
    client_for, personas, add_users, django_assert_max_num_queries, n
):
    add_users(personas.clinic_a, n)
    for i in range(n // 3):
        make_resident(
            personas.net_a, personas.caremanager, name=f"住民 {i}", kana=f"ジュウミン {i}"
        )
    client = client_for(personas.operator_a)
    with django_assert_max_num_queries(INDEX_QUERIES):
        response = client.get(reverse("console:index"))
    assert _count(response.content.decode(), "users") == 5 + n
