"""API v1: a conversation's name and members — rename, add, remove, leave — through the
chat services (same rules and audit rows as the pages)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.chat import services
from renrakucho.chat.access import access_conversation
from renrakucho.chat.models import Conversation, ConversationMember
from renrakucho.testing.personas import make_user

pytestmark = pytest.mark.django_db

NOT_FOUND = "指定されたデータは見つからないか、参照する権限がありません。"
DIRECT = [
    {
        "loc": ["body"],
        "msg": "1対1の会話では、名前やメンバーは変更できません。",
        "type": "direct",
    }
]


@pytest.fixture
def group(personas):
    """A group conversation started by the nurse with the doctor and the care manager."""
    conversation, _ = services.conversation_create(
        actor=personas.nurse, members=[personas.doctor, personas.caremanager], title="退院調整"
    )
    return conversation


@pytest.fixture
def direct(personas):
    conversation, _ = services.conversation_create(actor=personas.nurse, members=[personas.doctor])
    return conversation


def member_changes():
    """(actor username, change, members) of the CHAT_MEMBERS audit rows, oldest first."""
    return [
        (e.actor.username, e.detail["change"], e.detail.get("members"))
        for e in AuditEvent.objects.filter(action=Action.CHAT_MEMBERS)
        .select_related("actor")
        .order_by("id")
    ]


def usernames(body):
    return {m["username"] for m in body["members"]}


# --- rename --------------------------------------------------------------------------------------
def test_any_member_renames_a_group(personas, api_for, group):
    api = api_for(personas.doctor)
    response = api.patch(f"/conversations/{group.uuid}", {"title": " 退院前カンファ "})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(group.uuid) and body["kind"] == "group"
    assert body["name"] == "退院前カンファ" and body["title"] == "退院前カンファ"
    assert usernames(body) == {"p-nurse", "p-doctor", "p-caremanager"}
    # The same shape as GET /conversations/{id}.
    assert body == api.get(f"/conversations/{group.uuid}").json()
    event = AuditEvent.objects.get(action=Action.CHAT_MEMBERS)
    assert event.actor == personas.doctor and event.network_id == personas.net_a.pk
    assert event.target_type == "chat.conversation" and event.target_id == str(group.uuid)
    assert event.detail == {"change": "rename"}
    # The same name again changes nothing and is not audited.
    assert api.patch(f"/conversations/{group.uuid}", {"title": "退院前カンファ"}).status_code == 200
    # An empty name: shown with the members' names.
    cleared = api.patch(f"/conversations/{group.uuid}", {"title": ""}).json()
    assert cleared["name"] == "" and cleared["title"] != ""
    assert [change for _, change, _ in member_changes()] == ["rename", "rename"]


def test_rename_errors(personas, api_for, group, direct):
    api = api_for(personas.nurse)
    refused = api.patch(f"/conversations/{direct.uuid}", {"title": "相談"})
    assert refused.status_code == 422 and refused.json()["detail"] == DIRECT
    too_long = api.patch(f"/conversations/{group.uuid}", {"title": "あ" * 101})
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == [
        {
            "loc": ["body", "title"],
            "msg": "100文字以内で入力してください。",
            "type": "string_too_long",
        }
    ]
    assert api.patch(f"/conversations/{group.uuid}", {}).status_code == 422
    assert api.patch(f"/conversations/{group.uuid}", {"title": "x", "kind": "x"}).status_code == 422
    group.refresh_from_db()
    direct.refresh_from_db()
    assert group.title == "退院調整" and direct.title == ""
    assert member_changes() == []


# --- add ------------------------------------------------------------------------------------------
def test_any_member_adds_people_of_the_network(personas, api_for, group):
    api = api_for(personas.doctor)
    pharmacist = str(personas.pharmacist.uuid)
    response = api.post(f"/conversations/{group.uuid}/members", {"members": [pharmacist]})
    assert response.status_code == 200
    assert usernames(response.json()) == {"p-nurse", "p-doctor", "p-caremanager", "p-pharmacist"}
    assert member_changes() == [("p-doctor", "add", [pharmacist])]
    # The new member reads the conversation from now on.
    assert (
        api_for(personas.pharmacist).get(f"/conversations/{group.uuid}/messages").status_code == 200
    )
    # Someone already in (and the caller) is not added twice, nor audited.
    again = api.post(
        f"/conversations/{group.uuid}/members",
        {"members": [pharmacist, str(personas.doctor.uuid)]},
    )
    assert again.status_code == 200 and len(again.json()["members"]) == 4
    assert len(member_changes()) == 1


def test_add_errors(personas, api_for, group, direct):
    api = api_for(personas.nurse)
    path = f"/conversations/{group.uuid}/members"
    elsewhere = api.post(
        path, {"members": [str(personas.pharmacist.uuid), str(personas.nurse_b.uuid)]}
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"] == [
        {
            "loc": ["body", "members"],
            "msg": "同じネットワークの利用者ではない方は、会話に追加できません。",
            "type": "other_network",
        }
    ]
    unknown = api.post(path, {"members": ["00000000-0000-0000-0000-000000000000"]})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["type"] == "other_network"
    empty = api.post(path, {"members": []})
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["msg"] == "追加する方を1人以上選んでください。"
    myself = api.post(path, {"members": [str(personas.nurse.uuid)]})
    assert myself.status_code == 422
    malformed = api.post(path, {"members": ["x"]})
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["msg"] == "IDの形式が正しくありません。"
    assert api.post(path, {}).status_code == 422
    one_to_one = api.post(
        f"/conversations/{direct.uuid}/members", {"members": [str(personas.pharmacist.uuid)]}
    )
    assert one_to_one.status_code == 422 and one_to_one.json()["detail"] == DIRECT
    assert ConversationMember.objects.filter(user=personas.pharmacist).count() == 0
    assert member_changes() == []


# --- remove ---------------------------------------------------------------------------------------
def test_the_creator_removes_a_member_who_then_gets_404(personas, api_for, group):
    caremanager = api_for(personas.caremanager)
    assert caremanager.get(f"/conversations/{group.uuid}/messages").status_code == 200
    path = f"/conversations/{group.uuid}/members/{personas.caremanager.uuid}"
    response = api_for(personas.nurse).delete(path)
    assert response.status_code == 200
    assert usernames(response.json()) == {"p-nurse", "p-doctor"}
    assert member_changes() == [("p-nurse", "remove", [str(personas.caremanager.uuid)])]
    event = AuditEvent.objects.get(action=Action.CHAT_MEMBERS)
    assert event.target_id == str(group.uuid) and event.network_id == personas.net_a.pk
    # The removed member reaches nothing of the conversation any more.
    for response in (
        caremanager.get(f"/conversations/{group.uuid}/messages"),
        caremanager.get(f"/conversations/{group.uuid}"),
        caremanager.post(f"/conversations/{group.uuid}/messages", {"body": "x"}),
        caremanager.post(f"/conversations/{group.uuid}/leave"),
    ):
        assert response.status_code == 404 and response.json()["detail"] == NOT_FOUND
    assert caremanager.get("/conversations").json()["items"] == []
    # Added again by a member, they are back.
    api_for(personas.doctor).post(
        f"/conversations/{group.uuid}/members", {"members": [str(personas.caremanager.uuid)]}
    )
    assert caremanager.get(f"/conversations/{group.uuid}/messages").status_code == 200


def test_only_the_creator_removes(personas, api_for, group):
    response = api_for(personas.doctor).delete(
        f"/conversations/{group.uuid}/members/{personas.caremanager.uuid}"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "この操作を行う権限がありません。"
    assert len(services_members(group)) == 3
    assert member_changes() == []


def services_members(conversation):
    return list(ConversationMember.objects.filter(conversation=conversation, left_at__isnull=True))


@pytest.mark.parametrize("target", ["former", "never", "self", "unknown", "malformed"])
def test_removing_someone_who_is_not_another_member_is_404(personas, api_for, group, target):
    if target == "former":
        services.conversation_leave(
            actor=personas.doctor, access=access_conversation(personas.doctor, group.uuid)
        )
    user_id = {
        "former": personas.doctor.uuid,
        "never": personas.pharmacist.uuid,
        "self": personas.nurse.uuid,
        "unknown": "00000000-0000-0000-0000-000000000000",
        "malformed": "not-a-uuid",
    }[target]
    before = AuditEvent.objects.count()
    response = api_for(personas.nurse).delete(f"/conversations/{group.uuid}/members/{user_id}")
    assert response.status_code == 404 and response.json()["detail"] == NOT_FOUND
    assert AuditEvent.objects.count() == before


def test_no_removing_in_a_direct_conversation(personas, api_for, direct):
    response = api_for(personas.nurse).delete(
        f"/conversations/{direct.uuid}/members/{personas.doctor.uuid}"
    )
    assert response.status_code == 422 and response.json()["detail"] == DIRECT
    assert len(services_members(direct)) == 2


# --- leave ----------------------------------------------------------------------------------------
def test_leave_a_group_then_404(personas, api_for, group):
    doctor = api_for(personas.doctor)
    response = doctor.post(f"/conversations/{group.uuid}/leave")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(group.uuid)
    assert usernames(body) == {"p-nurse", "p-caremanager"}
    assert member_changes() == [("p-doctor", "leave", None)]
    assert doctor.get(f"/conversations/{group.uuid}").status_code == 404
    assert doctor.get(f"/conversations/{group.uuid}/messages").status_code == 404
    assert doctor.post(f"/conversations/{group.uuid}/leave").status_code == 404
    # The others carry on.
    nurse = api_for(personas.nurse)
    assert usernames(nurse.get(f"/conversations/{group.uuid}").json()) == {
        "p-nurse",
        "p-caremanager",
    }


def test_the_creator_may_leave_too_and_a_direct_conversation_can_be_left(
    personas, api_for, group, direct
):
    nurse = api_for(personas.nurse)
    assert nurse.post(f"/conversations/{group.uuid}/leave").status_code == 200
    left = nurse.post(f"/conversations/{direct.uuid}/leave")
    assert left.status_code == 200 and usernames(left.json()) == {"p-doctor"}
    assert nurse.get("/conversations").json()["items"] == []
    assert [change for _, change, _ in member_changes()] == ["leave", "leave"]


# --- out of reach ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "who", ["pharmacist", "operator_a", "nurse_b", "operator_c", "left", "removed"]
)
def test_outsiders_get_404_on_every_member_endpoint(personas, api_for, group, who):
    if who == "left":
        user = personas.doctor
        services.conversation_leave(actor=user, access=access_conversation(user, group.uuid))
    elif who == "removed":
        user = personas.caremanager
        services.member_remove(
            actor=personas.nurse,
            access=access_conversation(personas.nurse, group.uuid),
            member_uuid=user.uuid,
        )
    else:
        user = getattr(personas, who)
    before = AuditEvent.objects.count()
    api = api_for(user)
    base = f"/conversations/{group.uuid}"
    responses = [
        api.patch(base, {"title": "x"}),
        api.post(f"{base}/members", {"members": [str(user.uuid)]}),
        api.post(f"{base}/members", {"members": [str(personas.pharmacist.uuid)]}),
        api.delete(f"{base}/members/{personas.caremanager.uuid}"),
        api.delete(f"{base}/members/{personas.nurse.uuid}"),
        api.post(f"{base}/leave"),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert {r.json()["detail"] for r in responses} == {NOT_FOUND}
    group.refresh_from_db()
    assert group.title == "退院調整"
    assert AuditEvent.objects.count() == before
    # An unknown conversation id answers the same.
    assert api.post("/conversations/00000000-0000-0000-0000-000000000000/leave").status_code == 404


def test_no_token_no_change(personas, api_for, group):
    api = api_for(None)
    assert api.patch(f"/conversations/{group.uuid}", {"title": "x"}).status_code == 401
    assert api.post(f"/conversations/{group.uuid}/leave").status_code == 401
    assert Conversation.objects.get(pk=group.pk).title == "退院調整"


# --- query counts ------------------------------------------------------------------------------
def test_answers_do_not_grow_with_the_members(personas, api_for, group):
    """Each answer lists the members in one query: the same count with 3 members and with
    13 (measured: rename 14, add 17, remove 15 queries, the token's and the audit chain's
    included)."""
    api = api_for(personas.nurse)
    api.get("/me")  # the token's last use is recorded once a minute: not counted

    def measure(i: int) -> list[int]:
        extra = make_user(f"p-extra-{i}", f"看護 {i}", f"カンゴ {i}", "nurse", personas.nursing_a)
        calls = [
            lambda: api.patch(f"/conversations/{group.uuid}", {"title": f"名前 {i}"}),
            lambda: api.post(
                f"/conversations/{group.uuid}/members", {"members": [str(extra.uuid)]}
            ),
            lambda: api.delete(f"/conversations/{group.uuid}/members/{extra.uuid}"),
        ]
        counts = []
        for call in calls:
            with CaptureQueriesContext(connection) as context:
                assert call().status_code == 200
            counts.append(len(context.captured_queries))
        return counts

    small = measure(0)
    for i in range(1, 11):
        user = make_user(f"p-more-{i}", f"介護 {i}", f"カイゴ {i}", "nurse", personas.nursing_a)
        ConversationMember.objects.create(conversation=group, user=user, joined_at=group.created_at)
    large = measure(99)
    assert small == large, (small, large)
