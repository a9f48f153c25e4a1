from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.networks.models import Suspension
from renrakucho.residents.models import CareTeamMember, Consent, TeamRole
from renrakucho.testing.personas import make_user

from .conftest import AUDIT_ROW, SIGNED_IN_OVERHEAD


def url(p, name="team", **kwargs):
    return reverse(f"residents:{name}", kwargs={"resident_uuid": p.resident.uuid, **kwargs})


def membership(p, user):
    return CareTeamMember.objects.get(
        resident=p.resident, user=user, status__in=["active", "invited"]
    )


def test_team_page_lists_members_invitations_and_history(personas, client_for):
    helper = make_user(
        "p-helper", "訪問 介子", "ホウモン カイコ", "home_helper", personas.nursing_a
    )
    CareTeamMember.objects.create(
        resident=personas.resident, user=personas.pharmacist, role=TeamRole.PHARMACIST,
        invited_by=personas.caremanager,
    )  # fmt: skip
    CareTeamMember.objects.create(
        resident=personas.resident, user=helper, role=TeamRole.HOME_HELPER, status="left",
        end_reason="担当交代",
    )  # fmt: skip
    html = client_for(personas.nurse).get(url(personas)).content.decode()
    assert "メンバー（3人）" in html
    for text in (
        "介護 支援",
        "カイゴ シエン",
        "介護支援専門員",
        "いーな居宅介護支援事業所",
        "ケアマネジャー",
        "チームリーダー",
    ):
        assert text in html, text
    assert "看護 花子" in html and "訪問看護" in html and "あなた" in html
    assert "招待中" in html and "薬 太郎" in html and "介護 支援さんが" in html
    assert (
        "これまでの経過" in html and "訪問 介子" in html and "退出" in html and "担当交代" in html
    )
    assert AuditEvent.objects.filter(action=Action.TEAM_VIEW, actor=personas.nurse).exists()


def test_team_page_is_open_without_consent(personas, client_for):
    Consent.objects.update(revoked_on=personas.consent.consented_on)
    response = client_for(personas.nurse).get(url(personas))
    assert response.status_code == 200 and "介護 支援" in response.content.decode()


def test_search_professionals_by_kana_and_occupation(personas, client_for):
    make_user("p-pharm2", "薬師 次郎", "ヤクシ ジロウ", "pharmacist", personas.pharmacy_a)
    client = client_for(personas.nurse)
    html = client.get(url(personas), {"q": "くすり"}).content.decode()
    assert "薬 太郎" in html and "薬師 次郎" not in html and "いーな薬局" in html
    html = client.get(url(personas), {"occupation": "pharmacist"}).content.decode()
    assert "薬 太郎" in html and "薬師 次郎" in html
    html = client.get(url(personas), {"q": "ｸｽﾘ", "occupation": "pharmacist"}).content.decode()
    assert "薬 太郎" in html and "薬師 次郎" not in html


def test_search_excludes_members_other_networks_suspended_and_inactive(personas, client_for):
    suspended = make_user("p-susp", "停止 中", "テイシ チュウ", "nurse", personas.nursing_a)
    Suspension.objects.create(
        network=personas.net_a, user=suspended, reason="x", suspended_by=personas.operator_a
    )
    inactive = make_user("p-inact", "無効 者", "ムコウ シャ", "nurse", personas.nursing_a)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    html = (
        client_for(personas.caremanager)
        .get(url(personas), {"occupation": "nurse"})
        .content.decode()
    )
    assert "南 看護" not in html  # Network B
    assert "停止 中" not in html and "無効 者" not in html
    # Already on the team: not among the candidates (the member list shows her once).
    assert html.count('value="' + str(personas.nurse.uuid) + '"') == 0
    assert "招待できる専門職が見つかりません。" in html


def test_invite_then_invitee_accepts(personas, client_for):
    response = client_for(personas.nurse).post(
        url(personas, "team_invite"),
        {
            "invitee": str(personas.pharmacist.uuid),
            "role": "pharmacist",
            "message": "よろしくお願いします",
        },
    )
    assert response.status_code == 302
    invitation = membership(personas, personas.pharmacist)
    assert invitation.status == "invited" and invitation.invited_by == personas.nurse
    assert invitation.message == "よろしくお願いします"
    event = AuditEvent.objects.get(action=Action.TEAM_INVITE)
    assert event.detail == {"invitee": str(personas.pharmacist.uuid), "role": "pharmacist"}
    # Invited is not a member yet: still 404 on the card.
    pharmacist = client_for(personas.pharmacist)
    assert (
        pharmacist.get(reverse("residents:detail", args=[personas.resident.uuid])).status_code
        == 404
    )
    pharmacist.post(reverse("residents:invitation_accept", args=[invitation.uuid]))
    assert (
        pharmacist.get(reverse("residents:detail", args=[personas.resident.uuid])).status_code
        == 200
    )


@pytest.mark.parametrize(
    "who, role, message",
    [
        ("nurse", "pharmacist", "この方は招待できません"),  # already on the team
        ("nurse_b", "pharmacist", "この方は招待できません"),  # other Network
        ("pharmacist", "", "役割を選択してください。"),
        (None, "pharmacist", "招待する専門職を選択してください。"),
    ],
)
def test_bad_invitations(personas, client_for, who, role, message):
    data = {"role": role, "q": "", "occupation": ""}
    if who:
        data["invitee"] = str(getattr(personas, who).uuid)
    response = client_for(personas.caremanager).post(url(personas, "team_invite"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CareTeamMember.objects.filter(status="invited").exists()


def test_lead_leaving_without_successor_is_refused(personas, client_for):
    response = client_for(personas.caremanager).post(url(personas, "team_leave"), {"successor": ""})
    assert response.status_code == 200
    assert (
        "チームリーダーが退出するには、後任のリーダーをメンバーから指定してください。"
        in response.content.decode()
    )
    lead = membership(personas, personas.caremanager)
    assert lead.status == "active" and lead.is_lead


def test_lead_leaves_with_successor(personas, client_for):
    nurse_member = membership(personas, personas.nurse)
    response = client_for(personas.caremanager).post(
        url(personas, "team_leave"), {"successor": str(nurse_member.uuid), "reason": "異動のため"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    nurse_member.refresh_from_db()
    assert nurse_member.is_lead
    left = CareTeamMember.objects.get(resident=personas.resident, user=personas.caremanager)
    assert left.status == "left" and left.end_reason == "異動のため"
    assert AuditEvent.objects.filter(action=Action.TEAM_LEAVE).count() == 1
    assert client_for(personas.caremanager).get(url(personas)).status_code == 404


def test_member_leaves_and_operator_cannot_leave(personas, client_for):
    assert client_for(personas.doctor).post(url(personas, "team_leave")).status_code == 302
    assert (
        CareTeamMember.objects.get(resident=personas.resident, user=personas.doctor).status
        == "left"
    )
    assert client_for(personas.operator_a).post(url(personas, "team_leave")).status_code == 404


def test_lead_removes_member_and_cancels_invitation(personas, client_for):
    invitation = CareTeamMember.objects.create(
        resident=personas.resident, user=personas.pharmacist, role=TeamRole.PHARMACIST,
        invited_by=personas.caremanager,
    )  # fmt: skip
    client = client_for(personas.caremanager)
    doctor = membership(personas, personas.doctor)
    assert client.post(url(personas, "team_remove", member_uuid=doctor.uuid)).status_code == 302
    assert client.post(url(personas, "team_remove", member_uuid=invitation.uuid)).status_code == 302
    doctor.refresh_from_db()
    invitation.refresh_from_db()
    assert doctor.status == "removed" and doctor.ended_by == personas.caremanager
    assert invitation.status == "cancelled"
    assert AuditEvent.objects.filter(action=Action.TEAM_REMOVE).count() == 2
    html = client.get(url(personas)).content.decode()
    assert "除外" in html and "招待取消" in html


def test_lead_cannot_remove_self_with_a_japanese_message(personas, client_for):
    client = client_for(personas.caremanager)
    lead = membership(personas, personas.caremanager)
    response = client.post(url(personas, "team_remove", member_uuid=lead.uuid), follow=True)
    assert "ご自身はこの操作では外せません。" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "active"


def test_operator_removes_the_lead_and_sets_a_new_one(personas, client_for):
    client = client_for(personas.operator_a)
    nurse_member = membership(personas, personas.nurse)
    assert (
        client.post(url(personas, "team_set_lead", member_uuid=nurse_member.uuid)).status_code
        == 302
    )
    nurse_member.refresh_from_db()
    assert nurse_member.is_lead
    assert not membership(personas, personas.caremanager).is_lead
    assert AuditEvent.objects.filter(action=Action.TEAM_LEAD).count() == 1
    lead = membership(personas, personas.nurse)
    assert client.post(url(personas, "team_remove", member_uuid=lead.uuid)).status_code == 302
    lead.refresh_from_db()
    assert lead.status == "removed"


def test_member_of_another_resident_is_404(personas, client_for):
    from renrakucho.testing.personas import add_member, make_resident

    other = make_resident(
        personas.net_a, personas.caremanager, name="田中 一郎", kana="タナカ イチロウ"
    )
    foreign = add_member(other, personas.pharmacist, TeamRole.PHARMACIST)
    client = client_for(personas.caremanager)
    assert client.post(url(personas, "team_remove", member_uuid=foreign.uuid)).status_code == 404
    assert client.post(url(personas, "team_set_lead", member_uuid=foreign.uuid)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "active" and not foreign.is_lead


def test_team_query_count_does_not_grow(
    personas, client_for, more_members, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.caremanager)
    team_url = url(personas) + "?occupation=home_helper"
    client.get(team_url)
    # (Prefetches are skipped for an empty result, so the small case has one candidate.)
    make_user("cand-first", "候補 最初", "コウホ", "home_helper", personas.nursing_a)
    _, small = count_queries(client, team_url)  # 3 members, 1 candidate
    more_members(15)  # 5 invited, 5 left, 5 more active: 8 members
    for i in range(9):  # more candidates to invite
        make_user(f"cand-{i}", f"候補 {i}", "コウホ", "home_helper", personas.nursing_a)
    response, large = count_queries(client, team_url)
    html = response.content.decode()
    assert "メンバー（8人）" in html and html.count('name="invitee"') == 15  # 10 new + 5 who left
    assert small == large
    # access (1); team (3: members with users, inviters and enders; occupations; affiliations
    # with facilities); occupation filter (1) and its options (1); candidates (3: users;
    # occupations; affiliations with facilities); audit row.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 9 + AUDIT_ROW):
        client.get(team_url)
