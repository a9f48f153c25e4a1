"""GET /notifications and POST /notifications/read: the caller's own rows only."""

import uuid

import pytest

from renrakucho.notifications.models import Kind, Notification
from renrakucho.notifications.services import notify

pytestmark = pytest.mark.django_db


def send(users, kind=Kind.NEW_POST, **kwargs):
    return notify(users=users, kind=kind, url=f"/posts/{uuid.uuid4()}/", **kwargs)


def test_list_newest_first(personas, api_for):
    resident = personas.resident.uuid
    send([personas.nurse], resident_uuid=resident)
    (urgent,) = send([personas.nurse], Kind.URGENT_POST, resident_uuid=resident, urgent=True)
    send([personas.doctor])
    response = api_for(personas.nurse).get("/notifications")
    assert response.status_code == 200
    body = response.json()
    assert body["unread_count"] == 2 and body["next_cursor"] is None
    first = body["items"][0]
    assert first["id"] == str(urgent.uuid) and first["kind"] == "urgent_post"
    assert first["kind_label"] == "緊急の記事" and first["text"] == "緊急の記事があります"
    assert first["urgent"] is True and first["resident"] == str(resident)
    assert first["read_at"] is None and first["url"] == urgent.url
    # Never a resident's name.
    assert "山田" not in response.content.decode()


def test_list_pages_and_unread_filter(personas, api_for):
    rows = [send([personas.nurse])[0] for _ in range(3)]
    Notification.objects.filter(pk=rows[0].pk).update(read_at=rows[0].created_at)
    api = api_for(personas.nurse)
    page = api.get("/notifications", {"limit": 2}).json()
    assert [n["id"] for n in page["items"]] == [str(rows[2].uuid), str(rows[1].uuid)]
    page = api.get("/notifications", {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [n["id"] for n in page["items"]] == [str(rows[0].uuid)] and not page["next_cursor"]
    unread = api.get("/notifications", {"unread": "true"}).json()["items"]
    assert [n["id"] for n in unread] == [str(rows[2].uuid), str(rows[1].uuid)]


def test_others_see_none_of_it(personas, api_for):
    send([personas.nurse])
    for user in (personas.pharmacist, personas.nurse_b, personas.operator_c):
        body = api_for(user).get("/notifications").json()
        assert body["items"] == [] and body["unread_count"] == 0


def test_list_bad_parameters_wrong_method_and_anonymous(personas, api_for):
    api = api_for(personas.nurse)
    assert api.get("/notifications", {"cursor": "x"}).status_code == 422
    assert api.get("/notifications", {"limit": 500}).status_code == 422
    assert api.put("/notifications", {}).status_code == 405
    assert api_for(None).get("/notifications").status_code == 401


@pytest.mark.parametrize("n", [1, 50])
def test_list_query_count(personas, api_for, django_assert_max_num_queries, n):
    for _ in range(n):
        send([personas.nurse])
    api = api_for(personas.nurse)
    # auth 4; page 1; unread count 1.
    with django_assert_max_num_queries(6):
        response = api.get("/notifications", {"limit": 100})
    assert len(response.json()["items"]) == n


# --- mark read -------------------------------------------------------------------------------------
def test_mark_some_read(personas, api_for):
    rows = [send([personas.nurse])[0] for _ in range(3)]
    api = api_for(personas.nurse)
    response = api.post("/notifications/read", {"ids": [str(rows[0].uuid), str(rows[1].uuid)]})
    assert response.status_code == 200
    assert response.json() == {"marked": 2, "unread_count": 1}
    # Marking again changes nothing.
    assert api.post("/notifications/read", {"ids": [str(rows[0].uuid)]}).json()["marked"] == 0


def test_mark_all_read_with_an_empty_body(personas, api_for):
    for _ in range(3):
        send([personas.nurse])
    send([personas.doctor])
    api = api_for(personas.nurse)
    response = api.client.post("/api/v1/notifications/read")
    assert response.status_code == 200 and response.json() == {"marked": 3, "unread_count": 0}
    assert Notification.objects.filter(user=personas.doctor, read_at__isnull=True).exists()


def test_someone_elses_notification_is_404_and_nothing_is_marked(personas, api_for):
    (mine,) = send([personas.nurse])
    (theirs,) = send([personas.doctor])
    response = api_for(personas.nurse).post(
        "/notifications/read", {"ids": [str(mine.uuid), str(theirs.uuid)]}
    )
    assert response.status_code == 404
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_mark_read_bad_input(personas, api_for):
    api = api_for(personas.nurse)
    response = api.post("/notifications/read", {"ids": ["x"]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "ids", 0]
    assert response.json()["detail"][0]["msg"] == "IDの形式が正しくありません。"
    response = api.post("/notifications/read", {"all": True})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "この項目は指定できません。"


def test_mark_read_wrong_method_and_anonymous(personas, api_for):
    send([personas.nurse])
    assert api_for(personas.nurse).get("/notifications/read").status_code == 405
    assert api_for(None).post("/notifications/read", {}).status_code == 401
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_mark_read_from_a_filled_form_is_415(personas, api_for):
    (row,) = send([personas.nurse])
    api = api_for(personas.nurse)
    response = api.client.post("/api/v1/notifications/read", {"ids": str(row.uuid)})
    assert response.status_code == 415
    assert not Notification.objects.filter(read_at__isnull=False).exists()
