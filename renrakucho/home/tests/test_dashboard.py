from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from renrakucho.accounts.models import Occupation
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents.models import CareTeamMember, Consent, TeamRole
from renrakucho.residents.tests.conftest import AUDIT_ROW, SIGNED_IN_OVERHEAD
from renrakucho.testing.personas import add_member
from renrakucho.timeline.interactions import UNREAD_CAP, mark_read, post_acknowledge
from renrakucho.timeline.models import CareRequest
from renrakucho.timeline.tests.interaction_helpers import make_post, make_posts

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


def _activity(personas, residents, n_posts):
    """n_posts on `residents` in turn by the doctor: a third urgent, each fifth asking the
    nurse (every other one overdue, written straight to the database)."""
    posts = []
    for i in range(n_posts):
        post = make_post(
            residents[i % len(residents)], personas.doctor, body=f"経過 {i}", urgent=i % 3 == 0
        )
        posts.append(post)
        if i % 5 == 0:
            CareRequest.objects.create(
                post=post,
                resident=post.resident,
                assignee=personas.nurse,
                due_on=timezone.localdate() + datetime.timedelta(days=1 if i % 10 else -1),
            )
    return posts


def test_query_count_does_not_grow_with_residents_posts_or_invitations(
    personas, client_for, more_residents, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.nurse)
    client.get(URL)  # warm-up (content types, translations)
    residents = [personas.resident, *more_residents(1, member=personas.nurse)]
    _activity(personas, residents, 5)
    response, small = count_queries(client, URL)  # 2 residents, 5 posts
    html = response.content.decode()
    assert html.count("役割: ") == 2 and html.count('class="request-item') == 1

    residents += more_residents(23, member=personas.nurse, lead=True)
    for resident in residents[2:]:
        add_member(resident, personas.doctor, TeamRole.PRIMARY_DOCTOR)
    _activity(personas, residents, 45)
    for resident in more_residents(5):
        CareTeamMember.objects.create(
            resident=resident, user=personas.nurse, role=TeamRole.VISITING_NURSE,
            invited_by=personas.caremanager,
        )  # fmt: skip
    response, large = count_queries(client, URL)  # 25 residents, 50 posts, 5 invitations
    html = response.content.decode()
    assert html.count("役割: ") == 25
    assert html.count("参加する") == 5
    assert html.count('class="request-item') == 10
    assert html.count('class="urgent-item"') == 17
    assert small == large
    # my residents (1: role, lead, consent and unread count annotated), pending invitations
    # (1: with resident, Network and inviter), requests for me (1: with post, requester,
    # resident, occupation), urgent posts not acknowledged (1: with resident and author),
    # the audit row.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 4 + AUDIT_ROW):
        client.get(URL)


def test_unread_counts_per_resident(personas, client_for):
    posts = [make_post(personas.resident, personas.doctor, body=f"経過 {i}") for i in range(3)]
    make_post(personas.resident, personas.nurse)  # her own
    client = client_for(personas.nurse)
    assert '<span class="badge unread">未読 3</span>' in client.get(URL).content.decode()
    mark_read(user=personas.nurse, posts=posts)
    html = client.get(URL).content.decode()
    assert 'class="badge unread"' not in html


def test_unread_count_is_capped(personas, client_for):
    make_posts(personas.resident, [personas.doctor], UNREAD_CAP + 3)
    assert f"未読 {UNREAD_CAP}+" in client_for(personas.nurse).get(URL).content.decode()


def test_requests_for_me_with_overdue_highlighted(personas, client_for):
    today = timezone.localdate()
    late = make_post(personas.resident, personas.caremanager, body="福祉用具の確認をお願いします")
    soon = make_post(personas.resident, personas.caremanager, body="次回訪問時に体重測定を")
    CareRequest.objects.create(
        post=late, resident=personas.resident, assignee=personas.nurse,
        due_on=today - datetime.timedelta(days=2),
    )  # fmt: skip
    CareRequest.objects.create(
        post=soon, resident=personas.resident,
        assignee_occupation=Occupation.objects.get(code="nurse"), due_on=today,
    )  # fmt: skip
    html = client_for(personas.nurse).get(URL).content.decode()
    assert "あなたへの依頼" in html
    assert "期限を過ぎた依頼が1件あります。" in html
    assert html.count('class="request-item overdue"') == 1
    assert html.count("期限切れ") == 1 and "今日まで" in html
    assert "看護師への依頼" in html
    assert "依頼者: 介護 支援（カイゴ シエン）" in html
    assert reverse("timeline:post_detail", args=[late.uuid]) in html
    # Not asked: the doctor sees no request section.
    assert "あなたへの依頼" not in client_for(personas.doctor).get(URL).content.decode()


def test_urgent_posts_until_acknowledged(personas, client_for, access_for):
    urgent = make_post(
        personas.resident, personas.nurse, body="転倒しました。受診予定", urgent=True
    )
    make_post(personas.resident, personas.nurse, body="通常の連絡")
    make_post(personas.resident, personas.doctor, body="至急", urgent=True, visibility="medical")
    client = client_for(personas.caremanager)
    html = client.get(URL).content.decode()
    assert "緊急の記事（未了解）" in html
    assert "転倒しました。受診予定" in html
    assert "至急" not in html  # medical-only: not for the care manager
    assert "通常の連絡" not in html
    post_acknowledge(
        actor=personas.caremanager, access=access_for(personas.caremanager), post=urgent
    )
    assert "緊急の記事（未了解）" not in client.get(URL).content.decode()
    # The author has nothing to acknowledge.
    assert "転倒しました" not in client_for(personas.nurse).get(URL).content.decode()


def test_dashboard_audit_names_the_posts_shown(personas, client_for):
    urgent = make_post(personas.resident, personas.nurse, urgent=True)
    client_for(personas.doctor).get(URL)
    event = AuditEvent.objects.get(action=Action.RESIDENT_LIST)
    assert event.detail == {
        "view": "dashboard",
        "residents": [str(personas.resident.uuid)],
        "posts": [str(urgent.uuid)],
    }


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_wrong_method_is_405(personas, client_for):
    client = client_for(personas.nurse)
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(URL).status_code == 405, method
