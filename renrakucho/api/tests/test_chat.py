"""API v1: the directory (/users) and chat (/conversations, messages, read, files)."""

from __future__ import annotations

import pytest
from django.test import Client

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.chat import services
from renrakucho.chat.access import access_conversation
from renrakucho.chat.models import Conversation, Message
from renrakucho.testing.files import jpeg_with_gps

from .conftest import API

pytestmark = pytest.mark.django_db


@pytest.fixture
def direct(personas):
    conversation, _ = services.conversation_create(actor=personas.nurse, members=[personas.doctor])
    return conversation


def send(user, conversation, body="こんにちは", **kwargs):
    conversation.refresh_from_db()
    return services.message_send(actor=user, conversation=conversation, body=body, **kwargs)


def multipart(api, path, data):
    return api.client.post(API + path, data)


# --- /users --------------------------------------------------------------------------------
def test_users_are_the_professionals_of_my_networks(personas, api_for):
    response = api_for(personas.nurse).get("/users")
    assert response.status_code == 200
    items = response.json()["items"]
    usernames = [item["username"] for item in items]
    assert "p-nurse" not in usernames and "p-nurse-b" not in usernames  # me; Network B
    assert {"p-doctor", "p-pharmacist", "p-caremanager", "p-operator-a"} <= set(usernames)
    doctor = next(item for item in items if item["username"] == "p-doctor")
    assert doctor == {
        "id": str(personas.doctor.uuid),
        "username": "p-doctor",
        "name": "伊那 一郎",
        "name_kana": "イナ イチロウ",
        "occupations": [{"code": "doctor", "name": "医師"}],
        "facility": "いーなクリニック",
    }
    assert response.json()["next_offset"] is None


def test_users_search_by_kana_and_paging(personas, api_for):
    api = api_for(personas.nurse)
    found = api.get("/users", {"q": "ｸｽﾘ"}).json()["items"]
    assert [item["username"] for item in found] == ["p-pharmacist"]
    page = api.get("/users", {"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_offset"] == 1
    assert api.get("/users", {"limit": 0}).status_code == 422
    assert api_for(None).get("/users").status_code == 401


# --- conversations ---------------------------------------------------------------------------
def test_create_direct_then_the_same_one_again(personas, api_for):
    api = api_for(personas.nurse)
    created = api.post("/conversations", {"members": [str(personas.doctor.uuid)]})
    assert created.status_code == 201
    body = created.json()
    assert body["kind"] == "direct" and body["title"] == "伊那 一郎"
    assert {m["username"] for m in body["members"]} == {"p-nurse", "p-doctor"}
    assert body["network"]["slug"] == "ina"
    again = api_for(personas.doctor).post("/conversations", {"members": [str(personas.nurse.uuid)]})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert AuditEvent.objects.filter(action=Action.CHAT_CREATE).count() == 1


def test_create_group_and_errors(personas, api_for):
    api = api_for(personas.nurse)
    group = api.post(
        "/conversations",
        {
            "members": [str(personas.doctor.uuid), str(personas.pharmacist.uuid)],
            "title": "薬の相談",
        },
    )
    assert group.status_code == 201 and group.json()["kind"] == "group"
    other = api.post("/conversations", {"members": [str(personas.nurse_b.uuid)]})
    assert other.status_code == 422
    assert other.json()["detail"] == [
        {
            "loc": ["body", "members"],
            "msg": "同じネットワークの利用者ではない方は、会話に追加できません。",
            "type": "other_network",
        }
    ]
    assert api.post("/conversations", {"members": []}).status_code == 422
    bad = api.post("/conversations", {"members": ["x"]})
    assert (
        bad.status_code == 422 and bad.json()["detail"][0]["msg"] == "IDの形式が正しくありません。"
    )
    assert api.post("/conversations", {"members": [], "extra": 1}).status_code == 422
    assert Conversation.objects.count() == 1


def test_conversation_list_and_detail(personas, api_for, direct):
    send(personas.nurse, direct, "1")
    send(personas.nurse, direct, "2")
    api = api_for(personas.doctor)
    items = api.get("/conversations").json()["items"]
    assert [item["id"] for item in items] == [str(direct.uuid)]
    assert items[0]["unread"] == 2 and items[0]["last_seq"] == 2
    detail = api.get(f"/conversations/{direct.uuid}").json()
    assert detail["last_read_seq"] == 0


# --- messages --------------------------------------------------------------------------------
def test_send_and_catch_up(personas, api_for, direct):
    nurse = api_for(personas.nurse)
    doctor = api_for(personas.doctor)
    sent = nurse.post(f"/conversations/{direct.uuid}/messages", {"body": "明日10時に伺います"})
    assert sent.status_code == 201
    message = sent.json()
    assert message["seq"] == 1 and message["body"] == "明日10時に伺います"
    assert message["author"]["username"] == "p-nurse" and message["read_count"] == 0
    assert message["attachments"] == [] and message["resident"] is None
    doctor.post(f"/conversations/{direct.uuid}/messages", {"body": "了解です"})
    nurse.post(f"/conversations/{direct.uuid}/messages", {"body": "よろしくお願いします"})
    after = doctor.get(f"/conversations/{direct.uuid}/messages", {"after_seq": 1}).json()
    assert [m["seq"] for m in after["items"]] == [2, 3] and after["has_later"] is False
    capped = doctor.get(f"/conversations/{direct.uuid}/messages", {"after_seq": 0, "limit": 2})
    assert capped.json()["has_later"] is True
    before = doctor.get(f"/conversations/{direct.uuid}/messages", {"before_seq": 3}).json()
    assert [m["seq"] for m in before["items"]] == [1, 2] and before["has_earlier"] is False
    # 既読: the doctor reads up to 3, the nurse's messages show read_count 1.
    read = doctor.post(f"/conversations/{direct.uuid}/read", {"seq": 3})
    assert read.json() == {"last_read_seq": 3, "unread": 0}
    latest = nurse.get(f"/conversations/{direct.uuid}/messages").json()["items"]
    assert [m["read_count"] for m in latest] == [1, 1, 1]
    assert doctor.post(f"/conversations/{direct.uuid}/read", {"seq": -1}).status_code == 422


def test_message_input_errors(personas, api_for, direct, settings):
    api = api_for(personas.nurse)
    path = f"/conversations/{direct.uuid}/messages"
    empty = api.post(path, {"body": " "})
    assert empty.status_code == 422
    assert empty.json()["detail"][0] == {
        "loc": ["body", "body"],
        "msg": "メッセージを入力してください。",
        "type": "invalid",
    }
    assert api.post(path, {"body": "x", "unknown": 1}).status_code == 422
    text = api.client.post(API + path, "hello", content_type="text/plain")
    assert text.status_code == 415
    html = multipart(
        api, path, {"body": "x", "files": _upload("a.pdf", b"<html><body>x</body></html>")}
    )
    assert html.status_code == 415
    settings.TIMELINE_MAX_PHOTO_MB = 0.001
    large = multipart(api, path, {"files": _upload("a.jpg", jpeg_with_gps((640, 480)))})
    assert large.status_code == 413
    assert "ファイルが大きすぎます" in large.json()["detail"][0]["msg"]
    elsewhere = api.post(path, {"body": "x", "resident": "6f1c1f8e-8a57-4d8e-9d8a-3c0c6f1b2a11"})
    assert elsewhere.status_code == 422 and elsewhere.json()["detail"][0]["loc"] == [
        "body",
        "resident",
    ]
    assert not Message.objects.exists()


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_photo_and_download_audited(personas, api_for, direct):
    api = api_for(personas.nurse)
    sent = multipart(
        api,
        f"/conversations/{direct.uuid}/messages",
        {"body": "傷の写真です", "files": _upload("IMG.jpg", jpeg_with_gps((320, 240)))},
    )
    assert sent.status_code == 201
    attachment = sent.json()["attachments"][0]
    assert attachment["kind"] == "photo" and attachment["content_type"] == "image/jpeg"
    download = api_for(personas.doctor).client.get(attachment["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action=Action.CHAT_FILE)
    assert event.actor == personas.doctor and event.target_id == attachment["id"]
    assert event.detail == {"channel": "api", "conversation": str(direct.uuid)}
    assert api_for(personas.pharmacist).client.get(attachment["url"]).status_code == 404


def test_resident_link_name_only_with_access(personas, api_for):
    group, _ = services.conversation_create(
        actor=personas.nurse, members=[personas.doctor, personas.pharmacist], title="相談"
    )
    sent = api_for(personas.nurse).post(
        f"/conversations/{group.uuid}/messages",
        {"body": "この方の件", "resident": str(personas.resident.uuid)},
    )
    assert sent.json()["resident"] == {
        "id": str(personas.resident.uuid),
        "name": "山田 花子",
        "accessible": True,
    }
    seen = api_for(personas.pharmacist).get(f"/conversations/{group.uuid}/messages").json()
    assert seen["items"][0]["resident"] == {
        "id": str(personas.resident.uuid),
        "name": None,
        "accessible": False,
    }


def test_edit_and_delete(personas, api_for, direct):
    message = send(personas.nurse, direct, "10時")
    nurse = api_for(personas.nurse)
    doctor = api_for(personas.doctor)
    assert doctor.patch(f"/messages/{message.uuid}", {"body": "x"}).status_code == 403
    edited = nurse.patch(f"/messages/{message.uuid}", {"body": "11時"})
    assert edited.status_code == 200 and edited.json()["edited"] is True
    assert doctor.delete(f"/messages/{message.uuid}").status_code == 403
    deleted = nurse.delete(f"/messages/{message.uuid}")
    assert deleted.json()["deleted"] is True and deleted.json()["body"] == ""
    assert nurse.patch(f"/messages/{message.uuid}", {"body": "x"}).status_code == 409
    assert nurse.delete(f"/messages/{message.uuid}").status_code == 409
    assert AuditEvent.objects.filter(action=Action.CHAT_EDIT).count() == 1
    assert AuditEvent.objects.filter(action=Action.CHAT_DELETE).count() == 1


@pytest.mark.parametrize("who", ["pharmacist", "nurse_b", "operator_a", "operator_c", "left"])
def test_outsiders_get_404_on_every_endpoint(personas, api_for, direct, who):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("a.jpg", jpeg_with_gps((64, 48)))
    message = send(personas.nurse, direct, "写真", files=[photo])
    attachment = message.attachments.get()
    if who == "left":
        user = personas.doctor
        services.conversation_leave(actor=user, access=access_conversation(user, direct.uuid))
    else:
        user = getattr(personas, who)
    api = api_for(user)
    base = f"/conversations/{direct.uuid}"
    responses = [
        api.get(base),
        api.get(f"{base}/messages"),
        api.get(f"{base}/messages", {"after_seq": 0}),
        api.post(f"{base}/messages", {"body": "x"}),
        api.post(f"{base}/read", {"seq": 1}),
        api.get(f"{base}/attachments/{attachment.uuid}"),
        api.patch(f"/messages/{message.uuid}", {"body": "x"}),
        api.delete(f"/messages/{message.uuid}"),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert (
        responses[0].json()["detail"]
        == "指定されたデータは見つからないか、参照する権限がありません。"
    )
    assert str(direct.uuid) not in [
        item["id"] for item in api.get("/conversations").json()["items"]
    ]
    assert Message.objects.count() == 1


def test_session_cookie_is_not_enough(personas, direct):
    client = Client()
    client.force_login(personas.nurse, backend="renrakucho.accounts.backends.AffiliatedUserBackend")
    assert client.get(f"{API}/conversations").status_code == 401
