"""GET /facility-status (the board), GET/PUT /facilities/{id}/status."""

import pytest

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Facility, FacilityType
from renrakucho.facility_status.access import access_facility
from renrakucho.facility_status.models import CurrentStatus, FacilityStatus
from renrakucho.facility_status.services import facility_status_update

pytestmark = pytest.mark.django_db

OTHER_NETWORKS = ["nurse_b", "operator_c"]
NONE = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def report():
    def make(user, facility, status="normal", **fields):
        return facility_status_update(
            actor=user,
            access=access_facility(user, facility.uuid, write=True),
            status=status,
            **fields,
        )

    return make


def test_board(personas, api_for, report):
    report(
        personas.nurse,
        personas.nursing_a,
        "restricted",
        restrictions=["short_stay"],
        supplies={"masks": "short"},
        notes="PCR検査 実施可",
    )
    response = api_for(personas.pharmacist).get("/facility-status")
    assert response.status_code == 200
    body = response.json()
    assert body["network"]["slug"] == "ina"
    assert body["counts"] == {
        "normal": 0, "restricted": 1, "suspended": 0, "closed": 0, "none": 4
    }  # fmt: skip
    assert len(body["items"]) == 5
    (nursing,) = [i for i in body["items"] if i["facility"]["id"] == str(personas.nursing_a.uuid)]
    assert nursing["facility"]["facility_type"] == "visiting_nursing"
    assert nursing["facility"]["facility_type_label"] == "訪問看護ステーション"
    status = nursing["status"]
    assert status["status"] == "restricted" and status["status_label"] == "受入制限"
    assert status["restrictions"] == ["short_stay"]
    assert status["restriction_labels"] == ["ショートステイ"]
    assert status["supplies"] == {
        "masks": "short", "gloves": "unknown", "disinfectant": "unknown", "ppe": "unknown"
    }  # fmt: skip
    assert status["notes"] == "PCR検査 実施可" and status["stale"] is False
    assert status["updated_by"]["username"] == "p-nurse"
    others = [i for i in body["items"] if i is not nursing]
    assert all(
        i["status"] is None for i in others if i["facility"]["name"] != "いーな訪問看護ステーション"
    )
    assert not AuditEvent.objects.exclude(action=Action.FACILITY_STATUS).exists()


def test_board_filters(personas, api_for, report):
    report(personas.nurse, personas.nursing_a, "restricted", restrictions=["short_stay"])
    report(personas.doctor, personas.clinic_a, supplies={"gloves": "low"})
    api = api_for(personas.operator_a)

    def names(**params):
        response = api.get("/facility-status", params)
        assert response.status_code == 200, response.json()
        return [i["facility"]["name"] for i in response.json()["items"]]

    assert names(status="restricted") == ["いーな訪問看護ステーション"]
    assert names(shortage="true") == ["いーなクリニック"]
    assert names(facility_type="clinic", status="normal") == ["いーなクリニック"]
    assert len(names(status="none")) == 3
    assert names(network="ina", facility_type="pharmacy") == ["いーな薬局"]
    response = api.get("/facility-status", {"status": "open"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "選択肢の中から選んでください。"


@pytest.mark.parametrize("who", OTHER_NETWORKS)
def test_other_networks_get_404(personas, api_for, report, who):
    report(personas.nurse, personas.nursing_a, "suspended", reason="職員の感染")
    api = api_for(getattr(personas, who))
    for method, path, body in [
        ("get", "/facility-status?network=ina", None),
        ("get", f"/facility-status?network={personas.net_a.uuid}", None),
        ("get", f"/facilities/{personas.nursing_a.uuid}/status", None),
        ("put", f"/facilities/{personas.nursing_a.uuid}/status", {"status": "normal"}),
        ("get", f"/facilities/{NONE}/status", None),
        ("put", f"/facilities/{NONE}/status", {"status": "normal"}),
    ]:
        response = api.get(path) if method == "get" else api.put(path, body)
        assert response.status_code == 404, (path, response.status_code)
        assert response.json()["detail"] == (
            "指定されたデータは見つからないか、参照する権限がありません。"
        )
    assert FacilityStatus.objects.count() == 1
    # Their own board lists their own Network only.
    items = api.get("/facility-status").json()["items"]
    assert all(not i["facility"]["name"].startswith("いーな") for i in items)


def test_a_pending_facility_is_404(personas, api_for):
    pending = Facility.objects.create(
        network=personas.net_a, name="申請中の事業所", facility_type=FacilityType.CLINIC,
        address="伊那市", phone="0265-00-0000",
    )  # fmt: skip
    assert api_for(personas.nurse).get(f"/facilities/{pending.uuid}/status").status_code == 404


def test_get_status_with_history(personas, api_for, report):
    old = report(personas.nurse, personas.nursing_a, "suspended", reason="職員の感染")
    new = report(personas.nurse, personas.nursing_a, "normal")
    FacilityStatus.objects.filter(pk=old.pk).update(created_at="2026-01-01T00:00:00Z")
    body = api_for(personas.pharmacist).get(f"/facilities/{personas.nursing_a.uuid}/status").json()
    assert body["facility"]["name"] == "いーな訪問看護ステーション"
    assert body["network"]["slug"] == "ina" and body["can_update"] is False
    assert body["current"]["id"] == str(new.uuid)
    assert [e["id"] for e in body["history"]] == [str(new.uuid), str(old.uuid)]
    assert body["history"][1]["reason"] == "職員の感染" and body["history"][1]["stale"] is True
    assert body["next_cursor"] is None
    mine = api_for(personas.nurse).get(f"/facilities/{personas.nursing_a.uuid}/status").json()
    assert mine["can_update"] is True


def test_history_pages(personas, api_for, report):
    for i in range(31):
        report(personas.nurse, personas.nursing_a, notes=f"報告 {i}")
    api = api_for(personas.nurse)
    first = api.get(f"/facilities/{personas.nursing_a.uuid}/status").json()
    assert len(first["history"]) == 30 and first["next_cursor"]
    second = api.get(
        f"/facilities/{personas.nursing_a.uuid}/status", {"cursor": first["next_cursor"]}
    ).json()
    assert [e["notes"] for e in second["history"]] == ["報告 0"]
    assert second["current"]["notes"] == "報告 30"


def test_put_appends_a_report(personas, api_for, report):
    first = report(personas.nurse, personas.nursing_a)
    response = api_for(personas.nurse).put(
        f"/facilities/{personas.nursing_a.uuid}/status",
        {
            "status": "closed",
            "reason": "建物の改修",
            "expected_reopening": "2099-04-01",
            "supplies": {"masks": "enough", "ppe": "low"},
            "notes": "問い合わせは本部へ",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    current = body["current"]
    assert current["status"] == "closed" and current["reason"] == "建物の改修"
    assert current["expected_reopening"] == "2099-04-01"
    assert current["supplies"] == {
        "masks": "enough", "gloves": "unknown", "disinfectant": "unknown", "ppe": "low"
    }  # fmt: skip
    assert [e["status"] for e in body["history"]] == ["closed", "normal"]
    # Every update is a new row; the first report is kept unchanged.
    assert FacilityStatus.objects.count() == 2
    first.refresh_from_db()
    assert first.status == "normal"
    assert str(CurrentStatus.objects.get(facility=personas.nursing_a).entry.uuid) == current["id"]
    event = AuditEvent.objects.latest("id")
    assert event.action == Action.FACILITY_STATUS and event.actor == personas.nurse
    assert event.detail == {"facility": str(personas.nursing_a.uuid), "status": "closed"}


def test_any_active_staff_member_may_put(personas, api_for):
    # The pharmacist is not the pharmacy's admin.
    response = api_for(personas.pharmacist).put(
        f"/facilities/{personas.pharmacy_a.uuid}/status", {"status": "normal"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["pharmacist", "operator_a", "doctor"])
def test_network_users_off_the_staff_get_403(personas, api_for, who):
    api = api_for(getattr(personas, who))
    path = f"/facilities/{personas.nursing_a.uuid}/status"
    assert api.get(path).status_code == 200
    response = api.put(path, {"status": "normal"})
    assert response.status_code == 403
    assert response.json()["detail"] == "この操作を行う権限がありません。"
    assert not FacilityStatus.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        ({"status": "restricted"}, ["body", "restrictions"], "受入制限の場合は、制限している内容を1つ以上選んでください。"),
        ({"status": "restricted", "restrictions": ["other"]}, ["body", "restriction_note"], "「その他」を選んだ場合は、制限の内容を入力してください。"),
        ({"status": "suspended"}, ["body", "reason"], "休止・閉鎖の場合は、理由を入力してください。"),
        ({"status": "closed", "reason": "x", "expected_reopening": "2020-01-01"}, ["body", "expected_reopening"], "再開予定日は今日以降の日付を入力してください。"),
        ({"status": "normal", "supplies": {"masks": "plenty"}}, ["body", "supplies", "masks"], "選択肢の中から選んでください。"),
        ({"status": "normal", "supplies": {"soap": "enough"}}, ["body", "supplies", "soap"], "この項目は指定できません。"),
        ({"status": "restricted", "restrictions": ["spa"]}, ["body", "restrictions", 0], "選択肢の中から選んでください。"),
        ({"status": "open"}, ["body", "status"], "選択肢の中から選んでください。"),
        ({}, ["body", "status"], "この項目は必須です。"),
        ({"status": "normal", "color": "red"}, ["body", "color"], "この項目は指定できません。"),
        ({"status": "normal", "expected_reopening": "来月"}, ["body", "expected_reopening"], "日付の形式が正しくありません（例: 2024-04-01）。"),
    ],
)  # fmt: skip
def test_invalid_values_are_422_in_japanese(personas, api_for, body, loc, msg):
    response = api_for(personas.nurse).put(f"/facilities/{personas.nursing_a.uuid}/status", body)
    assert response.status_code == 422, response.json()
    assert {"loc": loc, "msg": msg} in [
        {"loc": e["loc"], "msg": e["msg"]} for e in response.json()["detail"]
    ]
    assert not FacilityStatus.objects.exists() and not AuditEvent.objects.exists()
