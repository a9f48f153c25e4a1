"""GET/PATCH/DELETE /posts/{id}: one post, editing (versions kept) and retraction."""

import pytest

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.timeline.models import Acknowledgement, Post, PostVersion

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c"]


def path(post, suffix=""):
    return f"/posts/{post.uuid}{suffix}"


# --- GET -------------------------------------------------------------------------------------
def test_detail(personas, api_for, make_post, last_audit):
    post = make_post(personas.nurse, kind="vitals", body="", vitals={"spo2": 85})
    response = api_for(personas.doctor).get(path(post))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(post.uuid) and body["kind_label"] == "バイタル"
    assert body["vitals"]["spo2"] == 85 and body["vitals"]["abnormal"] == ["spo2"]
    event = last_audit()
    assert event.action == Action.POST_VIEW and event.target_id == str(post.uuid)
    assert event.detail == {"channel": "api", "view": "post", "posts": [str(post.uuid)]}
    # Reading through the API does not mark it read (POST /posts/{id}/read does).
    assert body["read_by_me"] is False and not post.read_receipts.exists()


def test_detail_of_a_medical_post_is_404_for_non_medical_readers(personas, api_for, make_post):
    post = make_post(personas.nurse, visibility="medical", body="処置の記録")
    assert api_for(personas.doctor).get(path(post)).status_code == 200
    for user in (personas.caremanager, personas.operator_a):
        response = api_for(user).get(path(post))
        assert response.status_code == 404
        assert "処置" not in response.content.decode()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_detail_outsiders_404(personas, api_for, make_post, who):
    post = make_post()
    assert api_for(getattr(personas, who)).get(path(post)).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.POST_VIEW).exists()


def test_detail_unknown_or_malformed_id_is_404(personas, api_for):
    api = api_for(personas.nurse)
    assert api.get("/posts/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get("/posts/not-a-uuid").status_code == 404


def test_detail_after_leaving_the_team_is_404(personas, api_for, make_post):
    post = make_post(personas.nurse)
    api = api_for(personas.doctor)
    assert api.get(path(post)).status_code == 200
    personas.resident.team_members.filter(user=personas.doctor).update(status="left")
    assert api.get(path(post)).status_code == 404


def test_detail_wrong_method_and_anonymous(personas, api_for, make_post):
    post = make_post()
    assert api_for(personas.nurse).put(path(post)).status_code == 405
    assert api_for(personas.nurse).post(path(post)).status_code == 405
    assert api_for(None).get(path(post)).status_code == 401


@pytest.mark.parametrize("acks", [1, 30])
def test_detail_query_count(personas, api_for, make_post, django_assert_max_num_queries, acks):
    from renrakucho.accounts.models import User
    from renrakucho.residents.models import TeamRole
    from renrakucho.testing.personas import add_member, make_user

    post = make_post(personas.nurse, vitals={"pulse": 70})
    users = [personas.doctor] + [
        make_user(f"p-extra-{i}", f"追加 {i}", f"ツイカ {i}", "nurse", personas.nursing_a)
        for i in range(acks - 1)
    ]
    for user in users[1:]:
        add_member(personas.resident, user, TeamRole.OTHER)
    Acknowledgement.objects.bulk_create(
        [Acknowledgement(post=post, user=user, acknowledged_at=post.created_at) for user in users]
    )
    assert User.objects.count() >= acks
    api = api_for(personas.doctor)
    # auth 4; access_post: post (+author, vitals, retracted_by, resident) 1, resident
    # access 1, medical occupation 1; occupations 1, attachments 1; read counts 1,
    # acknowledgements (+users) 1; audit 5.
    with django_assert_max_num_queries(16):
        response = api.get(path(post))
    assert len(response.json()["acknowledged_by"]) == acks


# --- PATCH -----------------------------------------------------------------------------------
def test_edit_keeps_the_previous_version(personas, api_for, make_post, last_audit):
    post = make_post(personas.nurse, body="食欲あり", vitals={"temperature": "36.5"})
    response = api_for(personas.nurse).patch(
        path(post), {"body": "食欲あり。水分もとれています。", "vitals": {"temperature": 37.9}}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2 and body["edited"] is True and body["edited_at"]
    assert body["body"] == "食欲あり。水分もとれています。"
    assert body["vitals"]["temperature"] == 37.9
    (previous,) = PostVersion.objects.filter(post=post)
    assert previous.body == "食欲あり" and previous.vitals == {"temperature": "36.5"}
    event = last_audit()
    assert event.action == Action.POST_EDIT and sorted(event.detail["changed"]) == [
        "body",
        "vitals",
    ]


def test_edit_vitals_null_removes_them_and_kind_null_is_required(personas, api_for, make_post):
    post = make_post(personas.nurse, body="記録", vitals={"pulse": 80})
    api = api_for(personas.nurse)
    response = api.patch(path(post), {"vitals": None})
    assert response.status_code == 200 and response.json()["vitals"] is None
    response = api.patch(path(post), {"kind": None})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "kind"], "msg": "この項目は必須です。", "type": "missing"}
    ]


def test_edit_temperature_60_is_422_and_changes_nothing(personas, api_for, make_post):
    post = make_post(personas.nurse, kind="vitals", body="", vitals={"temperature": "36.5"})
    response = api_for(personas.nurse).patch(path(post), {"vitals": {"temperature": 60}})
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "loc": ["body", "vitals", "temperature"],
        "msg": "体温は30.0〜45.0℃の範囲で入力してください。",
        "type": "invalid",
    }
    post.refresh_from_db()
    assert post.version == 1 and not PostVersion.objects.exists()


def test_only_the_author_edits(personas, api_for, make_post):
    post = make_post(personas.nurse)
    for user in (personas.doctor, personas.caremanager, personas.operator_a):
        response = api_for(user).patch(path(post), {"body": "書き換え"})
        assert response.status_code == 403
    post.refresh_from_db()
    assert post.body == "様子に変わりありません。"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_edit_outsiders_404(personas, api_for, make_post, who):
    post = make_post()
    assert api_for(getattr(personas, who)).patch(path(post), {"body": "x"}).status_code == 404


def test_edit_anonymous(personas, api_for, make_post):
    post = make_post()
    assert api_for(None).patch(path(post), {"body": "x"}).status_code == 401


def test_edit_a_retracted_post_is_409(personas, api_for, make_post):
    post = make_post(personas.nurse)
    api = api_for(personas.nurse)
    assert api.delete(path(post), {"reason": "重複"}).status_code == 200
    response = api.patch(path(post), {"body": "x"})
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"] == "取り消された記事は編集できません。"


# --- DELETE (retraction) ------------------------------------------------------------------------
def test_retract_with_a_reason_in_the_body(personas, api_for, make_post, last_audit):
    post = make_post(personas.nurse, body="誤った記録", vitals={"pulse": 70})
    response = api_for(personas.nurse).delete(path(post), {"reason": "別の方の記録でした"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["retracted"] is True and body["body"] == "" and body["vitals"] is None
    assert body["retraction"]["reason"] == "別の方の記録でした"
    assert body["retraction"]["by"]["username"] == "p-nurse"
    post.refresh_from_db()
    assert post.is_retracted and post.body == "誤った記録"  # kept, no longer shown
    assert last_audit().action == Action.POST_RETRACT


def test_retract_with_a_reason_in_the_query(personas, api_for, make_post):
    post = make_post(personas.nurse)
    api = api_for(personas.nurse)
    response = api.client.delete("/api/v1" + path(post) + "?reason=重複して投稿したため")
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.retraction_reason == "重複して投稿したため"


def test_retract_without_a_reason_is_422(personas, api_for, make_post):
    post = make_post(personas.nurse)
    api = api_for(personas.nurse)
    for body in (None, {}, {"reason": "  "}):
        response = api.delete(path(post), body)
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {
                "loc": ["body", "reason"],
                "msg": "取り消しの理由を入力してください。",
                "type": "invalid",
            }
        ]
    response = api.delete(path(post), {"reason": "x", "why": "y"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "why"]
    post.refresh_from_db()
    assert not post.is_retracted


def test_lead_and_operator_may_retract_others_may_not(personas, api_for, make_post):
    first, second = make_post(personas.nurse), make_post(personas.nurse)
    assert api_for(personas.doctor).delete(path(first), {"reason": "x"}).status_code == 403
    assert api_for(personas.caremanager).delete(path(first), {"reason": "誤記"}).status_code == 200
    assert (
        api_for(personas.operator_a).delete(path(second), {"reason": "不適切"}).status_code == 200
    )
    assert Post.objects.filter(retracted_at__isnull=False).count() == 2


def test_retract_twice_is_409(personas, api_for, make_post):
    post = make_post(personas.nurse)
    api = api_for(personas.nurse)
    api.delete(path(post), {"reason": "x"})
    response = api.delete(path(post), {"reason": "x"})
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"] == "この記事は既に取り消されています。"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_retract_outsiders_404(personas, api_for, make_post, who):
    post = make_post()
    response = api_for(getattr(personas, who)).delete(path(post), {"reason": "x"})
    assert response.status_code == 404
    post.refresh_from_db()
    assert not post.is_retracted


def test_retract_anonymous(personas, api_for, make_post):
    post = make_post()
    assert api_for(None).delete(path(post), {"reason": "x"}).status_code == 401


def test_retract_with_a_body_that_is_not_json_is_415(personas, api_for, make_post):
    post = make_post(personas.nurse)
    api = api_for(personas.nurse)
    response = api.client.delete("/api/v1" + path(post), "reason=x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["detail"] == "Content-Type は application/json を指定してください。"
    post.refresh_from_db()
    assert not post.is_retracted
