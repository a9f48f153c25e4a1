"""The medication and disease lists (服薬・病名): GET/POST /residents/{id}/medications and
/diagnoses, PATCH/DELETE /medications/{id} and /diagnoses/{id}."""

import datetime

import pytest
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents.models import Diagnosis, Medication

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c"]


def lists_path(personas, kind="medications"):
    return f"/residents/{personas.resident.uuid}/{kind}"


def day(offset=0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


@pytest.fixture
def medication(personas):
    return Medication.objects.create(
        resident=personas.resident,
        recorded_by=personas.doctor,
        name="アムロジピン錠5mg",
        dose="1回1錠 1日1回 朝食後",
        since=datetime.date(2023, 4, 1),
    )


@pytest.fixture
def diagnosis(personas):
    return Diagnosis.objects.create(
        resident=personas.resident, recorded_by=personas.doctor, name="高血圧症"
    )


def revoke_consent(personas):
    personas.consent.revoked_on = personas.consent.consented_on
    personas.consent.save(update_fields=["revoked_on"])


# --- GET -------------------------------------------------------------------------------------
def test_medication_list(personas, api_for, medication, last_audit):
    ended = Medication.objects.create(
        resident=personas.resident,
        recorded_by=personas.nurse,
        name="ロキソプロフェン",
        ended_at=timezone.now(),
        ended_by=personas.nurse,
        end_reason="痛みが治まったため",
    )
    response = api_for(personas.caremanager).get(lists_path(personas))
    assert response.status_code == 200
    body = response.json()
    (current,) = body["current"]
    assert current["id"] == str(medication.uuid) and current["lineage"] == str(medication.lineage)
    assert current["name"] == "アムロジピン錠5mg" and current["dose"] == "1回1錠 1日1回 朝食後"
    assert current["since"] == "2023-04-01" and current["until"] is None
    assert current["recorded_by"]["username"] == "p-doctor" and current["ended"] is False
    (past,) = body["ended"]
    assert past["id"] == str(ended.uuid) and past["end_reason"] == "痛みが治まったため"
    assert past["ended_by"]["name_kana"] == "カンゴ ハナコ"
    event = last_audit()
    assert event.action == Action.MEDICATION_VIEW
    assert event.detail == {"channel": "api", "view": "medication_list", "current": 1, "ended": 1}


def test_diagnosis_list(personas, api_for, diagnosis):
    response = api_for(personas.nurse).get(lists_path(personas, "diagnoses"))
    assert response.status_code == 200
    assert [d["name"] for d in response.json()["current"]] == ["高血圧症"]
    assert "dose" not in response.json()["current"][0]


@pytest.mark.parametrize("kind", ["medications", "diagnoses"])
@pytest.mark.parametrize("who", OUTSIDERS)
def test_lists_outsiders_404(personas, api_for, medication, kind, who):
    response = api_for(getattr(personas, who)).get(lists_path(personas, kind))
    assert response.status_code == 404
    assert "アムロジピン" not in response.content.decode()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("kind", ["medications", "diagnoses"])
def test_lists_without_consent_are_403(personas, api_for, medication, kind):
    revoke_consent(personas)
    response = api_for(personas.nurse).get(lists_path(personas, kind))
    assert response.status_code == 403
    assert "アムロジピン" not in response.content.decode()
    post = api_for(personas.nurse).post(lists_path(personas, kind), {"name": "x"})
    assert post.status_code == 403


@pytest.mark.parametrize("kind", ["medications", "diagnoses"])
def test_lists_wrong_method_and_anonymous(personas, api_for, kind):
    assert api_for(personas.nurse).put(lists_path(personas, kind), {}).status_code == 405
    assert api_for(None).get(lists_path(personas, kind)).status_code == 401
    assert api_for(None).post(lists_path(personas, kind), {"name": "x"}).status_code == 401


@pytest.mark.parametrize("n", [1, 40])
def test_lists_query_count(personas, api_for, django_assert_max_num_queries, n):
    Medication.objects.bulk_create(
        [
            Medication(resident=personas.resident, recorded_by=personas.doctor, name=f"薬 {i}")
            for i in range(n)
        ]
        + [
            Medication(
                resident=personas.resident,
                recorded_by=personas.doctor,
                name=f"終了した薬 {i}",
                ended_at=timezone.now(),
                ended_by=personas.nurse,
                end_reason="中止",
            )
            for i in range(n)
        ]
    )
    api = api_for(personas.nurse)
    # auth 4; access 1; lists: current and ended of both kinds 4; audit 5.
    with django_assert_max_num_queries(14):
        response = api.get(lists_path(personas))
    assert len(response.json()["current"]) == n and len(response.json()["ended"]) == n


# --- POST ------------------------------------------------------------------------------------
def test_add_medication(personas, api_for, last_audit):
    response = api_for(personas.nurse).post(
        lists_path(personas),
        {"name": "酸化マグネシウム", "dose": "1回330mg 1日3回", "since": day(-7), "until": day(7)},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    entry = Medication.objects.get(uuid=body["id"])
    assert entry.resident == personas.resident and entry.recorded_by == personas.nurse
    assert body["until"] == day(7)
    event = last_audit()
    assert event.action == Action.MEDICATION_ADD and event.target_id == body["id"]


def test_add_diagnosis(personas, api_for, last_audit):
    response = api_for(personas.doctor).post(
        lists_path(personas, "diagnoses"), {"name": "2型糖尿病", "since": "2020-01-10"}
    )
    assert response.status_code == 201
    assert Diagnosis.objects.get(uuid=response.json()["id"]).name == "2型糖尿病"
    assert last_audit().action == Action.DIAGNOSIS_ADD


@pytest.mark.parametrize(
    "kind,body,loc,msg",
    [
        ("medications", {"dose": "1錠"}, ["body", "name"], "この項目は必須です。"),
        ("medications", {"name": ""}, ["body", "name"], "この項目は必須です。"),
        (
            "medications",
            {"name": "x", "since": "2024-05-01", "until": "2024-04-01"},
            ["body", "until"],
            "終了日は開始日以降の日付にしてください。",
        ),
        (
            "diagnoses",
            {"name": "x", "since": day(3)},
            ["body", "since"],
            "診断日に未来の日付は指定できません。",
        ),
        (
            "diagnoses",
            {"name": "x", "since": "去年"},
            ["body", "since"],
            "日付の形式が正しくありません（例: 2024-04-01）。",
        ),
        ("diagnoses", {"name": "x", "dose": "1錠"}, ["body", "dose"], "この項目は指定できません。"),
    ],
)
def test_add_bad_input_is_422(personas, api_for, kind, body, loc, msg):
    response = api_for(personas.nurse).post(lists_path(personas, kind), body)
    assert response.status_code == 422
    assert [(e["loc"], e["msg"]) for e in response.json()["detail"]] == [(loc, msg)]
    assert not Medication.objects.exists() and not Diagnosis.objects.exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_add_outsiders_404(personas, api_for, who):
    response = api_for(getattr(personas, who)).post(lists_path(personas), {"name": "x"})
    assert response.status_code == 404
    assert not Medication.objects.exists()


def test_operator_of_the_network_may_add(personas, api_for):
    # As on the pages: an operator holds EDIT_RESIDENT.
    response = api_for(personas.operator_a).post(lists_path(personas), {"name": "x"})
    assert response.status_code == 201


# --- PATCH -----------------------------------------------------------------------------------
def test_edit_writes_a_new_version(personas, api_for, medication, last_audit):
    response = api_for(personas.nurse).patch(
        f"/medications/{medication.uuid}", {"dose": "1回2錠", "until": None}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] != str(medication.uuid) and body["lineage"] == str(medication.lineage)
    assert body["dose"] == "1回2錠" and body["name"] == "アムロジピン錠5mg"
    assert body["recorded_by"]["username"] == "p-nurse"
    medication.refresh_from_db()
    assert medication.superseded_at is not None and medication.dose == "1回1錠 1日1回 朝食後"
    event = last_audit()
    assert event.action == Action.MEDICATION_EDIT and event.detail["fields"] == ["dose"]


def test_edit_an_old_version_is_409(personas, api_for, medication):
    api = api_for(personas.nurse)
    assert api.patch(f"/medications/{medication.uuid}", {"dose": "1回2錠"}).status_code == 200
    response = api.patch(f"/medications/{medication.uuid}", {"dose": "1回3錠"})
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"].startswith("この項目はすでに別の内容に更新")
    assert Medication.objects.count() == 2


def test_edit_bad_input_is_422(personas, api_for, medication, diagnosis):
    api = api_for(personas.nurse)
    response = api.patch(f"/medications/{medication.uuid}", {"name": None})
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "loc": ["body", "name"],
        "msg": "この項目は必須です。",
        "type": "missing",
    }
    response = api.patch(f"/medications/{medication.uuid}", {"name": "アムロジピン錠5mg"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "変更された項目がありません。"
    response = api.patch(f"/diagnoses/{diagnosis.uuid}", {"since": day(1)})
    assert response.status_code == 422
    assert Medication.objects.count() == 1 and Diagnosis.objects.count() == 1


def test_edit_a_diagnosis(personas, api_for, diagnosis, last_audit):
    response = api_for(personas.doctor).patch(
        f"/diagnoses/{diagnosis.uuid}", {"name": "本態性高血圧症", "note": None}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "本態性高血圧症" and response.json()["note"] == ""
    assert last_audit().action == Action.DIAGNOSIS_EDIT


def test_ids_of_the_other_list_are_404(personas, api_for, medication, diagnosis):
    api = api_for(personas.nurse)
    assert api.patch(f"/diagnoses/{medication.uuid}", {"name": "x"}).status_code == 404
    assert api.delete(f"/medications/{diagnosis.uuid}", {"reason": "x"}).status_code == 404
    assert api.patch("/medications/not-a-uuid", {"name": "x"}).status_code == 404


@pytest.mark.parametrize("who", OUTSIDERS)
def test_edit_and_end_outsiders_404(personas, api_for, medication, diagnosis, who):
    api = api_for(getattr(personas, who))
    assert api.patch(f"/medications/{medication.uuid}", {"dose": "x"}).status_code == 404
    assert api.delete(f"/medications/{medication.uuid}", {"reason": "x"}).status_code == 404
    assert api.patch(f"/diagnoses/{diagnosis.uuid}", {"name": "x"}).status_code == 404
    assert api.delete(f"/diagnoses/{diagnosis.uuid}", {"reason": "x"}).status_code == 404
    assert Medication.objects.count() == 1 and Medication.objects.get().ended_at is None
    assert not AuditEvent.objects.exists()


def test_edit_and_end_without_consent_are_403(personas, api_for, medication):
    revoke_consent(personas)
    api = api_for(personas.nurse)
    assert api.patch(f"/medications/{medication.uuid}", {"dose": "x"}).status_code == 403
    assert api.delete(f"/medications/{medication.uuid}", {"reason": "x"}).status_code == 403


def test_edit_and_end_wrong_method_and_anonymous(personas, api_for, medication):
    assert api_for(personas.nurse).get(f"/medications/{medication.uuid}").status_code == 405
    assert api_for(None).patch(f"/medications/{medication.uuid}", {"dose": "x"}).status_code == 401
    assert (
        api_for(None).delete(f"/medications/{medication.uuid}", {"reason": "x"}).status_code == 401
    )


# --- DELETE (end with a reason) -------------------------------------------------------------------
def test_end_a_medication(personas, api_for, medication, last_audit):
    response = api_for(personas.doctor).delete(
        f"/medications/{medication.uuid}", {"reason": "処方終了"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ended"] is True and body["end_reason"] == "処方終了"
    assert body["ended_by"]["username"] == "p-doctor"
    medication.refresh_from_db()
    assert medication.ended_at is not None  # kept as history
    assert last_audit().action == Action.MEDICATION_END
    lists = api_for(personas.doctor).get(lists_path(personas)).json()
    assert lists["current"] == [] and [m["id"] for m in lists["ended"]] == [body["id"]]


def test_end_a_diagnosis_with_the_reason_in_the_query(personas, api_for, diagnosis):
    api = api_for(personas.doctor)
    response = api.client.delete(f"/api/v1/diagnoses/{diagnosis.uuid}?reason=誤登録")
    assert response.status_code == 200
    diagnosis.refresh_from_db()
    assert diagnosis.end_reason == "誤登録"


def test_end_without_a_reason_is_422_and_twice_is_409(personas, api_for, medication):
    api = api_for(personas.doctor)
    response = api.delete(f"/medications/{medication.uuid}")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "reason"], "msg": "終了の理由を入力してください。", "type": "invalid"}
    ]
    assert api.delete(f"/medications/{medication.uuid}", {"reason": "中止"}).status_code == 200
    response = api.delete(f"/medications/{medication.uuid}", {"reason": "中止"})
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"] == "この項目はすでに終了しています。"
