from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from renrakucho.networks.models import default_vital_thresholds
from renrakucho.timeline.vitals import SPECS, abnormal_keys, clean_vitals, thresholds_for_display


def errors_of(raw) -> dict:
    with pytest.raises(ValidationError) as caught:
        clean_vitals(raw)
    return caught.value.message_dict


def test_typed_values_are_parsed():
    values = clean_vitals(
        {
            "systolic": "128",
            "diastolic": "７６",  # full-width digits from a Japanese keyboard
            "pulse": 72,
            "temperature": "36.5",
            "spo2": "97",
            "respiration": "",
            "weight": "45",
            "glucose": None,
            "pain": "0",
        }
    )
    assert values == {
        "systolic": 128,
        "diastolic": 76,
        "pulse": 72,
        "temperature": Decimal("36.5"),
        "spo2": 97,
        "weight": Decimal("45.0"),
        "pain": 0,
    }


def test_sixty_degrees_is_refused_in_japanese():
    assert errors_of({"temperature": "60"}) == {
        "temperature": ["体温は30.0〜45.0℃の範囲で入力してください。"]
    }


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("systolic", "301", "収縮期血圧は40〜300mmHgの範囲で入力してください。"),
        ("systolic", "39", "収縮期血圧は40〜300mmHgの範囲で入力してください。"),
        ("diastolic", "19", "拡張期血圧は20〜200mmHgの範囲で入力してください。"),
        ("pulse", "251", "脈拍は20〜250回/分の範囲で入力してください。"),
        ("spo2", "101", "SpO2は50〜100%の範囲で入力してください。"),
        ("spo2", "49", "SpO2は50〜100%の範囲で入力してください。"),
        ("respiration", "3", "呼吸数は4〜80回/分の範囲で入力してください。"),
        ("weight", "0.5", "体重は1.0〜300.0kgの範囲で入力してください。"),
        ("glucose", "1001", "血糖値は10〜1000mg/dLの範囲で入力してください。"),
        ("pain", "11", "痛みは0〜10の範囲で入力してください。"),
        ("pulse", "七十", "脈拍は数値で入力してください。"),
        ("pulse", "72.5", "脈拍は整数で入力してください。"),
        ("temperature", "36.55", "体温は小数第1位までで入力してください。"),
        ("temperature", "NaN", "体温は数値で入力してください。"),
        ("spo2", True, "SpO2は数値で入力してください。"),
    ],
)
def test_out_of_range_and_malformed_values(key, value, message):
    assert errors_of({key: value}) == {key: [message]}


def test_edges_of_the_ranges_pass():
    assert clean_vitals({"temperature": "30.0", "spo2": "100", "pain": "10", "systolic": "300"})
    assert clean_vitals({"temperature": "45", "weight": "300.0", "glucose": "10"})


def test_diastolic_must_be_below_systolic():
    assert errors_of({"systolic": "120", "diastolic": "120"}) == {
        "diastolic": ["拡張期血圧は収縮期血圧より低い値で入力してください。"]
    }
    assert clean_vitals({"diastolic": "90"}) == {"diastolic": 90}  # alone it is fine


def test_unknown_keys_are_refused():
    assert "vitals" in errors_of({"bmi": "22"})


def test_abnormal_against_the_network_thresholds():
    thresholds = default_vital_thresholds()
    values = clean_vitals({"systolic": "180", "spo2": "89", "temperature": "37.9", "pulse": "40"})
    # ≥ high and < low are abnormal; exactly `low` is not.
    assert abnormal_keys(values, thresholds) == ["systolic", "spo2"]
    assert abnormal_keys({"temperature": Decimal("38.0")}, thresholds) == ["temperature"]
    assert abnormal_keys({"weight": Decimal("120")}, thresholds) == []  # no threshold


def test_malformed_thresholds_flag_nothing():
    assert abnormal_keys({"spo2": 80}, {"spo2": {"low": "x"}}) == []
    assert abnormal_keys({"spo2": 80}, {"spo2": "90"}) == []
    assert abnormal_keys({"spo2": 80}, None) == []
    assert thresholds_for_display({"spo2": {"low": 90, "high": None}, "pulse": "x"}) == {
        "spo2": {"low": 90.0}
    }


def test_every_vital_has_a_unit_and_the_model_fields_match():
    from renrakucho.timeline.models import VitalSigns

    assert tuple(SPECS) == VitalSigns.FIELDS
    assert [s.unit for s in SPECS.values()] == [
        "mmHg", "mmHg", "回/分", "℃", "%", "回/分", "kg", "mg/dL", "0–10",
    ]  # fmt: skip
