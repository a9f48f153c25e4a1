"""POST /posts/{id}/read, GET /posts/{id}/readers, POST /posts/{id}/ack,
GET/POST /posts/{id}/comments."""

import pytest

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.notifications.models import Notification
from renrakucho.timeline.models import Acknowledgement, Comment, ReadReceipt

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c"]


def path(post, suffix):
    return f"/posts/{post.uuid}/{suffix}"


def retract(api, post):
    assert api.delete(f"/posts/{post.uuid}", {"reason": "誤記"}).status_code == 200


# --- 既読 ---------------------------------------------------------------------------------------
def test_read_marks_once(personas, api_for, make_post):
    post = make_post(personas.nurse)
    api = api_for(personas.doctor)
    response = api.post(path(post, "read"))
    assert response.status_code == 204 and response.content == b""
    assert api.post(path(post, "read")).status_code == 204
    assert list(ReadReceipt.objects.values_list("user__username", flat=True)) == ["p-doctor"]
    item = api.get(f"/posts/{post.uuid}").json()
    assert item["read_count"] == 1 and item["read_by_me"] is True


def test_reading_ones_own_or_a_retracted_post_records_nothing(personas, api_for, make_post):
    own, other = make_post(personas.nurse), make_post(personas.doctor)
    api = api_for(personas.nurse)
    assert api.post(path(own, "read")).status_code == 204
    retract(api_for(personas.doctor), other)
    assert api.post(path(other, "read")).status_code == 204
    assert not ReadReceipt.objects.exists()


def test_operator_may_mark_read(personas, api_for, make_post):
    post = make_post(personas.nurse)
    assert api_for(personas.operator_a).post(path(post, "read")).status_code == 204
    assert ReadReceipt.objects.filter(user=personas.operator_a).exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_read_outsiders_404(personas, api_for, make_post, who):
    post = make_post()
    assert api_for(getattr(personas, who)).post(path(post, "read")).status_code == 404
    assert not ReadReceipt.objects.exists()


def test_read_of_a_medical_post_by_a_non_medical_member_is_404(personas, api_for, make_post):
    post = make_post(personas.nurse, visibility="medical")
    assert api_for(personas.caremanager).post(path(post, "read")).status_code == 404
    assert not ReadReceipt.objects.exists()


def test_read_wrong_method_and_anonymous(personas, api_for, make_post):
    post = make_post()
    assert api_for(personas.doctor).get(path(post, "read")).status_code == 405
    assert api_for(None).post(path(post, "read")).status_code == 401


# --- readers -------------------------------------------------------------------------------------
def test_readers(personas, api_for, make_post, last_audit):
    post = make_post(personas.nurse)
    api_for(personas.doctor).post(path(post, "read"))
    api_for(personas.caremanager).post(path(post, "read"))
    response = api_for(personas.nurse).get(path(post, "readers"))
    assert response.status_code == 200
    readers = response.json()
    assert [r["user"]["username"] for r in readers] == ["p-doctor", "p-caremanager"]
    assert readers[0]["user"]["occupations"] == [{"code": "doctor", "name": "医師"}]
    assert readers[0]["read_at"]
    event = last_audit()
    assert event.action == Action.POST_VIEW and event.detail["view"] == "readers"
    assert event.target_id == str(post.uuid)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_readers_outsiders_404(personas, api_for, make_post, who):
    post = make_post()
    assert api_for(getattr(personas, who)).get(path(post, "readers")).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.POST_VIEW).exists()


def test_readers_wrong_method_and_anonymous(personas, api_for, make_post):
    post = make_post()
    assert api_for(personas.nurse).post(path(post, "readers")).status_code == 405
    assert api_for(None).get(path(post, "readers")).status_code == 401


@pytest.mark.parametrize("n", [1, 30])
def test_readers_query_count(personas, api_for, make_post, django_assert_max_num_queries, n):
    from renrakucho.testing.personas import make_user

    post = make_post(personas.nurse)
    users = [personas.doctor] + [
        make_user(f"p-reader-{i}", f"読者 {i}", f"ドクシャ {i}", "nurse", personas.nursing_a)
        for i in range(n - 1)
    ]
    ReadReceipt.objects.bulk_create(
        [ReadReceipt(post=post, user=user, read_at=post.created_at) for user in users]
    )
    api = api_for(personas.nurse)
    # auth 4; access_post 3; receipts (+users) 1, their occupations 1; audit 5.
    with django_assert_max_num_queries(14):
        response = api.get(path(post, "readers"))
    assert len(response.json()) == n


# --- 了解 ----------------------------------------------------------------------------------------
def test_acknowledge(personas, api_for, make_post, last_audit):
    post = make_post(personas.nurse, urgent=True)
    api = api_for(personas.doctor)
    response = api.post(path(post, "ack"))
    assert response.status_code == 200
    (ack,) = response.json()["acknowledged_by"]
    assert ack["user"]["username"] == "p-doctor" and ack["user"]["name_kana"] == "イナ イチロウ"
    assert last_audit().action == Action.POST_ACK
    # Idempotent: once only.
    assert api.post(path(post, "ack")).status_code == 200
    assert Acknowledgement.objects.count() == 1


def test_acknowledging_ones_own_post_is_422(personas, api_for, make_post):
    post = make_post(personas.nurse)
    response = api_for(personas.nurse).post(path(post, "ack"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "ご自身の記事には了解できません。"
    assert not Acknowledgement.objects.exists()


def test_acknowledging_a_retracted_post_is_409(personas, api_for, make_post):
    post = make_post(personas.nurse)
    retract(api_for(personas.nurse), post)
    response = api_for(personas.doctor).post(path(post, "ack"))
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"] == "取り消された記事には操作できません。"
    assert not Acknowledgement.objects.exists()


def test_operator_may_not_acknowledge(personas, api_for, make_post):
    post = make_post(personas.nurse)
    assert api_for(personas.operator_a).post(path(post, "ack")).status_code == 403
    assert not Acknowledgement.objects.exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_acknowledge_outsiders_404(personas, api_for, make_post, who):
    post = make_post()
    assert api_for(getattr(personas, who)).post(path(post, "ack")).status_code == 404
    assert not Acknowledgement.objects.exists()


def test_acknowledge_wrong_method_and_anonymous(personas, api_for, make_post):
    post = make_post()
    assert api_for(personas.doctor).get(path(post, "ack")).status_code == 405
    assert api_for(None).post(path(post, "ack")).status_code == 401


# --- comments ------------------------------------------------------------------------------------
def test_comment_and_list(personas, api_for, make_post, last_audit):
    post = make_post(personas.nurse)
    response = api_for(personas.doctor).post(
        path(post, "comments"), {"body": "確認しました。@p-caremanager さんも見てください。"}
    )
    assert response.status_code == 201, response.content
    comment = response.json()
    assert comment["post"] == str(post.uuid) and comment["author"]["username"] == "p-doctor"
    assert last_audit().action == Action.COMMENT_CREATE
    # The author is told about the comment, the mentioned member about the mention.
    kinds = set(Notification.objects.values_list("user__username", "kind"))
    assert {("p-nurse", "comment"), ("p-caremanager", "mention")} <= kinds

    response = api_for(personas.caremanager).get(path(post, "comments"))
    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [comment["id"]]
    event = last_audit()
    assert event.action == Action.POST_VIEW and event.detail["view"] == "comments"
    assert api_for(personas.caremanager).get(f"/posts/{post.uuid}").json()["comment_count"] == 1


@pytest.mark.parametrize(
    "body,msg",
    [
        ({"body": ""}, "この項目は必須です。"),
        ({"body": "   "}, "コメントを入力してください。"),
        ({"body": "あ" * 5001}, "5000文字以内で入力してください。"),
        ({}, "この項目は必須です。"),
    ],
)
def test_comment_bad_input_is_422(personas, api_for, make_post, body, msg):
    post = make_post(personas.nurse)
    response = api_for(personas.doctor).post(path(post, "comments"), body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == msg
    assert not Comment.objects.exists()


def test_comment_on_a_retracted_post_is_409(personas, api_for, make_post):
    post = make_post(personas.nurse)
    retract(api_for(personas.nurse), post)
    response = api_for(personas.doctor).post(path(post, "comments"), {"body": "x"})
    assert response.status_code == 409
    assert not Comment.objects.exists()


def test_operator_reads_comments_but_may_not_comment(personas, api_for, make_post):
    post = make_post(personas.nurse)
    api = api_for(personas.operator_a)
    assert api.get(path(post, "comments")).status_code == 200
    assert api.post(path(post, "comments"), {"body": "運営から"}).status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_comments_outsiders_404(personas, api_for, make_post, who):
    post = make_post()
    api = api_for(getattr(personas, who))
    assert api.get(path(post, "comments")).status_code == 404
    assert api.post(path(post, "comments"), {"body": "x"}).status_code == 404
    assert not Comment.objects.exists()


def test_comments_wrong_method_and_anonymous(personas, api_for, make_post):
    post = make_post()
    assert api_for(personas.doctor).put(path(post, "comments"), {"body": "x"}).status_code == 405
    assert api_for(None).get(path(post, "comments")).status_code == 401
    assert api_for(None).post(path(post, "comments"), {"body": "x"}).status_code == 401


@pytest.mark.parametrize("n", [1, 30])
def test_comments_query_count(personas, api_for, make_post, django_assert_max_num_queries, n):
    post = make_post(personas.nurse)
    Comment.objects.bulk_create(
        [Comment(post=post, author=personas.doctor, body=f"コメント {i}") for i in range(n)]
    )
    api = api_for(personas.nurse)
    # auth 4; access_post 3; comments (+authors) 1; audit 5.
    with django_assert_max_num_queries(13):
        response = api.get(path(post, "comments"))
    assert len(response.json()) == n
