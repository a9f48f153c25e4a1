"""GET /audit: the access log for the operators of a Network."""

import pytest

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.audit.services import audit_record

pytestmark = pytest.mark.django_db

NON_OPERATORS = ["nurse", "caremanager", "pharmacist", "nurse_b", "operator_c"]


def log_reads(personas, n, actor=None):
    for _ in range(n):
        audit_record(
            action=Action.RESIDENT_VIEW,
            actor=actor or personas.nurse,
            network_id=personas.net_a.pk,
            target=personas.resident,
            resident_uuid=personas.resident.uuid,
        )


def test_operator_reads_a_residents_log(personas, api_for, last_audit):
    api_for(personas.nurse).get(f"/residents/{personas.resident.uuid}")
    response = api_for(personas.operator_a).get("/audit", {"resident": str(personas.resident.uuid)})
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    (entry,) = body["items"]
    assert entry["actor"] == {"username": "p-nurse", "name": "看護 花子"}
    assert entry["action"] == "resident.view" and entry["action_label"] == "支援対象者の閲覧"
    assert entry["target"] == {
        "type": "residents.resident",
        "id": str(personas.resident.uuid),
        "label": "支援対象者",
    }
    assert entry["resident"] == str(personas.resident.uuid)
    assert entry["ip"] == "127.0.0.1" and entry["at"]
    event = last_audit()
    assert event.action == Action.AUDIT_VIEW and event.actor == personas.operator_a
    assert event.resident_uuid == personas.resident.uuid


def test_only_this_residents_entries(personas, api_for):
    from .conftest import grow_team_residents

    (other,) = grow_team_residents(personas, 1)
    api_for(personas.nurse).get(f"/residents/{other.uuid}")
    log_reads(personas, 2)
    body = (
        api_for(personas.operator_a).get("/audit", {"resident": str(personas.resident.uuid)}).json()
    )
    assert len(body["items"]) == 2
    assert {e["resident"] for e in body["items"]} == {str(personas.resident.uuid)}


def test_operator_reads_the_networks_log_without_resident(personas, api_for):
    log_reads(personas, 3)
    audit_record(action=Action.RESIDENT_VIEW, actor=personas.nurse_b, network_id=personas.net_b.pk)
    body = api_for(personas.operator_a).get("/audit").json()
    assert len(body["items"]) == 3
    assert all(e["actor"]["username"] == "p-nurse" for e in body["items"])


def test_keyset_pages(personas, api_for):
    log_reads(personas, 5)
    api = api_for(personas.operator_a)
    params = {"resident": str(personas.resident.uuid), "limit": 2}
    seen = []
    page = api.get("/audit", params).json()
    while True:
        seen += [e["id"] for e in page["items"]]
        if page["next"] is None:
            break
        page = api.get("/audit", {**params, "before": page["next"]}).json()
    ids = list(
        AuditEvent.objects.filter(resident_uuid=personas.resident.uuid, action="resident.view")
        .order_by("-id")
        .values_list("hash", flat=True)
    )
    assert seen == ids and len(seen) == 5


def test_unknown_cursor_is_422(personas, api_for):
    response = api_for(personas.operator_a).get(
        "/audit", {"resident": str(personas.resident.uuid), "before": "f" * 64}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["query", "before"],
            "msg": "指定されたページ位置が見つかりません。",
            "type": "invalid",
        }
    ]


@pytest.mark.parametrize("who", NON_OPERATORS)
def test_everyone_but_the_networks_operator_gets_404(personas, api_for, who):
    api = api_for(getattr(personas, who))
    response = api.get("/audit", {"resident": str(personas.resident.uuid)})
    assert response.status_code == 404
    assert "見つからない" in response.json()["detail"]
    assert not AuditEvent.objects.filter(action=Action.AUDIT_VIEW).exists()


@pytest.mark.parametrize("who", ["nurse", "pharmacist", "nurse_b"])
def test_non_operators_without_resident_get_404(personas, api_for, who):
    assert api_for(getattr(personas, who)).get("/audit").status_code == 404


def test_filters(personas, api_for, last_audit):
    log_reads(personas, 2)
    log_reads(personas, 1, actor=personas.doctor)
    api = api_for(personas.operator_a)
    by_actor = api.get("/audit", {"actor": "p-doctor"}).json()["items"]
    assert [e["actor"]["username"] for e in by_actor] == ["p-doctor"]
    assert last_audit().detail["actor"] == "p-doctor"
    by_action = api.get("/audit", {"action": "audit.view"}).json()["items"]
    assert {e["action"] for e in by_action} == {"audit.view"}
    bad = api.get("/audit", {"action": "nope", "date_from": "yesterday"})
    assert bad.status_code == 422
    assert {tuple(e["loc"]): e["msg"] for e in bad.json()["detail"]} == {
        ("query", "action"): "選択肢の中から選んでください。",
        ("query", "date_from"): "日付の形式が正しくありません（例: 2024-04-01）。",
    }


def test_networks_log_includes_logins_of_its_users(personas, api_for):
    audit_record(action=Action.LOGIN, actor=personas.nurse)  # logins carry no Network
    audit_record(action=Action.LOGIN, actor=personas.nurse_b)
    body = api_for(personas.operator_a).get("/audit", {"action": "auth.login"}).json()
    assert [e["actor"]["username"] for e in body["items"]] == ["p-nurse"]


def test_other_networks_operator_sees_none_of_network_a(personas, api_for):
    log_reads(personas, 3)
    body = api_for(personas.operator_c).get("/audit").json()
    assert all(e["resident"] != str(personas.resident.uuid) for e in body["items"])


def test_audit_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.operator_a).post("/audit").status_code == 405
    assert api_for(None).get("/audit").status_code == 401


@pytest.mark.parametrize("entries", [3, 40])
def test_audit_query_count(personas, api_for, django_assert_max_num_queries, entries):
    log_reads(personas, entries)
    api = api_for(personas.operator_a)
    # auth 6; access 1; entries (+actor) 1; audit 5.
    with django_assert_max_num_queries(13):
        response = api.get("/audit", {"resident": str(personas.resident.uuid)})
    assert len(response.json()["items"]) == min(entries, 50)
