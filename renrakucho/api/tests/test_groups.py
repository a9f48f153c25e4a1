"""Groups and boards API: lists, detail, join/request, members, threads (JSON and multipart,
413/415/422), replies (409 when closed), read receipts, files; 404 for outsiders and other
Networks on every operation, 403 for forbidden writes, audit rows, query counts at two
sizes (a board of 10 vs 10,000 threads)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.groups import board, services
from renrakucho.groups.models import GroupMembership, Reply, Thread, ThreadRead
from renrakucho.groups.tests.conftest import (  # noqa: F401 (fixtures)
    announcements,
    bulk_threads,
    council,
    doctors_group,
)
from renrakucho.notifications.models import Kind, Notification
from renrakucho.testing.files import HTML_PAGE, has_gps, jpeg_with_gps, pdf_bytes, upload

pytestmark = pytest.mark.django_db

NONE = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def doctors_thread(personas, doctors_group):  # noqa: F811
    return board.thread_create(
        actor=personas.doctor,
        group=doctors_group,
        title="厚労省通知",
        body="会員限定",
        files=[upload("通知.pdf", pdf_bytes(), "application/pdf")],
    )


def operations(group, thread):
    g, t = group.uuid, thread.uuid
    membership = GroupMembership.objects.filter(group=group).first().uuid
    attachment = thread.attachments.first().uuid
    return [
        ("get", f"/groups/{g}", None),
        ("post", f"/groups/{g}/join", None),
        ("post", f"/groups/{g}/decline", None),
        ("post", f"/groups/{g}/leave", {}),
        ("get", f"/groups/{g}/members", None),
        ("post", f"/groups/{g}/members", {"user": NONE}),
        ("post", f"/groups/{g}/members/{membership}/approve", None),
        ("post", f"/groups/{g}/members/{membership}/reject", None),
        ("patch", f"/groups/{g}/members/{membership}", {"role": "member"}),
        ("delete", f"/groups/{g}/members/{membership}", None),
        ("get", f"/groups/{g}/threads", None),
        ("get", f"/groups/{g}/threads?q=通知", None),
        ("post", f"/groups/{g}/threads", {"title": "x", "body": "y"}),
        ("get", f"/threads/{t}", None),
        ("patch", f"/threads/{t}", {"pinned": True}),
        ("post", f"/threads/{t}/read", None),
        ("get", f"/threads/{t}/replies", None),
        ("post", f"/threads/{t}/replies", {"body": "x"}),
        ("get", f"/board-files/{attachment}", None),
        ("get", f"/board-files/{attachment}/thumbnail", None),
    ]


def call(api, method, path, body):
    if method in ("get",):
        return api.get(path)
    return getattr(api, method)(path, body)


@pytest.mark.parametrize("who", ["pharmacist", "nurse", "operator_a", "nurse_b", "operator_c"])
def test_outsiders_get_404_everywhere_and_nothing_changes(
    personas,
    api_for,
    doctors_group,  # noqa: F811
    doctors_thread,
    who,
):
    api = api_for(getattr(personas, who))
    before = AuditEvent.objects.count()
    for method, path, body in operations(doctors_group, doctors_thread):
        response = call(api, method, path, body)
        assert response.status_code == 404, (method, path, response.content)
        assert "detail" in response.json()
    assert AuditEvent.objects.count() == before
    assert Thread.objects.count() == 1 and not Reply.objects.exists()
    listed = [g["name"] for g in api.get("/groups").json()]
    assert "伊那市医師会" not in listed


def test_unknown_ids_are_404(personas, api_for):
    api = api_for(personas.doctor)
    for path in (f"/groups/{NONE}", f"/threads/{NONE}", "/threads/not-a-uuid/replies"):
        assert api.get(path).status_code == 404


def test_anonymous_is_401(api_for, council):  # noqa: F811
    assert api_for(None).get("/groups").status_code == 401


def test_group_list_mine_invited_and_discoverable(
    personas,
    api_for,
    council,  # noqa: F811
    announcements,  # noqa: F811
    doctors_group,  # noqa: F811
):
    board.thread_create(actor=personas.caremanager, group=council, title="t", body="b")
    rows = {g["name"]: g for g in api_for(personas.nurse).get("/groups").json()}
    assert rows["介護事業所連絡会"]["membership"]["status"] == "active"
    assert rows["介護事業所連絡会"]["unread"] == 1
    assert rows["介護事業所連絡会"]["member_count"] == 2
    assert rows["伊那市からのお知らせ"]["membership"] is None
    assert rows["伊那市からのお知らせ"]["policy"] == "open"
    assert "伊那市医師会" not in rows
    doctors = {g["name"]: g for g in api_for(personas.doctor).get("/groups").json()}
    assert doctors["伊那市医師会"]["occupations"] == ["doctor"]


def test_join_request_and_approval(personas, api_for, council):  # noqa: F811
    pharmacist = api_for(personas.pharmacist)
    response = pharmacist.post(f"/groups/{council.uuid}/join")
    assert response.status_code == 200
    assert response.json()["status"] == "requested"
    again = pharmacist.post(f"/groups/{council.uuid}/join")
    assert again.status_code == 422
    assert "申請" in again.json()["detail"][0]["msg"]
    assert pharmacist.get(f"/groups/{council.uuid}/threads").status_code == 404
    membership = response.json()["id"]
    nurse = api_for(personas.nurse)
    path = f"/groups/{council.uuid}/members/{membership}/approve"
    assert nurse.post(path).status_code == 403
    owner = api_for(personas.caremanager)
    members = owner.get(f"/groups/{council.uuid}/members").json()
    assert {m["status"] for m in members} == {"active", "requested"}
    assert owner.post(path).json()["status"] == "active"
    assert pharmacist.get(f"/groups/{council.uuid}/threads").status_code == 200


def test_ineligible_join_is_422_in_japanese(personas, api_for, doctors_group):  # noqa: F811
    # The card is invisible to the ineligible pharmacist (404), and an invitation is refused.
    assert (
        api_for(personas.pharmacist).post(f"/groups/{doctors_group.uuid}/join").status_code == 404
    )
    response = api_for(personas.doctor).post(
        f"/groups/{doctors_group.uuid}/members", {"user": str(personas.pharmacist.uuid)}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "user"]
    assert "参加条件" in response.json()["detail"][0]["msg"]


def test_create_group_rules(personas, api_for):
    nurse = api_for(personas.nurse)
    response = nurse.post("/groups", {"network": "ina", "name": "看護の会", "policy": "open"})
    assert response.status_code == 403
    response = nurse.post("/groups", {"network": "ina", "name": "看護の会"})
    assert response.status_code == 201
    assert response.json()["membership"]["role"] == "owner"
    assert AuditEvent.objects.filter(action=Action.GROUP_CREATE).exists()
    response = nurse.post("/groups", {"network": "ina", "name": "看護の会"})
    assert response.status_code == 422
    response = nurse.post("/groups", {"network": "minowa", "name": "他所"})
    assert response.status_code == 422
    operator = api_for(personas.operator_a)
    response = operator.post(
        "/groups",
        {"network": "ina", "name": "お知らせ", "policy": "open", "announcement_only": True},
    )
    assert response.status_code == 201


def test_threads_json_and_multipart(personas, api_for, council, django_capture_on_commit_callbacks):  # noqa: F811
    api = api_for(personas.nurse)
    response = api.post(f"/groups/{council.uuid}/threads", {"title": "研修会", "body": "案内"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "研修会" and body["attachments"] == []
    assert Notification.objects.filter(user=personas.caremanager, kind=Kind.GROUP_POST).exists()
    response = api.client.post(
        f"/api/v1/groups/{council.uuid}/threads",
        {"title": "写真", "files": [upload("p.jpg", jpeg_with_gps(), "image/jpeg")]},
    )
    assert response.status_code == 201, response.content
    attachment = response.json()["attachments"][0]
    download = api.get(attachment["url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert not has_gps(b"".join(download.streaming_content))
    event = AuditEvent.objects.get(action=Action.BOARD_FILE)
    assert event.target_id == attachment["id"] and event.detail == {
        "group": str(council.uuid),
        "thread": response.json()["id"],
    }


def test_thread_errors(personas, api_for, council, settings):  # noqa: F811
    api = api_for(personas.nurse)
    path = f"/api/v1/groups/{council.uuid}/threads"
    response = api.client.post(path, {"title": "x", "files": [upload("a.pdf", HTML_PAGE)]})
    assert response.status_code == 415
    assert "ファイル" in response.json()["detail"][0]["msg"]
    settings.TIMELINE_MAX_PHOTO_MB = 0.001
    response = api.client.post(
        path, {"title": "x", "files": [upload("p.jpg", jpeg_with_gps((400, 400)), "image/jpeg")]}
    )
    assert response.status_code == 413
    response = api.post(f"/groups/{council.uuid}/threads", {"body": "件名なし"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "title"]
    response = api.post(f"/groups/{council.uuid}/threads", {"title": "x", "extra": "y"})
    assert response.status_code == 422
    response = api.client.post(
        f"/api/v1/groups/{council.uuid}/threads", "x", content_type="text/plain"
    )
    assert response.status_code == 415
    assert not Thread.objects.exists()


def test_announcement_group_members_get_403(personas, api_for, announcements):  # noqa: F811
    api = api_for(personas.nurse)
    assert api.post(f"/groups/{announcements.uuid}/join").json()["status"] == "active"
    response = api.post(f"/groups/{announcements.uuid}/threads", {"title": "x"})
    assert response.status_code == 403
    assert response.json()["detail"]


def test_replies_read_receipts_pin_and_close(personas, api_for, council):  # noqa: F811
    thread = board.thread_create(actor=personas.nurse, group=council, title="t", body="b")
    owner = api_for(personas.caremanager)
    response = owner.post(f"/threads/{thread.uuid}/replies", {"body": "参加します"})
    assert response.status_code == 201
    nurse = api_for(personas.nurse)
    replies = nurse.get(f"/threads/{thread.uuid}/replies").json()
    assert replies["items"][0]["body"] == "参加します"
    assert replies["items"][0]["read_count"] == 0
    assert nurse.post(f"/threads/{thread.uuid}/read").json() == {"marked": 1}
    assert nurse.post(f"/threads/{thread.uuid}/read").json() == {"marked": 0}
    replies = owner.get(f"/threads/{thread.uuid}/replies").json()
    assert replies["items"][0]["readers"][0]["username"] == personas.nurse.username
    owner.post(f"/threads/{thread.uuid}/read")
    assert owner.get(f"/threads/{thread.uuid}").json()["read_count"] == 1
    assert ThreadRead.objects.filter(user=personas.caremanager).exists()
    assert nurse.patch(f"/threads/{thread.uuid}", {"pinned": True}).status_code == 403
    assert owner.patch(f"/threads/{thread.uuid}", {"pinned": True}).json()["pinned"] is True
    assert nurse.patch(f"/threads/{thread.uuid}", {"closed": True}).json()["closed"] is True
    response = owner.post(f"/threads/{thread.uuid}/replies", {"body": "まだ"})
    assert response.status_code == 409
    assert "締め切られて" in response.json()["detail"][0]["msg"]
    listing = nurse.get(f"/groups/{council.uuid}/threads").json()
    assert listing["items"][0]["pinned"] is True


def test_search(personas, api_for, council):  # noqa: F811
    board.thread_create(actor=personas.nurse, group=council, title="ケアカンファレンス", body="")
    board.thread_create(actor=personas.nurse, group=council, title="別件", body="")
    items = api_for(personas.caremanager).get(f"/groups/{council.uuid}/threads?q=ｹｱｶﾝﾌｧ").json()
    assert [i["title"] for i in items["items"]] == ["ケアカンファレンス"]


def test_leave_and_successor(personas, api_for, council):  # noqa: F811
    owner = api_for(personas.caremanager)
    response = owner.post(f"/groups/{council.uuid}/leave", {})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "successor"]
    nurse = GroupMembership.objects.get(group=council, user=personas.nurse)
    response = owner.post(f"/groups/{council.uuid}/leave", {"successor": str(nurse.uuid)})
    assert response.json()["status"] == "left"
    assert owner.get(f"/groups/{council.uuid}/threads").status_code == 404


def count(api, path):
    with CaptureQueriesContext(connection) as context:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


def test_board_query_count_10_vs_10000(personas, api_for, council, bulk_threads):  # noqa: F811
    # Token (2–3), Networks (1), group (1), membership (1), pinned (1), page (1).
    api = api_for(personas.caremanager)
    path = f"/groups/{council.uuid}/threads"
    bulk_threads(council, personas.nurse, 10)
    api.get("/groups")  # the token's first use is recorded once
    first = count(api, path)
    bulk_threads(council, personas.nurse, 9990)
    second = count(api, path)
    assert first == second
    assert second <= 10
    cursor = api.get(path).json()["next_cursor"]
    assert count(api, f"{path}?cursor={cursor}") <= second + 1


def test_replies_and_group_list_query_counts(personas, api_for, council, bulk_threads):  # noqa: F811
    api = api_for(personas.caremanager)
    bulk_threads(council, personas.nurse, 1, replies=5)
    api.get("/groups")  # the token's first use is recorded once
    thread = council.threads.get()
    path = f"/threads/{thread.uuid}/replies"
    first = count(api, path)
    Reply.objects.bulk_create(
        [Reply(thread=thread, author=personas.nurse, body=f"r{i}") for i in range(500)]
    )
    assert count(api, path) == first
    groups_first = count(api, "/groups")
    for i in range(10):
        services.group_create(actor=personas.caremanager, network=personas.net_a, name=f"会{i}")
    assert count(api, "/groups") == groups_first
