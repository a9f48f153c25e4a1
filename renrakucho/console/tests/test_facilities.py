"""Operators approve or reject facility applications and browse their Network's facilities."""

import pytest
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.testing.personas import make_facility

pytestmark = pytest.mark.django_db


def _url(name, facility):
    return reverse(f"console:{name}", kwargs={"facility_uuid": facility.uuid})


def test_pending_applications_are_listed_with_the_applicant(client_for, personas, apply_facility):
    apply_facility(personas.net_a)
    apply_facility(personas.net_c, username="c-applicant", name="箕輪町の事業所")
    response = client_for(personas.operator_a).get(reverse("console:facilities"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "承認待ちの事業所" in html
    assert "箕輪訪問看護" in html and "ミノワホウモンカンゴ" in html
    assert "申請 太郎" in html and "シンセイ タロウ" in html
    assert "箕輪町の事業所" not in html  # Network C's application
    assert "いーなクリニック" in html  # all facilities of A below


def test_facility_detail_shows_the_application(client_for, personas, apply_facility):
    pending = apply_facility(personas.net_a)
    response = client_for(personas.operator_a).get(_url("facility", pending))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("箕輪訪問看護", "訪問看護ステーション", "0265-79-0000", "申請 太郎", "applicant"):
        assert text in html
    assert _url("facility_approve", pending) in html
    assert 'name="reason"' in html


def test_approval_activates_the_facility_and_its_admin(client_for, personas, apply_facility):
    pending = apply_facility(personas.net_a)
    admin = Affiliation.objects.get(facility=pending).user
    assert not admin.can_log_in()
    response = client_for(personas.operator_a).post(
        _url("facility_approve", pending), REMOTE_ADDR="203.0.113.9", follow=True
    )
    assert "を承認しました。" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Facility.Status.APPROVED
    assert pending.decided_by == personas.operator_a and pending.decided_at
    affiliation = Affiliation.objects.get(facility=pending)
    assert affiliation.status == Affiliation.Status.ACTIVE and affiliation.is_admin
    assert affiliation.approved_by == personas.operator_a
    assert admin.can_log_in()
    event = AuditEvent.objects.get(action=Action.FACILITY_APPROVE)
    assert event.actor == personas.operator_a and event.network_id == personas.net_a.id
    assert event.target_id == str(pending.uuid) and event.ip == "203.0.113.9"


def test_rejection_needs_a_reason(client_for, personas, apply_facility):
    pending = apply_facility(personas.net_a)
    response = client_for(personas.operator_a).post(
        _url("facility_reject", pending), {"reason": " "}
    )
    assert response.status_code == 400
    assert "却下の理由を入力してください。" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Facility.Status.PENDING
    assert not AuditEvent.objects.filter(action=Action.FACILITY_REJECT).exists()


def test_rejection_with_a_reason(client_for, personas, apply_facility):
    pending = apply_facility(personas.net_a)
    reason = "事業所番号を確認できませんでした。"
    response = client_for(personas.operator_a).post(
        _url("facility_reject", pending), {"reason": reason}, follow=True
    )
    assert "を却下しました。" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Facility.Status.REJECTED
    assert pending.rejection_reason == reason
    affiliation = Affiliation.objects.get(facility=pending)
    assert affiliation.status == Affiliation.Status.REJECTED
    assert not affiliation.user.can_log_in()
    event = AuditEvent.objects.get(action=Action.FACILITY_REJECT)
    assert event.reason == reason and event.network_id == personas.net_a.id


def test_a_decided_application_cannot_be_decided_again(client_for, personas, apply_facility):
    pending = apply_facility(personas.net_a)
    client = client_for(personas.operator_a)
    client.post(_url("facility_approve", pending))
    response = client.post(_url("facility_reject", pending), {"reason": "やっぱり"})
    assert response.status_code == 400
    assert "この事業所の申請は既に処理されています。" in response.content.decode()
    again = client.post(_url("facility_approve", pending), follow=True)
    assert "この事業所の申請は既に処理されています。" in again.content.decode()
    pending.refresh_from_db()
    assert pending.status == Facility.Status.APPROVED
    assert AuditEvent.objects.filter(action=Action.FACILITY_APPROVE).count() == 1


def test_type_and_status_filters(client_for, personas, apply_facility):
    apply_facility(personas.net_a)
    client = client_for(personas.operator_a)
    html = client.get(reverse("console:facilities"), {"type": "pharmacy"}).content.decode()
    table = html[html.index("すべての事業所") :]
    assert "いーな薬局" in table
    assert "いーなクリニック" not in table
    html = client.get(reverse("console:facilities"), {"status": "pending"}).content.decode()
    table = html[html.index("すべての事業所") :]
    assert "箕輪訪問看護" in table and "いーな薬局" not in table
    # An unknown filter value is ignored rather than an error.
    assert client.get(reverse("console:facilities"), {"type": "bogus"}).status_code == 200


def test_facilities_are_paged_with_a_keyset_cursor(client_for, personas, settings):
    from renrakucho.console import selectors

    for i in range(selectors.PAGE_SIZE):
        make_facility(personas.net_a, f"追加{i:02d}", "clinic")
    client = client_for(personas.operator_a)
    first = client.get(reverse("console:facilities")).content.decode()
    assert first.count("<tr>") - 1 == selectors.PAGE_SIZE  # header row
    assert "?after=" in first
    start = first.index("?after=")
    next_url = reverse("console:facilities") + first[start : first.index('"', start)]
    second = client.get(next_url.replace("&amp;", "&")).content.decode()
    # 50 new + 5 persona facilities of A = 55: five on the second page, the oldest ones.
    assert second.count("<tr>") - 1 == 5
    assert "いーなクリニック" in second and "追加49" not in second


# session, user, login policy (5), operated Networks (3), pending facilities, their admins,
# the admins' occupations, one page of facilities with staff counts, navigation (3).
FACILITIES_QUERIES = 17


@pytest.mark.parametrize("n", [3, 30])
def test_facilities_query_count_does_not_grow(
    client_for, personas, apply_facility, django_assert_max_num_queries, n
):
    for i in range(n):
        apply_facility(personas.net_a, username=f"kanri{i:02d}", name=f"申請事業所{i}")
    client = client_for(personas.operator_a)
    with django_assert_max_num_queries(FACILITIES_QUERIES):
        response = client.get(reverse("console:facilities"))
    assert response.content.decode().count("シンセイ タロウ") == n


# session, user, login policy (5), operated Networks (3), the facility with its staff count,
# its admins, their occupations, navigation (3).
FACILITY_QUERIES = 16


@pytest.mark.parametrize("n", [1, 10])
def test_facility_page_query_count_does_not_grow_with_admins(
    client_for, personas, apply_facility, django_assert_max_num_queries, n
):
    from renrakucho.accounts.models import Occupation, User

    pending = apply_facility(personas.net_a)
    for i in range(n - 1):
        user = User.objects.create_user(
            f"co-admin-{i}", "x", name=f"共同 {i}", name_kana="キョウドウ"
        )
        user.occupations.add(Occupation.objects.get(code="doctor"))
        Affiliation.objects.create(user=user, facility=pending, is_admin=True, status="pending")
    client = client_for(personas.operator_a)
    with django_assert_max_num_queries(FACILITY_QUERIES):
        response = client.get(_url("facility", pending))
    html = response.content.decode()
    assert html.count("キョウドウ") + html.count("シンセイ タロウ") == n
