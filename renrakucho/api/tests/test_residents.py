"""GET/POST /residents, GET/PATCH /residents/{id}."""

import datetime

import pytest
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents.access import residents_visible_to
from renrakucho.residents.models import CareTeamMember, Consent, KeyPerson, Resident, TeamRole

from .conftest import grow_team_residents

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c"]
NOT_FOUND = "指定されたデータは見つからないか、参照する権限がありません。"


def revoke_consent(personas):
    Consent.objects.update(revoked_on=personas.consent.consented_on)


def new_resident(**extra):
    return {
        "network": "ina",
        "name": "鈴木 一郎",
        "name_kana": "すずき いちろう",
        "birth_date": "1940-02-03",
        "sex": "male",
        **extra,
    }


# --- GET /residents --------------------------------------------------------------------
def test_list_shows_my_residents(personas, api_for):
    response = api_for(personas.nurse).get("/residents")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item == {
        "id": str(personas.resident.uuid),
        "name": "山田 花子",
        "name_kana": "ヤマダ ハナコ",
        "care_level": "care_2",
        "care_level_label": "要介護2",
        "age": personas.resident.age,
        "network": {"id": str(personas.net_a.uuid), "slug": "ina", "name": "伊那市電子連絡帳"},
    }


@pytest.mark.parametrize("who", OUTSIDERS)
def test_list_of_outsiders_is_empty(personas, api_for, who):
    response = api_for(getattr(personas, who)).get("/residents")
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_operator_lists_the_whole_network(personas, api_for):
    grow_team_residents(personas, 3)
    assert api_for(personas.operator_a).get("/residents").json()["count"] == 4


@pytest.mark.parametrize(
    "q,found", [("やまだ", 1), ("ﾔﾏﾀﾞ", 1), ("山田", 1), ("ヤマダ ハナコ", 1), ("すずき", 0)]
)
def test_search_is_width_and_kana_insensitive(personas, api_for, q, found):
    response = api_for(personas.nurse).get("/residents", {"q": q})
    assert response.json()["count"] == found


def test_list_paginates(personas, api_for):
    grow_team_residents(personas, 5)
    api = api_for(personas.nurse)
    first = api.get("/residents", {"limit": 2}).json()
    second = api.get("/residents", {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 6
    assert len(first["items"]) == len(second["items"]) == 2
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


@pytest.mark.parametrize(
    "params,msg",
    [
        ({"limit": 101}, "100以下の値を指定してください。"),
        ({"limit": 0}, "1以上の値を指定してください。"),
        ({"offset": -1}, "0以上の値を指定してください。"),
        ({"limit": "abc"}, "数値を入力してください。"),
    ],
)
def test_list_bad_paging_is_422_in_japanese(personas, api_for, params, msg):
    response = api_for(personas.nurse).get("/residents", params)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", next(iter(params))]
    assert error["msg"] == msg


def test_list_is_audited_without_the_search_words(personas, api_for, last_audit):
    api_for(personas.nurse).get("/residents", {"q": "やまだ"})
    event = last_audit()
    assert event.action == Action.RESIDENT_LIST and event.actor == personas.nurse
    assert event.detail == {
        "channel": "api",
        "count": 1,
        "offset": 0,
        "returned": 1,
        "searched": True,
    }
    assert "やまだ" not in str(event.detail)


def test_list_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.nurse).put("/residents").status_code == 405
    assert api_for(None).get("/residents").status_code == 401


@pytest.mark.parametrize("extra", [0, 25])
def test_list_query_count(personas, api_for, django_assert_max_num_queries, extra):
    grow_team_residents(personas, extra)
    api = api_for(personas.nurse)
    # auth 6 (token+user, can_log_in 3, two-factor policy 1, last_used_at); count 1;
    # page (+network) 1; audit 5 (savepoint, head, insert, head update, release).
    with django_assert_max_num_queries(13):
        response = api.get("/residents")
    assert response.json()["count"] == extra + 1


# --- GET /residents/{id} ---------------------------------------------------------------
def test_detail_full_record_with_consent(personas, api_for):
    KeyPerson.objects.create(
        resident=personas.resident, name="山田 太郎", name_kana="ヤマダ タロウ", relation="長男"
    )
    response = api_for(personas.nurse).get(f"/residents/{personas.resident.uuid}")
    assert response.status_code == 200
    body = response.json()
    assert body["consent_required"] is False
    assert body["address"] == "長野県伊那市荒井1-1"
    assert body["birth_date"] == "1938-04-12"
    assert body["sex_label"] == "女性"
    assert body["key_persons"][0]["relation"] == "長男"
    assert "view_details" in body["permissions"]


def test_detail_without_consent_is_only_the_card(personas, api_for):
    revoke_consent(personas)
    response = api_for(personas.nurse).get(f"/residents/{personas.resident.uuid}")
    assert response.status_code == 200
    body = response.json()
    assert body["consent_required"] is True
    assert body["name"] == "山田 花子" and body["care_level"] == "care_2"
    for hidden in ("address", "phone", "birth_date", "key_persons", "note"):
        assert hidden not in body
    assert "長野県" not in response.content.decode()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_detail_outsiders_get_404_without_personal_data(personas, api_for, who):
    response = api_for(getattr(personas, who)).get(f"/residents/{personas.resident.uuid}")
    assert response.status_code == 404
    assert response.json() == {"detail": NOT_FOUND}
    assert not AuditEvent.objects.filter(action=Action.RESIDENT_VIEW).exists()


@pytest.mark.parametrize("bad", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_detail_missing_is_404(personas, api_for, bad):
    assert api_for(personas.nurse).get(f"/residents/{bad}").status_code == 404


def test_detail_is_audited(personas, api_for, last_audit):
    api_for(personas.doctor).get(f"/residents/{personas.resident.uuid}")
    event = last_audit()
    assert event.action == Action.RESIDENT_VIEW and event.actor == personas.doctor
    assert event.resident_uuid == personas.resident.uuid
    assert event.network_id == personas.net_a.pk
    assert event.detail == {"channel": "api", "view": "details"}


def test_detail_wrong_method_and_anonymous(personas, api_for):
    path = f"/residents/{personas.resident.uuid}"
    assert api_for(personas.nurse).put(path).status_code == 405
    assert api_for(personas.nurse).post(path).status_code == 405
    assert api_for(None).get(path).status_code == 401


@pytest.mark.parametrize("key_persons", [0, 12])
def test_detail_query_count(personas, api_for, django_assert_max_num_queries, key_persons):
    for i in range(key_persons):
        KeyPerson.objects.create(resident=personas.resident, name=f"家族{i}", relation="子")
    api = api_for(personas.nurse)
    # auth 6; access 1 (resident, network, primary doctor, membership/consent flags);
    # key persons 1; audit 5.
    with django_assert_max_num_queries(13):
        response = api.get(f"/residents/{personas.resident.uuid}")
    assert len(response.json()["key_persons"]) == key_persons


# --- PATCH /residents/{id} -------------------------------------------------------------
def test_patch_changes_only_the_fields_sent(personas, api_for, last_audit):
    response = api_for(personas.nurse).patch(
        f"/residents/{personas.resident.uuid}",
        {"phone": "0265-11-2222", "care_level": "care_3", "lives_alone": True},
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "0265-11-2222"
    assert response.json()["care_level_label"] == "要介護3"
    personas.resident.refresh_from_db()
    assert personas.resident.phone == "0265-11-2222"
    assert personas.resident.lives_alone is True
    assert personas.resident.address == "長野県伊那市荒井1-1"  # untouched
    event = last_audit()
    assert event.action == Action.RESIDENT_UPDATE
    assert event.detail == {"fields": ["care_level", "lives_alone", "phone"]}


def test_patch_null_clears_optional_fields(personas, api_for):
    response = api_for(personas.nurse).patch(
        f"/residents/{personas.resident.uuid}", {"care_level": None, "address": None}
    )
    assert response.status_code == 200
    personas.resident.refresh_from_db()
    assert personas.resident.care_level == "" and personas.resident.address == ""


def test_patch_sets_primary_doctor_of_the_network_only(personas, api_for):
    api = api_for(personas.caremanager)
    path = f"/residents/{personas.resident.uuid}"
    ok = api.patch(path, {"primary_doctor": str(personas.doctor.uuid)})
    assert ok.status_code == 200
    assert ok.json()["primary_doctor"]["username"] == "p-doctor"
    other = api.patch(path, {"primary_doctor": str(personas.nurse_b.uuid)})
    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["body", "primary_doctor"]


@pytest.mark.parametrize(
    "body,field,msg",
    [
        (
            {"name_kana": "山田"},
            "name_kana",
            "フリガナはカタカナまたはひらがなで入力してください。",
        ),
        ({"birth_date": "2999-01-01"}, "birth_date", "生年月日に未来の日付は指定できません。"),
        (
            {"birth_date": "1938/04/12"},
            "birth_date",
            "日付の形式が正しくありません（例: 2024-04-01）。",
        ),
        ({"name": None}, "name", "この項目は必須です。"),
        ({"name": ""}, "name", "この項目は必須です。"),
        ({"sex": "x"}, "sex", "選択肢の中から選んでください。"),
        ({"latitude": 123}, "latitude", "90以下の値を指定してください。"),
        ({"network": "minowa"}, "network", "この項目は指定できません。"),
    ],
)
def test_patch_bad_input_is_422_and_saves_nothing(personas, api_for, body, field, msg):
    response = api_for(personas.nurse).patch(
        f"/residents/{personas.resident.uuid}", {"phone": "0265-99-9999", **body}
    )
    assert response.status_code == 422
    assert {"loc": ["body", field], "msg": msg} in [
        {"loc": e["loc"], "msg": e["msg"]} for e in response.json()["detail"]
    ]
    personas.resident.refresh_from_db()
    assert personas.resident.phone == "0265-00-0000"
    assert personas.resident.name == "山田 花子"


def test_patch_malformed_json_is_422(personas, api_for):
    api = api_for(personas.nurse)
    response = api.client.patch(
        f"/api/v1/residents/{personas.resident.uuid}", "{oops", content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "JSONの形式が正しくありません。"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_patch_outsiders_get_404(personas, api_for, who):
    response = api_for(getattr(personas, who)).patch(
        f"/residents/{personas.resident.uuid}", {"phone": "0265-99-9999"}
    )
    assert response.status_code == 404
    personas.resident.refresh_from_db()
    assert personas.resident.phone == "0265-00-0000"


def test_patch_without_consent_returns_only_the_card(personas, api_for):
    # Editing is allowed without consent (the access policy), but the answer must not show
    # more than the card.
    revoke_consent(personas)
    response = api_for(personas.nurse).patch(
        f"/residents/{personas.resident.uuid}", {"care_level": "care_4"}
    )
    assert response.status_code == 200
    assert response.json()["consent_required"] is True and "address" not in response.json()


def test_patch_anonymous(personas, api_for):
    assert api_for(None).patch(f"/residents/{personas.resident.uuid}", {}).status_code == 401


@pytest.mark.parametrize("key_persons", [0, 12])
def test_patch_query_count(personas, api_for, django_assert_max_num_queries, key_persons):
    for i in range(key_persons):
        KeyPerson.objects.create(resident=personas.resident, name=f"家族{i}", relation="子")
    api = api_for(personas.nurse)
    # auth 6; access 1; service: savepoint, lock the row, full_clean 3 (network and doctor
    # exist, uuid unique), update, audit 5 (savepoint, head, insert, head update, release),
    # release; access again 1; key persons 1.
    with django_assert_max_num_queries(21):
        response = api.patch(f"/residents/{personas.resident.uuid}", {"phone": "0265-12-3456"})
    assert response.status_code == 200


# --- POST /residents -------------------------------------------------------------------
def test_professional_registers_and_leads_the_team(personas, api_for, last_audit):
    response = api_for(personas.pharmacist).post(
        "/residents", new_resident(team_role="pharmacist", care_level="support_1")
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name_kana"] == "スズキ イチロウ"  # stored as katakana
    assert body["consent_required"] is True  # no consent recorded yet
    resident = residents_visible_to(personas.pharmacist).get(uuid=body["id"])
    member = resident.team_members.get()
    assert member.user == personas.pharmacist and member.is_lead
    assert member.role == TeamRole.PHARMACIST and member.status == CareTeamMember.Status.ACTIVE
    event = last_audit()
    assert event.action == Action.RESIDENT_CREATE and event.resident_uuid == resident.uuid


def test_register_by_network_uuid(personas, api_for):
    response = api_for(personas.nurse).post(
        "/residents", new_resident(network=str(personas.net_a.uuid))
    )
    assert response.status_code == 201


def test_operator_registers_without_joining(personas, api_for):
    response = api_for(personas.operator_a).post("/residents", new_resident())
    assert response.status_code == 201
    resident = residents_visible_to(personas.operator_a).get(uuid=response.json()["id"])
    assert not resident.team_members.exists()


@pytest.mark.parametrize(
    "who,network",
    [("nurse_b", "ina"), ("operator_c", "ina"), ("nurse", "minowa"), ("nurse", "no-such")],
)
def test_register_in_a_network_not_mine_is_422(personas, api_for, who, network):
    before = Resident.objects.count()
    response = api_for(getattr(personas, who)).post("/residents", new_resident(network=network))
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "network"],
            "msg": "登録できるネットワークを指定してください。",
            "type": "invalid",
        }
    ]
    assert Resident.objects.count() == before


@pytest.mark.parametrize(
    "extra,field,msg",
    [
        (
            {"name_kana": "鈴木"},
            "name_kana",
            "フリガナはカタカナまたはひらがなで入力してください。",
        ),
        (
            {"birth_date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
            "birth_date",
            "生年月日に未来の日付は指定できません。",
        ),
        ({"team_role": "boss"}, "team_role", "選択肢の中から選んでください。"),
        ({"phone": "0" * 21}, "phone", "20文字以内で入力してください。"),
    ],
)
def test_register_bad_input_is_422_and_saves_nothing(personas, api_for, extra, field, msg):
    before = Resident.objects.count()
    response = api_for(personas.nurse).post("/residents", new_resident(**extra))
    assert response.status_code == 422
    assert [(e["loc"], e["msg"]) for e in response.json()["detail"]] == [(["body", field], msg)]
    assert Resident.objects.count() == before


def test_register_missing_fields_each_reported(personas, api_for):
    response = api_for(personas.nurse).post("/residents", {"network": "ina"})
    assert response.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}
    assert errors == {
        ("body", "name"): "この項目は必須です。",
        ("body", "name_kana"): "この項目は必須です。",
        ("body", "birth_date"): "この項目は必須です。",
        ("body", "sex"): "この項目は必須です。",
    }


def test_register_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.nurse).delete("/residents").status_code == 405
    assert api_for(None).post("/residents", new_resident()).status_code == 401


@pytest.mark.parametrize("extra", [0, 25])
def test_register_query_count(personas, api_for, django_assert_max_num_queries, extra):
    grow_team_residents(personas, extra)
    api = api_for(personas.nurse)
    # auth 6; the user's Networks 3 + Network 1; service: savepoint, operated (2) and
    # active (3) Network ids, full_clean 3, insert resident, insert membership, audit 5,
    # release; access 1 (the answer is the card: no consent yet).
    with django_assert_max_num_queries(28):
        assert api.post("/residents", new_resident()).status_code == 201


# --- key persons (PATCH and POST) ------------------------------------------------------
SON = {
    "name": "山田 太郎",
    "name_kana": "やまだ たろう",
    "relation": "長男",
    "phone": "090-1234-5678",
}


def test_patch_replaces_key_persons(personas, api_for, last_audit):
    KeyPerson.objects.create(resident=personas.resident, name="旧 連絡先", relation="知人")
    response = api_for(personas.nurse).patch(
        f"/residents/{personas.resident.uuid}", {"key_persons": [SON]}
    )
    assert response.status_code == 200
    assert [p["name_kana"] for p in response.json()["key_persons"]] == ["ヤマダ タロウ"]
    assert list(personas.resident.key_persons.values_list("relation", flat=True)) == ["長男"]
    assert last_audit().detail == {"fields": ["key_persons"]}


def test_patch_without_key_persons_keeps_them(personas, api_for):
    KeyPerson.objects.create(resident=personas.resident, name="山田 太郎", relation="長男")
    api_for(personas.nurse).patch(f"/residents/{personas.resident.uuid}", {"phone": "0265-1-2"})
    assert personas.resident.key_persons.count() == 1


def test_bad_key_person_is_422_and_nothing_saved(personas, api_for):
    response = api_for(personas.nurse).patch(
        f"/residents/{personas.resident.uuid}",
        {"phone": "0265-99-9999", "key_persons": [{**SON, "name_kana": "山田"}]},
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "key_persons"]
    assert error["msg"].startswith("キーパーソン1人目: フリガナは")
    personas.resident.refresh_from_db()
    assert personas.resident.phone == "0265-00-0000"
    missing = api_for(personas.nurse).patch(
        f"/residents/{personas.resident.uuid}", {"key_persons": [{"name": "山田 太郎"}]}
    )
    assert missing.json()["detail"][0]["loc"] == ["body", "key_persons", 0, "relation"]


def test_key_persons_need_consent_403(personas, api_for):
    revoke_consent(personas)
    response = api_for(personas.nurse).patch(
        f"/residents/{personas.resident.uuid}", {"care_level": "care_5", "key_persons": [SON]}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "この操作を行う権限がありません。"}
    personas.resident.refresh_from_db()
    assert personas.resident.care_level == "care_2"  # the whole change was refused
    assert not personas.resident.key_persons.exists()


def test_register_with_key_persons(personas, api_for):
    response = api_for(personas.nurse).post("/residents", new_resident(key_persons=[SON]))
    assert response.status_code == 201
    resident = residents_visible_to(personas.nurse).get(uuid=response.json()["id"])
    assert [p.name for p in resident.key_persons.all()] == ["山田 太郎"]
