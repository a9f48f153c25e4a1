"""GET /residents/{id}/vitals: series of {at, value} per vital, with the thresholds."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

OUTSIDERS = ["pharmacist", "nurse_b", "operator_c"]
# Measurements are placed on days relative to "now": now is fixed in the afternoon, so that
# "today at 8:00" is in the past whenever the suite runs.
NOW = datetime.datetime(2024, 6, 15, 15, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))


@pytest.fixture(autouse=True)
def _afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


def vitals_path(personas):
    return f"/residents/{personas.resident.uuid}/vitals"


def at(days_ago: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def measured(personas, make_post):
    """Three vitals posts by the nurse: 3 days ago, yesterday (SpO2 88: abnormal) and today."""
    return [
        make_post(
            personas.nurse, kind="vitals", body="", visited_at=at(3),
            vitals={"systolic": 130, "diastolic": 80, "temperature": "36.4"},
        ),
        make_post(
            personas.nurse, kind="vitals", body="", visited_at=at(1),
            vitals={"systolic": 150, "diastolic": 85, "spo2": 88},
        ),
        make_post(
            personas.nurse, kind="vitals", body="", visited_at=at(0, 8),
            vitals={"temperature": "37.2"},
        ),
    ]  # fmt: skip


def series_of(body) -> dict:
    return {s["type"]: s for s in body["series"]}


def test_series_and_thresholds(personas, api_for, measured, last_audit):
    response = api_for(personas.doctor).get(vitals_path(personas))
    assert response.status_code == 200
    body = response.json()
    assert body["resident"] == str(personas.resident.uuid) and body["from"] and body["to"]
    series = series_of(body)
    assert list(series) == ["systolic", "diastolic", "temperature", "spo2"]
    assert [p["value"] for p in series["systolic"]["points"]] == [130, 150]
    assert [p["value"] for p in series["temperature"]["points"]] == [36.4, 37.2]
    assert series["temperature"]["unit"] == "℃" and series["temperature"]["label"] == "体温"
    (spo2,) = series["spo2"]["points"]
    assert spo2["abnormal"] is True and spo2["post"] == str(measured[1].uuid)
    assert series["spo2"]["low"] == 90
    assert body["thresholds"]["spo2"]["low"] == 90
    assert body["thresholds"]["systolic"]["high"] == 180
    event = last_audit()
    assert event.action == Action.POST_VIEW and event.resident_uuid == personas.resident.uuid
    assert event.detail["view"] == "vitals" and event.detail["count"] == 3


def test_type_and_period_filters(personas, api_for, measured):
    api = api_for(personas.doctor)
    body = api.get(vitals_path(personas), {"type": "temperature,spo2"}).json()
    assert list(series_of(body)) == ["temperature", "spo2"]
    # Repeated parameters work too.
    response = api.client.get("/api/v1" + vitals_path(personas) + "?type=spo2&type=systolic")
    assert list(series_of(response.json())) == ["systolic", "spo2"]
    # A date is the whole local day: `to` includes yesterday.
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    body = api.get(vitals_path(personas), {"from": yesterday, "to": yesterday}).json()
    assert [p["value"] for p in series_of(body)["systolic"]["points"]] == [150]
    assert "temperature" not in series_of(body)
    body = api.get(vitals_path(personas), {"from": at(2).isoformat(), "type": "temperature"}).json()
    assert [p["value"] for p in series_of(body)["temperature"]["points"]] == [37.2]


@pytest.mark.parametrize(
    "params,loc,msg",
    [
        (
            {"type": "height"},
            ["query", "type"],
            "バイタルの種類は systolic, diastolic, pulse, temperature, spo2, respiration, "
            "weight, glucose, pain から指定してください。",
        ),
        (
            {"from": "昨日"},
            ["query", "from"],
            "日付（例: 2024-04-01）または日時（例: 2024-04-01T09:00:00+09:00）で指定してください。",
        ),
        (
            {"from": "2024-05-01", "to": "2024-04-01"},
            ["query", "from"],
            "開始は終了より前の日時を指定してください。",
        ),
    ],
)
def test_bad_parameters_are_422(personas, api_for, params, loc, msg):
    response = api_for(personas.doctor).get(vitals_path(personas), params)
    assert response.status_code == 422
    assert [(e["loc"], e["msg"]) for e in response.json()["detail"]] == [(loc, msg)]
    assert not AuditEvent.objects.exists()


def test_values_of_medical_and_retracted_posts_are_left_out(personas, api_for, make_post):
    make_post(personas.nurse, kind="vitals", body="", vitals={"pulse": 60}, visibility="medical")
    gone = make_post(personas.nurse, kind="vitals", body="", vitals={"pulse": 70})
    make_post(personas.nurse, kind="vitals", body="", vitals={"pulse": 80})
    assert (
        api_for(personas.nurse).delete(f"/posts/{gone.uuid}", {"reason": "誤入力"}).status_code
        == 200
    )
    pulses = lambda user: [  # noqa: E731
        p["value"]
        for p in series_of(api_for(user).get(vitals_path(personas)).json())["pulse"]["points"]
    ]
    assert pulses(personas.doctor) == [60, 80]
    assert pulses(personas.caremanager) == [80]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_404(personas, api_for, measured, who):
    before = AuditEvent.objects.count()
    assert api_for(getattr(personas, who)).get(vitals_path(personas)).status_code == 404
    assert AuditEvent.objects.count() == before


def test_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.doctor).post(vitals_path(personas), {}).status_code == 405
    assert api_for(None).get(vitals_path(personas)).status_code == 401


@pytest.mark.parametrize("n", [5, 60])
def test_query_count(personas, api_for, bulk_posts, django_assert_max_num_queries, n):
    bulk_posts(n)
    api = api_for(personas.doctor)
    # auth 4; access: resident 1, medical occupation 1; vitals (+post) 1; audit 5.
    with django_assert_max_num_queries(12):
        response = api.get(vitals_path(personas))
    assert len(series_of(response.json())["systolic"]["points"]) == n
