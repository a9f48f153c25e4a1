"""Care team: GET/POST /residents/{id}/team, leave, remove, and /team-invitations."""

import pytest

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents.access import residents_visible_to
from renrakucho.residents.models import CareTeamMember, TeamRole
from renrakucho.testing.personas import add_member, make_user

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c"]


def team_path(personas, suffix=""):
    return f"/residents/{personas.resident.uuid}/team{suffix}"


def membership(personas, user):
    return personas.resident.team_members.get(user=user, status__in=["invited", "active"])


def invite_pharmacist(personas, api_for):
    response = api_for(personas.caremanager).post(
        team_path(personas), {"user": str(personas.pharmacist.uuid), "role": "pharmacist"}
    )
    assert response.status_code == 201
    return response.json()["id"]


# --- GET /residents/{id}/team ----------------------------------------------------------
def test_team_list_lead_first(personas, api_for, last_audit):
    response = api_for(personas.nurse).get(team_path(personas))
    assert response.status_code == 200
    body = response.json()
    assert [m["user"]["username"] for m in body] == ["p-caremanager", "p-doctor", "p-nurse"]
    lead = body[0]
    assert lead["is_lead"] is True and lead["role"] == "care_manager"
    assert lead["role_label"] == "ケアマネジャー" and lead["status_label"] == "参加中"
    assert lead["user"] == {
        "id": str(personas.caremanager.uuid),
        "username": "p-caremanager",
        "name": "介護 支援",
        "name_kana": "カイゴ シエン",
    }
    assert lead["id"] == str(membership(personas, personas.caremanager).uuid)
    event = last_audit()
    assert event.action == Action.TEAM_VIEW and event.resident_uuid == personas.resident.uuid


def test_team_list_history_on_request(personas, api_for):
    api_for(personas.nurse).post(team_path(personas, "/leave"), {})
    api = api_for(personas.doctor)
    assert len(api.get(team_path(personas)).json()) == 2
    everyone = api.get(team_path(personas), {"include_ended": "true"}).json()
    assert {m["status"] for m in everyone} == {"active", "left"}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_team_list_outsiders_404(personas, api_for, who):
    assert api_for(getattr(personas, who)).get(team_path(personas)).status_code == 404


def test_team_list_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.nurse).put(team_path(personas)).status_code == 405
    assert api_for(None).get(team_path(personas)).status_code == 401


@pytest.mark.parametrize("extra", [0, 20])
def test_team_list_query_count(personas, api_for, django_assert_max_num_queries, extra):
    for i in range(extra):
        user = make_user(
            f"p-helper-{i}", f"訪問 {i}", "ホウモン", "home_helper", personas.nursing_a
        )
        add_member(personas.resident, user, TeamRole.HOME_HELPER)
    api = api_for(personas.nurse)
    # auth 6; access 1; members (+user) 1; audit 5.
    with django_assert_max_num_queries(13):
        response = api.get(team_path(personas))
    assert len(response.json()) == extra + 3


# --- POST /residents/{id}/team (invite) ------------------------------------------------
def test_invite_creates_an_invitation(personas, api_for, last_audit):
    response = api_for(personas.nurse).post(
        team_path(personas),
        {"user": str(personas.pharmacist.uuid), "role": "pharmacist", "message": "お願いします"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "invited" and body["user"]["username"] == "p-pharmacist"
    assert membership(personas, personas.pharmacist).message == "お願いします"
    event = last_audit()
    assert event.action == Action.TEAM_INVITE and event.target_id == body["id"]


@pytest.mark.parametrize(
    "invitee,msg",
    [
        ("nurse", "この方は既にチームのメンバーか招待中です。"),
        (
            "nurse_b",
            "この方は招待できません（このネットワーク、または広域連携協定を結んでいるネットワークの専門職ではありません）。",
        ),
        (
            None,
            "この方は招待できません（このネットワーク、または広域連携協定を結んでいるネットワークの専門職ではありません）。",
        ),
    ],
)
def test_invite_refusals_are_422_on_the_user_field(personas, api_for, invitee, msg):
    user_id = getattr(personas, invitee).uuid if invitee else "00000000-0000-0000-0000-000000000000"
    before = personas.resident.team_members.count()
    response = api_for(personas.caremanager).post(
        team_path(personas), {"user": str(user_id), "role": "other"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "user"], "msg": msg, "type": "invalid"}]
    assert personas.resident.team_members.count() == before


def test_duplicate_invitation_is_422(personas, api_for):
    invite_pharmacist(personas, api_for)
    again = api_for(personas.nurse).post(
        team_path(personas), {"user": str(personas.pharmacist.uuid), "role": "other"}
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["msg"] == "この方は既にチームのメンバーか招待中です。"


def test_invite_bad_body_is_422(personas, api_for):
    response = api_for(personas.nurse).post(team_path(personas), {"user": "x", "role": "boss"})
    assert response.status_code == 422
    assert {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]} == {
        ("body", "user"): "IDの形式が正しくありません。",
        ("body", "role"): "選択肢の中から選んでください。",
    }


@pytest.mark.parametrize("who", OUTSIDERS)
def test_invite_outsiders_404(personas, api_for, who):
    response = api_for(getattr(personas, who)).post(
        team_path(personas), {"user": str(personas.pharmacist.uuid), "role": "pharmacist"}
    )
    assert response.status_code == 404
    assert not personas.resident.team_members.filter(user=personas.pharmacist).exists()


def test_invite_anonymous(personas, api_for):
    body = {"user": str(personas.pharmacist.uuid), "role": "pharmacist"}
    assert api_for(None).post(team_path(personas), body).status_code == 401


@pytest.mark.parametrize("extra", [0, 20])
def test_invite_query_count(personas, api_for, django_assert_max_num_queries, extra):
    for i in range(extra):
        user = make_user(
            f"p-helper-{i}", f"訪問 {i}", "ホウモン", "home_helper", personas.nursing_a
        )
        add_member(personas.resident, user, TeamRole.HOME_HELPER)
    api = api_for(personas.caremanager)
    body = {"user": str(personas.pharmacist.uuid), "role": "pharmacist"}
    # auth 6; access 1; invitee 1; service: savepoint, invitee's Networks 3, suspension 1,
    # open membership 1, insert 1, audit 5, release.
    with django_assert_max_num_queries(21):
        assert api.post(team_path(personas), body).status_code == 201


# --- /team-invitations -----------------------------------------------------------------
def test_invitee_lists_accepts_and_then_reaches_the_resident(personas, api_for, last_audit):
    invitation_id = invite_pharmacist(personas, api_for)
    api = api_for(personas.pharmacist)
    listed = api.get("/team-invitations")
    assert listed.status_code == 200
    (invitation,) = listed.json()
    assert invitation["id"] == invitation_id
    assert invitation["resident"]["name"] == "山田 花子"
    assert invitation["invited_by"]["username"] == "p-caremanager"
    assert last_audit().action == Action.RESIDENT_LIST
    assert api.get(f"/residents/{personas.resident.uuid}").status_code == 404
    accepted = api.post(f"/team-invitations/{invitation_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"
    assert last_audit().action == Action.TEAM_ACCEPT
    assert api.get(f"/residents/{personas.resident.uuid}").status_code == 200
    assert api.get("/team-invitations").json() == []
    again = api.post(f"/team-invitations/{invitation_id}/accept")
    assert again.status_code == 422
    assert "既に処理" in again.json()["detail"][0]["msg"]


def test_invitee_declines(personas, api_for, last_audit):
    invitation_id = invite_pharmacist(personas, api_for)
    response = api_for(personas.pharmacist).post(
        f"/team-invitations/{invitation_id}/decline", {"reason": "担当外のため"}
    )
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert last_audit().action == Action.TEAM_DECLINE
    assert not residents_visible_to(personas.pharmacist).exists()


def test_decline_without_body(personas, api_for):
    invitation_id = invite_pharmacist(personas, api_for)
    response = api_for(personas.pharmacist).post(f"/team-invitations/{invitation_id}/decline")
    assert response.status_code == 200


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize("who", ["caremanager", "nurse_b", "operator_a", "operator_c"])
def test_only_the_invitee_answers(personas, api_for, action, who):
    invitation_id = invite_pharmacist(personas, api_for)
    response = api_for(getattr(personas, who)).post(f"/team-invitations/{invitation_id}/{action}")
    assert response.status_code == 404
    assert membership(personas, personas.pharmacist).status == CareTeamMember.Status.INVITED


@pytest.mark.parametrize("bad", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_unknown_invitation_is_404(personas, api_for, bad):
    assert api_for(personas.pharmacist).post(f"/team-invitations/{bad}/accept").status_code == 404


def test_invitation_wrong_method_and_anonymous(personas, api_for):
    invitation_id = invite_pharmacist(personas, api_for)
    api = api_for(personas.pharmacist)
    assert api.get(f"/team-invitations/{invitation_id}/accept").status_code == 405
    assert api.get(f"/team-invitations/{invitation_id}/decline").status_code == 405
    assert api.post("/team-invitations").status_code == 405
    anonymous = api_for(None)
    assert anonymous.get("/team-invitations").status_code == 401
    assert anonymous.post(f"/team-invitations/{invitation_id}/accept").status_code == 401
    assert anonymous.post(f"/team-invitations/{invitation_id}/decline").status_code == 401


@pytest.mark.parametrize("extra", [0, 15])
def test_invitation_list_query_count(personas, api_for, django_assert_max_num_queries, extra):
    from .conftest import grow_team_residents

    for resident in grow_team_residents(personas, extra):
        CareTeamMember.objects.create(
            resident=resident, user=personas.pharmacist, role="pharmacist"
        )
    invite_pharmacist(personas, api_for)
    api = api_for(personas.pharmacist)
    # auth 6; the user's Networks 3; invitations (+resident, inviter) 1; audit 5.
    with django_assert_max_num_queries(15):
        response = api.get("/team-invitations")
    assert len(response.json()) == extra + 1


@pytest.mark.parametrize("extra", [0, 20])
def test_accept_query_count(personas, api_for, django_assert_max_num_queries, extra):
    for i in range(extra):
        user = make_user(
            f"p-helper-{i}", f"訪問 {i}", "ホウモン", "home_helper", personas.nursing_a
        )
        add_member(personas.resident, user, TeamRole.HOME_HELPER)
    invitation_id = invite_pharmacist(personas, api_for)
    api = api_for(personas.pharmacist)
    # auth 6; service: savepoint, invitation (+resident) 1, the user's Networks 3, lead 1,
    # update 1, audit 5, release; the member's user for the answer 1.
    with django_assert_max_num_queries(20):
        assert api.post(f"/team-invitations/{invitation_id}/accept").status_code == 200


# --- POST /residents/{id}/team/leave ---------------------------------------------------
def test_member_leaves(personas, api_for, last_audit):
    api = api_for(personas.nurse)
    response = api.post(team_path(personas, "/leave"), {"reason": "担当交代"})
    assert response.status_code == 200 and response.json()["status"] == "left"
    assert last_audit().action == Action.TEAM_LEAVE
    assert api.get(f"/residents/{personas.resident.uuid}").status_code == 404


def test_lead_cannot_leave_without_successor(personas, api_for):
    response = api_for(personas.caremanager).post(team_path(personas, "/leave"), {})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "successor"],
            "msg": "チームリーダーが退出するには、後任のリーダーをメンバーから指定してください。",
            "type": "invalid",
        }
    ]
    assert membership(personas, personas.caremanager).is_lead


def test_lead_leaves_naming_a_successor(personas, api_for):
    successor = membership(personas, personas.doctor)
    response = api_for(personas.caremanager).post(
        team_path(personas, "/leave"), {"successor": str(successor.uuid)}
    )
    assert response.status_code == 200
    successor.refresh_from_db()
    assert successor.is_lead


def test_lead_naming_a_stranger_as_successor_is_422(personas, api_for):
    response = api_for(personas.caremanager).post(
        team_path(personas, "/leave"), {"successor": "00000000-0000-0000-0000-000000000000"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("who", [*OUTSIDERS, "operator_a"])
def test_leave_by_non_members_is_404(personas, api_for, who):
    response = api_for(getattr(personas, who)).post(team_path(personas, "/leave"), {})
    assert response.status_code == 404


def test_leave_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.nurse).get(team_path(personas, "/leave")).status_code == 405
    assert api_for(personas.nurse).delete(team_path(personas, "/leave")).status_code == 405
    assert api_for(None).post(team_path(personas, "/leave"), {}).status_code == 401


@pytest.mark.parametrize("extra", [0, 20])
def test_leave_query_count(personas, api_for, django_assert_max_num_queries, extra):
    for i in range(extra):
        user = make_user(
            f"p-helper-{i}", f"訪問 {i}", "ホウモン", "home_helper", personas.nursing_a
        )
        add_member(personas.resident, user, TeamRole.HOME_HELPER)
    api = api_for(personas.nurse)
    # auth 6; access 1; service: savepoint, own membership 1, update 1, audit 5, release;
    # the member's user for the answer 1.
    with django_assert_max_num_queries(17):
        assert api.post(team_path(personas, "/leave"), {}).status_code == 200


# --- DELETE /residents/{id}/team/{membership} ------------------------------------------
@pytest.mark.parametrize("remover", ["caremanager", "operator_a"])
def test_lead_or_operator_removes_a_member(personas, api_for, last_audit, remover):
    nurse = membership(personas, personas.nurse)
    response = api_for(getattr(personas, remover)).delete(team_path(personas, f"/{nurse.uuid}"))
    assert response.status_code == 204
    nurse.refresh_from_db()
    assert nurse.status == CareTeamMember.Status.REMOVED
    event = last_audit()
    assert event.action == Action.TEAM_REMOVE and event.target_id == str(nurse.uuid)


def test_lead_cancels_an_invitation(personas, api_for):
    invitation_id = invite_pharmacist(personas, api_for)
    response = api_for(personas.caremanager).delete(team_path(personas, f"/{invitation_id}"))
    assert response.status_code == 204
    assert not personas.resident.team_members.filter(
        user=personas.pharmacist, status="invited"
    ).exists()


def test_plain_member_cannot_remove_403(personas, api_for):
    doctor = membership(personas, personas.doctor)
    response = api_for(personas.nurse).delete(team_path(personas, f"/{doctor.uuid}"))
    assert response.status_code == 403
    assert response.json() == {"detail": "この操作を行う権限がありません。"}
    doctor.refresh_from_db()
    assert doctor.status == CareTeamMember.Status.ACTIVE


def test_lead_removing_self_is_422(personas, api_for):
    me = membership(personas, personas.caremanager)
    response = api_for(personas.caremanager).delete(team_path(personas, f"/{me.uuid}"))
    assert response.status_code == 422
    assert "チームから退出" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_remove_outsiders_404(personas, api_for, who):
    nurse = membership(personas, personas.nurse)
    response = api_for(getattr(personas, who)).delete(team_path(personas, f"/{nurse.uuid}"))
    assert response.status_code == 404
    nurse.refresh_from_db()
    assert nurse.status == CareTeamMember.Status.ACTIVE


def test_remove_unknown_or_other_teams_membership_is_404(personas, api_for):
    from .conftest import grow_team_residents

    (other,) = grow_team_residents(personas, 1)
    foreign = other.team_members.get(user=personas.nurse)
    api = api_for(personas.caremanager)
    assert api.delete(team_path(personas, f"/{foreign.uuid}")).status_code == 404
    assert api.delete(team_path(personas, "/not-a-uuid")).status_code == 404
    assert AuditEvent.objects.filter(action=Action.TEAM_REMOVE).count() == 0


def test_remove_wrong_method_and_anonymous(personas, api_for):
    nurse = membership(personas, personas.nurse)
    path = team_path(personas, f"/{nurse.uuid}")
    assert api_for(personas.caremanager).get(path).status_code == 405
    assert api_for(personas.caremanager).post(path, {}).status_code == 405
    assert api_for(None).delete(path).status_code == 401


@pytest.mark.parametrize("extra", [0, 20])
def test_remove_query_count(personas, api_for, django_assert_max_num_queries, extra):
    for i in range(extra):
        user = make_user(
            f"p-helper-{i}", f"訪問 {i}", "ホウモン", "home_helper", personas.nursing_a
        )
        add_member(personas.resident, user, TeamRole.HOME_HELPER)
    nurse = membership(personas, personas.nurse)
    api = api_for(personas.caremanager)
    # auth 6; access 1; membership 1; service: savepoint, update 1, audit 5, release.
    with django_assert_max_num_queries(16):
        assert api.delete(team_path(personas, f"/{nurse.uuid}")).status_code == 204
