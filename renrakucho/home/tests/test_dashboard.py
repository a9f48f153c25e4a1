from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents.models import CareTeamMember, Consent, TeamRole
from renrakucho.residents.tests.conftest import AUDIT_ROW, SIGNED_IN_OVERHEAD

URL = "/"


def test_dashboard_url_is_the_root():
    assert reverse("home:dashboard") == URL


def test_my_residents_with_role_care_level_and_lead_marker(personas, client_for):
    response = client_for(personas.caremanager).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "担当している支援対象者" in html
    assert "山田 花子" in html and "ヤマダ ハナコ" in html
    assert "要介護2" in html
    assert "役割: ケアマネジャー" in html
    assert "チームリーダー" in html
    assert "同意未登録" not in html


def test_not_lead_has_no_lead_marker_and_missing_consent_is_marked(personas, client_for):
    Consent.objects.update(revoked_on=personas.consent.consented_on)
    html = client_for(personas.nurse).get(URL).content.decode()
    assert "役割: 訪問看護" in html
    assert "チームリーダー" not in html
    assert "同意未登録" in html


def test_operator_sees_console_link_but_not_network_residents(personas, client_for):
    html = client_for(personas.operator_a).get(URL).content.decode()
    assert reverse("console:index") in html
    assert "運営コンソールを開く" in html
    # An operator reaches the Network's residents from the list, they are not "mine".
    assert "山田 花子" not in html
    assert "担当している支援対象者はまだいません。" in html


@pytest.mark.parametrize("who", ["pharmacist", "nurse_b", "operator_c"])
def test_outsiders_see_nothing_of_the_resident(personas, client_for, who):
    html = client_for(getattr(personas, who)).get(URL).content.decode()
    assert "山田 花子" not in html
    assert "運営コンソールを開く" not in html or who == "operator_c"


def test_pending_invitation_can_be_accepted(personas, client_for):
    invitation = CareTeamMember.objects.create(
        resident=personas.resident,
        user=personas.pharmacist,
        role=TeamRole.PHARMACIST,
        invited_by=personas.caremanager,
        message="服薬管理をお願いします",
    )
    client = client_for(personas.pharmacist)
    html = client.get(URL).content.decode()
    assert "支援チームへの招待" in html
    assert "介護 支援さんから「薬剤師」として招待されています。" in html
    assert "服薬管理をお願いします" in html
    assert reverse("residents:invitation_accept", args=[invitation.uuid]) in html

    response = client.post(reverse("residents:invitation_accept", args=[invitation.uuid]))
    assert response.status_code == 302
    assert response["Location"] == reverse("residents:detail", args=[personas.resident.uuid])
    invitation.refresh_from_db()
    assert invitation.status == CareTeamMember.Status.ACTIVE
    assert AuditEvent.objects.filter(action=Action.TEAM_ACCEPT, actor=personas.pharmacist).exists()
    # Now on the team: the card opens and the dashboard lists her.
    assert client.get(response["Location"]).status_code == 200
    assert "役割: 薬剤師" in client.get(URL).content.decode()


def test_pending_invitation_can_be_declined_and_not_answered_twice(personas, client_for):
    invitation = CareTeamMember.objects.create(
        resident=personas.resident, user=personas.pharmacist, role=TeamRole.PHARMACIST,
        invited_by=personas.caremanager,
    )  # fmt: skip
    client = client_for(personas.pharmacist)
    url = reverse("residents:invitation_decline", args=[invitation.uuid])
    response = client.post(url, {"reason": "担当地域外のため"}, follow=True)
    assert "招待を辞退しました。" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == CareTeamMember.Status.DECLINED
    assert invitation.end_reason == "担当地域外のため"
    assert AuditEvent.objects.filter(action=Action.TEAM_DECLINE).count() == 1

    again = client.post(reverse("residents:invitation_accept", args=[invitation.uuid]), follow=True)
    assert "この招待は既に処理されているか、取り消されています。" in again.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == CareTeamMember.Status.DECLINED
    assert "支援チームへの招待" not in client.get(URL).content.decode()


def test_dashboard_view_is_audited_with_the_listed_residents(personas, client_for):
    client_for(personas.nurse).get(URL)
    event = AuditEvent.objects.get(action=Action.RESIDENT_LIST)
    assert event.actor == personas.nurse
    assert event.network_id == personas.net_a.pk
    assert event.detail == {"view": "dashboard", "residents": [str(personas.resident.uuid)]}
    assert event.ip == "127.0.0.1"


def test_query_count_does_not_grow_with_residents_or_invitations(
    personas, client_for, more_residents, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.nurse)
    client.get(URL)  # warm-up (content types, translations)
    more_residents(1, member=personas.nurse)
    _, small = count_queries(client, URL)  # 2 residents

    more_residents(23, member=personas.nurse, lead=True)
    for resident in more_residents(5):
        CareTeamMember.objects.create(
            resident=resident, user=personas.nurse, role=TeamRole.VISITING_NURSE,
            invited_by=personas.caremanager,
        )  # fmt: skip
    response, large = count_queries(client, URL)  # 25 residents, 5 invitations
    assert response.content.decode().count("役割: ") == 25
    assert response.content.decode().count("参加する") == 5
    assert small == large
    # my residents (1: role, lead and consent annotated), pending invitations (1: with
    # resident, Network and inviter), the audit row.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 2 + AUDIT_ROW):
        client.get(URL)


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_wrong_method_is_405(personas, client_for):
    client = client_for(personas.nurse)
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(URL).status_code == 405, method
