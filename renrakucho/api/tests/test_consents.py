"""GET/POST /residents/{id}/consents and POST …/consents/{id}/revoke."""

import datetime

import pytest
from django.utils import timezone

from renrakucho.audit.models import Action
from renrakucho.testing.personas import add_consent

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c"]


def consents_path(personas, suffix=""):
    return f"/residents/{personas.resident.uuid}/consents{suffix}"


def today(days=0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# --- GET -------------------------------------------------------------------------------
def test_consent_list(personas, api_for, last_audit):
    response = api_for(personas.doctor).get(consents_path(personas))
    assert response.status_code == 200
    (consent,) = response.json()
    assert consent["id"] == str(personas.consent.uuid)
    assert consent["consenter"] == "self" and consent["consenter_label"] == "本人"
    assert consent["in_force"] is True and consent["has_form"] is False
    assert consent["recorded_by"]["username"] == "p-caremanager"
    event = last_audit()
    assert event.action == Action.CONSENT_VIEW and event.resident_uuid == personas.resident.uuid


@pytest.mark.parametrize("who", OUTSIDERS)
def test_consent_list_outsiders_404(personas, api_for, who):
    assert api_for(getattr(personas, who)).get(consents_path(personas)).status_code == 404


def test_consent_list_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.nurse).put(consents_path(personas)).status_code == 405
    assert api_for(None).get(consents_path(personas)).status_code == 401


@pytest.mark.parametrize("extra", [0, 20])
def test_consent_list_query_count(personas, api_for, django_assert_max_num_queries, extra):
    for _ in range(extra):
        add_consent(personas.resident, personas.nurse)
    api = api_for(personas.nurse)
    # auth 6; access 1; consents (+recorder) 1; audit 5.
    with django_assert_max_num_queries(13):
        response = api.get(consents_path(personas))
    assert len(response.json()) == extra + 1


# --- POST ------------------------------------------------------------------------------
def test_record_a_proxy_consent(personas, api_for, last_audit):
    response = api_for(personas.nurse).post(
        consents_path(personas),
        {
            "consenter": "proxy",
            "proxy_name": "山田 太郎",
            "proxy_relation": "長男",
            "consented_on": today(),
            "scope_family": True,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["consenter_label"] == "代理人" and body["scope_team"] is True
    assert personas.resident.consents.count() == 2
    event = last_audit()
    assert event.action == Action.CONSENT_CREATE and event.target_id == body["id"]


@pytest.mark.parametrize(
    "body,field,msg",
    [
        ({"consented_on": today(1)}, "consented_on", "同意日に未来の日付は指定できません。"),
        (
            {"consenter": "proxy", "proxy_relation": "長男"},
            "proxy_name",
            "代理人による同意の場合は代理人氏名を入力してください。",
        ),
        ({"scope_team": False}, "scope_team", "同意の範囲を1つ以上選択してください。"),
        (
            {"consented_on": "昨日"},
            "consented_on",
            "日付の形式が正しくありません（例: 2024-04-01）。",
        ),
        ({"consenter": "neighbour"}, "consenter", "選択肢の中から選んでください。"),
    ],
)
def test_record_bad_input_is_422_and_saves_nothing(personas, api_for, body, field, msg):
    response = api_for(personas.nurse).post(
        consents_path(personas), {"consenter": "self", "consented_on": today(), **body}
    )
    assert response.status_code == 422
    assert [(e["loc"], e["msg"]) for e in response.json()["detail"]] == [(["body", field], msg)]
    assert personas.resident.consents.count() == 1


@pytest.mark.parametrize("who", OUTSIDERS)
def test_record_outsiders_404(personas, api_for, who):
    response = api_for(getattr(personas, who)).post(
        consents_path(personas), {"consenter": "self", "consented_on": today()}
    )
    assert response.status_code == 404
    assert personas.resident.consents.count() == 1


def test_record_anonymous(personas, api_for):
    body = {"consenter": "self", "consented_on": today()}
    assert api_for(None).post(consents_path(personas), body).status_code == 401


@pytest.mark.parametrize("extra", [0, 20])
def test_record_query_count(personas, api_for, django_assert_max_num_queries, extra):
    for _ in range(extra):
        add_consent(personas.resident, personas.nurse)
    api = api_for(personas.nurse)
    # auth 6; access 1; service: savepoint, full_clean 3 (resident and recorder exist, uuid
    # unique), insert 1, audit 5, release.
    with django_assert_max_num_queries(18):
        response = api.post(consents_path(personas), {"consenter": "self", "consented_on": today()})
    assert response.status_code == 201


# --- POST …/revoke ---------------------------------------------------------------------
def test_revoke_a_consent_leaves_only_the_card(personas, api_for, last_audit):
    api = api_for(personas.nurse)
    response = api.post(
        consents_path(personas, f"/{personas.consent.uuid}/revoke"),
        {"revoked_on": today(), "reason": "本人の申し出"},
    )
    assert response.status_code == 200
    assert response.json()["in_force"] is False
    assert last_audit().action == Action.CONSENT_REVOKE
    detail = api.get(f"/residents/{personas.resident.uuid}").json()
    assert detail["consent_required"] is True


@pytest.mark.parametrize(
    "revoked_on,msg",
    [
        (today(1), "撤回日に未来の日付は指定できません。"),
        (today(-365), "撤回日は同意日以降の日付にしてください。"),
    ],
)
def test_revoke_bad_dates_are_422(personas, api_for, revoked_on, msg):
    response = api_for(personas.nurse).post(
        consents_path(personas, f"/{personas.consent.uuid}/revoke"), {"revoked_on": revoked_on}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "loc": ["body", "revoked_on"],
        "msg": msg,
        "type": "invalid",
    }
    personas.consent.refresh_from_db()
    assert personas.consent.revoked_on is None


@pytest.mark.parametrize("who", OUTSIDERS)
def test_revoke_outsiders_404(personas, api_for, who):
    response = api_for(getattr(personas, who)).post(
        consents_path(personas, f"/{personas.consent.uuid}/revoke"), {"revoked_on": today()}
    )
    assert response.status_code == 404
    personas.consent.refresh_from_db()
    assert personas.consent.revoked_on is None


def test_revoke_consent_of_another_resident_is_404(personas, api_for):
    from .conftest import grow_team_residents

    (other,) = grow_team_residents(personas, 1)
    foreign = other.consents.get()
    response = api_for(personas.nurse).post(
        consents_path(personas, f"/{foreign.uuid}/revoke"), {"revoked_on": today()}
    )
    assert response.status_code == 404


def test_revoke_wrong_method_and_anonymous(personas, api_for):
    path = consents_path(personas, f"/{personas.consent.uuid}/revoke")
    assert api_for(personas.nurse).get(path).status_code == 405
    assert api_for(None).post(path, {"revoked_on": today()}).status_code == 401


@pytest.mark.parametrize("extra", [0, 20])
def test_revoke_query_count(personas, api_for, django_assert_max_num_queries, extra):
    for _ in range(extra):
        add_consent(personas.resident, personas.nurse)
    api = api_for(personas.nurse)
    # auth 6; access 1; consent 1; service: savepoint, update 1, audit 5, release; the
    # recorder for the answer 1.
    with django_assert_max_num_queries(17):
        response = api.post(
            consents_path(personas, f"/{personas.consent.uuid}/revoke"), {"revoked_on": today()}
        )
    assert response.status_code == 200
