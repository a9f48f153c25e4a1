"""GET/POST /residents/{id}/posts: the timeline as keyset pages, and posting from JSON or
multipart form data (files, 413/415/422)."""

import json

import pytest

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.testing.files import (
    HTML_PAGE,
    SVG_WITH_SCRIPT,
    has_gps,
    jpeg_with_gps,
    pdf_bytes,
    upload,
)
from renrakucho.timeline.models import Attachment, Post

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c"]


def posts_path(personas):
    return f"/residents/{personas.resident.uuid}/posts"


def multipart(api, personas, data, files=()):
    """POST as multipart form data (the test client's default encoding)."""
    body = dict(data)
    if files:
        body["files"] = list(files)
    return api.client.post("/api/v1" + posts_path(personas), body)


# --- GET: the timeline -----------------------------------------------------------------------
def test_list_newest_first_with_everything_a_post_shows(personas, api_for, make_post, last_audit):
    first = make_post(personas.nurse, body="朝の訪問")
    second = make_post(
        personas.nurse,
        kind="visit",
        body="夕方の訪問",
        visited_at=first.created_at,
        vitals={"systolic": 185, "diastolic": 90, "temperature": "36.8"},
        urgent=True,
    )
    response = api_for(personas.doctor).get(posts_path(personas))
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [str(second.uuid), str(first.uuid)]
    assert body["next_cursor"] is None
    item = body["items"][0]
    assert item["kind"] == "visit" and item["kind_label"] == "訪問記録"
    assert item["body"] == "夕方の訪問" and item["urgent"] is True
    assert item["resident"] == str(personas.resident.uuid)
    assert item["author"]["username"] == "p-nurse"
    assert item["author"]["name_kana"] == "カンゴ ハナコ"
    assert item["author"]["occupations"] == [{"code": "nurse", "name": "看護師"}]
    assert item["vitals"]["systolic"] == 185 and item["vitals"]["temperature"] == 36.8
    assert item["vitals"]["abnormal"] == ["systolic"]
    assert item["version"] == 1 and item["edited"] is False and item["retracted"] is False
    assert item["attachments"] == [] and item["comment_count"] == 0
    assert item["read_count"] == 0 and item["read_by_me"] is False
    assert item["acknowledged_by"] == []
    event = last_audit()
    assert event.action == Action.POST_VIEW
    assert event.resident_uuid == personas.resident.uuid
    assert event.detail["channel"] == "api"
    assert event.detail["posts"] == [str(second.uuid), str(first.uuid)]


def test_list_pages_with_a_cursor(personas, api_for, bulk_posts):
    posts = bulk_posts(5)
    api = api_for(personas.nurse)
    page = api.get(posts_path(personas), {"limit": 2}).json()
    assert [p["id"] for p in page["items"]] == [str(posts[4].uuid), str(posts[3].uuid)]
    assert page["next_cursor"] == str(posts[3].uuid)
    page = api.get(posts_path(personas), {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [p["id"] for p in page["items"]] == [str(posts[2].uuid), str(posts[1].uuid)]
    page = api.get(posts_path(personas), {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [p["id"] for p in page["items"]] == [str(posts[0].uuid)]
    assert page["next_cursor"] is None


def test_list_bad_cursor_and_limit_are_422(personas, api_for):
    api = api_for(personas.nurse)
    response = api.get(posts_path(personas), {"cursor": "山田"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "IDの形式が正しくありません。"
    assert api.get(posts_path(personas), {"limit": 0}).status_code == 422


def test_list_shows_read_counts_and_acknowledgements(personas, api_for, bulk_posts):
    bulk_posts(1)
    item = api_for(personas.doctor).get(posts_path(personas)).json()["items"][0]
    assert item["read_count"] == 1 and item["read_by_me"] is True
    assert [a["user"]["username"] for a in item["acknowledged_by"]] == ["p-doctor"]
    other = api_for(personas.nurse).get(posts_path(personas)).json()["items"][0]
    assert other["read_by_me"] is False


def test_medical_posts_only_for_medical_readers(personas, api_for, make_post):
    medical = make_post(personas.nurse, body="褥瘡の処置", visibility="medical")
    team = make_post(personas.nurse, body="みなさんへ")
    ids = lambda user: [p["id"] for p in api_for(user).get(posts_path(personas)).json()["items"]]  # noqa: E731
    assert ids(personas.doctor) == [str(team.uuid), str(medical.uuid)]
    assert ids(personas.caremanager) == [str(team.uuid)]
    assert ids(personas.operator_a) == [str(team.uuid)]


def test_retracted_post_is_a_marker(personas, api_for, make_post):
    from renrakucho.timeline.access import access_post
    from renrakucho.timeline.services import post_retract

    post = make_post(personas.nurse, body="誤記", vitals={"pulse": 70})
    access, found = access_post(personas.nurse, post.uuid)
    post_retract(actor=personas.nurse, access=access, post=found, reason="別の方の記録でした")
    item = api_for(personas.doctor).get(posts_path(personas)).json()["items"][0]
    assert item["retracted"] is True and item["body"] == "" and item["vitals"] is None
    assert item["retraction"]["reason"] == "別の方の記録でした"
    assert item["retraction"]["by"]["username"] == "p-nurse"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_list_outsiders_404(personas, api_for, make_post, who):
    make_post()
    response = api_for(getattr(personas, who)).get(posts_path(personas))
    assert response.status_code == 404
    assert "山田" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.POST_VIEW).exists()


def test_list_without_consent_is_404(personas, api_for):
    personas.consent.revoked_on = personas.consent.consented_on
    personas.consent.save(update_fields=["revoked_on"])
    assert api_for(personas.nurse).get(posts_path(personas)).status_code == 404


def test_list_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.nurse).put(posts_path(personas)).status_code == 405
    assert api_for(None).get(posts_path(personas)).status_code == 401


@pytest.mark.parametrize("n", [5, 60])
def test_list_query_count(personas, api_for, bulk_posts, django_assert_max_num_queries, n):
    bulk_posts(n)
    api = api_for(personas.doctor)
    # auth 4 (token, Network links, two-factor rule, last_used_at); access: resident 1,
    # medical occupation 1; page: posts (+author, vitals, retracted_by) 1, occupations 1,
    # attachments 1; read counts 1, acknowledgements (+users) 1; audit 5 (savepoint, chain
    # head, insert, head update, release).
    with django_assert_max_num_queries(16):
        response = api.get(posts_path(personas), {"limit": 50})
    assert len(response.json()["items"]) == min(n, 50)
    assert len(response.json()["items"][0]["attachments"]) == 2


# --- POST from JSON ------------------------------------------------------------------------
def test_create_from_json(personas, api_for, last_audit):
    response = api_for(personas.nurse).post(
        posts_path(personas),
        {
            "kind": "visit",
            "body": "訪問しました。食事は半分ほど。",
            "visited_at": "2024-04-01T10:00:00",
            "vitals": {"systolic": 128, "diastolic": 76, "temperature": 36.6, "spo2": 88},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    post = Post.objects.get(uuid=body["id"])
    assert post.resident == personas.resident and post.author == personas.nurse
    # A time without an offset is Japan time.
    assert body["visited_at"].startswith("2024-04-01T10:00:00") and "+09:00" in body["visited_at"]
    assert body["vitals"]["temperature"] == 36.6 and body["vitals"]["abnormal"] == ["spo2"]
    assert body["author"]["occupations"][0]["code"] == "nurse"
    assert body["visibility"] == "team" and body["urgent"] is False
    event = last_audit()
    assert event.action == Action.POST_CREATE and event.target_id == body["id"]


@pytest.mark.parametrize(
    "payload,loc,msg",
    [
        (
            {"kind": "vitals", "vitals": {"temperature": 60}},
            ["body", "vitals", "temperature"],
            "体温は30.0〜45.0℃の範囲で入力してください。",
        ),
        ({"kind": "diary", "body": "x"}, ["body", "kind"], "選択肢の中から選んでください。"),
        ({"body": "x"}, ["body", "kind"], "この項目は必須です。"),
        ({"kind": "message", "body": ""}, ["body", "body"], "本文を入力してください。"),
        (
            {"kind": "visit", "body": "訪問"},
            ["body", "visited_at"],
            "訪問記録には訪問日時を入力してください。",
        ),
        (
            {"kind": "vitals", "vitals": {"pulse": "速い"}},
            ["body", "vitals", "pulse"],
            "数値を入力してください。",
        ),
        (
            {"kind": "vitals", "vitals": {"height": 150}},
            ["body", "vitals", "height"],
            "この項目は指定できません。",
        ),
        (
            {"kind": "message", "body": "x", "mood": "良い"},
            ["body", "mood"],
            "この項目は指定できません。",
        ),
    ],
)
def test_create_bad_input_is_422_in_japanese_and_saves_nothing(
    personas, api_for, payload, loc, msg
):
    response = api_for(personas.nurse).post(posts_path(personas), payload)
    assert response.status_code == 422
    assert [(e["loc"], e["msg"]) for e in response.json()["detail"]] == [(loc, msg)]
    assert not Post.objects.exists()


def test_create_medical_visibility_only_for_medical_staff(personas, api_for):
    response = api_for(personas.caremanager).post(
        posts_path(personas), {"kind": "message", "body": "x", "visibility": "medical"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("「医療・看護職のみ」は")
    assert not Post.objects.exists()


def test_create_malformed_json_and_other_content_types(personas, api_for):
    api = api_for(personas.nurse)
    url = "/api/v1" + posts_path(personas)
    response = api.client.post(url, "{kind", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "JSONの形式が正しくありません。"
    response = api.client.post(url, "kind=message", content_type="text/plain")
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    assert not Post.objects.exists()


def test_operator_reads_but_may_not_post(personas, api_for):
    response = api_for(personas.operator_a).post(
        posts_path(personas), {"kind": "message", "body": "運営から"}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "この操作を行う権限がありません。"
    assert not Post.objects.exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_create_outsiders_404(personas, api_for, who):
    response = api_for(getattr(personas, who)).post(
        posts_path(personas), {"kind": "message", "body": "x"}
    )
    assert response.status_code == 404
    assert not Post.objects.exists() and not AuditEvent.objects.exists()


def test_create_anonymous(personas, api_for):
    response = api_for(None).post(posts_path(personas), {"kind": "message", "body": "x"})
    assert response.status_code == 401
    assert not Post.objects.exists()


# --- POST multipart with files ------------------------------------------------------------------
def test_multipart_photo_comes_back_without_location(personas, api_for, media_root):
    api = api_for(personas.nurse)
    original = jpeg_with_gps()
    assert has_gps(original)
    response = multipart(
        api,
        personas,
        {"kind": "visit", "body": "創部の写真", "visited_at": "2024-04-01T10:00:00+09:00",
         "vitals": json.dumps({"pulse": 72}), "urgent": "true"},
        [upload("山田さん創部.jpg", original, "image/jpeg")],
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["urgent"] is True and body["vitals"]["pulse"] == 72
    (attachment,) = body["attachments"]
    assert attachment["kind"] == "photo" and attachment["content_type"] == "image/jpeg"
    assert attachment["url"] == f"/api/v1/attachments/{attachment['id']}"
    assert attachment["thumbnail_url"] == f"/api/v1/attachments/{attachment['id']}/thumbnail"
    download = api.client.get(attachment["url"])
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert content[:3] == b"\xff\xd8\xff" and not has_gps(content)
    assert len(content) == attachment["size"]
    # The name typed by the user (a resident's name) is stored nowhere.
    stored = Attachment.objects.get(uuid=attachment["id"])
    assert "山田" not in stored.file.name


def test_multipart_pdf_and_several_files(personas, api_for, media_root):
    response = multipart(
        api_for(personas.nurse),
        personas,
        {"kind": "report", "body": "指示書です"},
        [upload("shiji.pdf", pdf_bytes()), upload("photo.jpg", jpeg_with_gps())],
    )
    assert response.status_code == 201, response.content
    kinds = [a["kind"] for a in response.json()["attachments"]]
    assert kinds == ["pdf", "photo"]


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("drawing.svg", SVG_WITH_SCRIPT, "bad_type"),
        ("photo.jpg", HTML_PAGE, "bad_type"),
        ("clip.mp4", pdf_bytes(), "name_mismatch"),
    ],
)
def test_multipart_refused_type_is_415(personas, api_for, media_root, name, content, code):
    response = multipart(
        api_for(personas.nurse),
        personas,
        {"kind": "message", "body": "添付"},
        [upload(name, content)],
    )
    assert response.status_code == 415
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "files"] and error["type"] == code
    assert error["msg"].startswith("1件目のファイル: ")
    assert not Post.objects.exists() and not Attachment.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_multipart_oversized_file_is_413(personas, api_for, media_root, settings):
    settings.TIMELINE_MAX_PHOTO_MB = 0.001  # about 1 KB
    photo = jpeg_with_gps(size=(400, 300))
    assert len(photo) > 1100
    response = multipart(
        api_for(personas.nurse),
        personas,
        {"kind": "message", "body": "x"},
        [upload("a.jpg", photo)],
    )
    assert response.status_code == 413
    (error,) = response.json()["detail"]
    assert error["type"] == "too_large" and "ファイルが大きすぎます。" in error["msg"]
    assert not Post.objects.exists() and not Attachment.objects.exists()


def test_multipart_size_error_wins_over_other_errors(personas, api_for, media_root, settings):
    settings.TIMELINE_MAX_PHOTO_MB = 0.001
    response = multipart(
        api_for(personas.nurse),
        personas,
        {"kind": "vitals", "vitals": json.dumps({"temperature": 60})},
        [upload("a.jpg", jpeg_with_gps(size=(400, 300)))],
    )
    assert response.status_code == 413
    locs = [e["loc"] for e in response.json()["detail"]]
    assert ["body", "files"] in locs and ["body", "vitals", "temperature"] in locs


def test_multipart_zero_byte_file_is_422(personas, api_for, media_root):
    # An empty file has no type to refuse: it is an invalid (empty) value, hence 422.
    response = multipart(
        api_for(personas.nurse), personas, {"kind": "message", "body": "x"}, [upload("a.jpg", b"")]
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["type"] == "empty" and error["msg"] == "1件目のファイル: ファイルが空です。"
    assert not Post.objects.exists()


def test_multipart_temperature_60_is_422(personas, api_for, media_root):
    response = multipart(
        api_for(personas.nurse),
        personas,
        {"kind": "vitals", "vitals": json.dumps({"temperature": "60"})},
        [upload("a.jpg", jpeg_with_gps())],
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "vitals", "temperature"],
            "msg": "体温は30.0〜45.0℃の範囲で入力してください。",
            "type": "invalid",
        }
    ]
    assert not Post.objects.exists() and not Attachment.objects.exists()


def test_multipart_bad_vitals_json_and_stray_file_field(personas, api_for, media_root):
    api = api_for(personas.nurse)
    response = multipart(api, personas, {"kind": "vitals", "vitals": "{pulse: 70"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "vitals"]
    response = api.client.post(
        "/api/v1" + posts_path(personas),
        {"kind": "message", "body": "x", "file": upload("a.jpg", jpeg_with_gps())},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert not Post.objects.exists()


def test_multipart_outsider_404_before_reading_files(personas, api_for, media_root):
    response = multipart(
        api_for(personas.pharmacist),
        personas,
        {"kind": "message", "body": "x"},
        [upload("a.jpg", jpeg_with_gps())],
    )
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_multipart_empty_optional_fields_are_left_out(personas, api_for, media_root):
    response = multipart(
        api_for(personas.nurse),
        personas,
        {"kind": "message", "body": "連絡です", "vitals": "", "visibility": "", "urgent": "",
         "visited_at": ""},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visibility"] == "team" and body["urgent"] is False
    assert body["vitals"] is None and body["visited_at"] is None
