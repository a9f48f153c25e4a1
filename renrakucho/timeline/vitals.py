"""Vital signs (バイタル): the keys, units and plausible ranges, parsing, and flags against a
Network's thresholds.

Two different limits apply to each value:
- the plausible RANGE (`VitalSpec.low`–`high`): outside it the value is a typing error and is
  refused with a Japanese message (a temperature of 60 ℃ is not a fever, it is a mistake);
- the Network's THRESHOLDS (`Network.vital_thresholds`, changed by its operator): a plausible
  value below `low` or at/above `high` is flagged abnormal (異常値) on the post and notified.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class VitalSpec:
    key: str
    label: str | Promise
    unit: str
    low: Decimal
    high: Decimal
    decimal_places: int = 0

    def format(self, value) -> str:
        """The value as typed on paper: 36.5, 120 (no trailing zeros beyond the precision)."""
        if value is None:
            return ""
        if self.decimal_places:
            return f"{Decimal(value):.{self.decimal_places}f}"
        return str(int(value))

    @property
    def step(self) -> str:
        return "0.1" if self.decimal_places else "1"


def _spec(key, label, unit, low, high, places=0) -> VitalSpec:
    return VitalSpec(key, label, unit, Decimal(low), Decimal(high), places)


# Order is the order of the form, the table and the graphs.
SPECS: dict[str, VitalSpec] = {
    spec.key: spec
    for spec in (
        _spec("systolic", gettext_lazy("収縮期血圧"), "mmHg", 40, 300),
        _spec("diastolic", gettext_lazy("拡張期血圧"), "mmHg", 20, 200),
        _spec("pulse", gettext_lazy("脈拍"), "回/分", 20, 250),
        _spec("temperature", gettext_lazy("体温"), "℃", "30.0", "45.0", 1),
        _spec("spo2", gettext_lazy("SpO2"), "%", 50, 100),
        _spec("respiration", gettext_lazy("呼吸数"), "回/分", 4, 80),
        _spec("weight", gettext_lazy("体重"), "kg", "1.0", "300.0", 1),
        _spec("glucose", gettext_lazy("血糖値"), "mg/dL", 10, 1000),
        _spec("pain", gettext_lazy("痛み"), "0–10", 0, 10),
    )
}
KEYS: tuple[str, ...] = tuple(SPECS)


def _range_message(spec: VitalSpec) -> str:
    # The pain scale has no unit: 「痛みは0〜10の範囲で…」.
    unit = "" if spec.key == "pain" else spec.unit
    return _("%(label)sは%(low)s〜%(high)s%(unit)sの範囲で入力してください。") % {
        "label": spec.label,
        "low": spec.format(spec.low),
        "high": spec.format(spec.high),
        "unit": unit,
    }


def _parse(spec: VitalSpec, raw: Any) -> Decimal:
    if isinstance(raw, bool):  # JSON true/false is not a measurement
        raise ValidationError(_("%(label)sは数値で入力してください。") % {"label": spec.label})
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("%(label)sは数値で入力してください。") % {"label": spec.label})
    if not value.is_finite():
        raise ValidationError(_("%(label)sは数値で入力してください。") % {"label": spec.label})
    if spec.decimal_places == 0:
        if value != value.to_integral_value():
            raise ValidationError(_("%(label)sは整数で入力してください。") % {"label": spec.label})
        value = value.to_integral_value()
    else:
        quantum = Decimal(1).scaleb(-spec.decimal_places)
        if value != value.quantize(quantum, rounding=ROUND_HALF_UP):
            raise ValidationError(
                _("%(label)sは小数第%(n)d位までで入力してください。")
                % {"label": spec.label, "n": spec.decimal_places}
            )
        value = value.quantize(quantum)
    if not spec.low <= value <= spec.high:
        raise ValidationError(_range_message(spec))
    return value


def clean_vitals(raw: Mapping[str, Any] | None) -> dict[str, int | Decimal]:
    """Parse and check typed values (strings from a form, numbers from JSON).

    Empty values are left out. Returns {key: int | Decimal} for the values given (temperature
    and weight as Decimal with one decimal place, the others as int). Raises ValidationError
    keyed by the vital's key with a Japanese message for a value that is not a number, has too
    many decimals, is outside its plausible range, or an unknown key; and under "diastolic"
    when it is not lower than the systolic pressure.
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, int | Decimal] = {}
    for key, raw_value in (raw or {}).items():
        if raw_value is None or (isinstance(raw_value, str) and not raw_value.strip()):
            continue
        spec = SPECS.get(key)
        if spec is None:
            errors.setdefault("vitals", []).append(
                _("「%(key)s」は記録できるバイタルの項目ではありません。") % {"key": key[:30]}
            )
            continue
        try:
            value = _parse(spec, raw_value)
        except ValidationError as error:
            errors[key] = error.messages
            continue
        values[key] = value if spec.decimal_places else int(value)
    systolic, diastolic = values.get("systolic"), values.get("diastolic")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        errors["diastolic"] = [_("拡張期血圧は収縮期血圧より低い値で入力してください。")]
    if errors:
        raise ValidationError(errors)
    return values


def _threshold(bounds: Mapping, name: str) -> Decimal | None:
    value = bounds.get(name) if isinstance(bounds, Mapping) else None
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def abnormal_keys(values: Mapping[str, Any], thresholds: Mapping | None) -> list[str]:
    """Keys (in SPECS order) whose value is below the threshold's `low` or at/above its
    `high`. Thresholds missing or malformed for a key flag nothing for it."""
    flagged = []
    for key in KEYS:
        value = values.get(key)
        if value is None:
            continue
        bounds = (thresholds or {}).get(key) or {}
        low, high = _threshold(bounds, "low"), _threshold(bounds, "high")
        value = Decimal(str(value))
        if (low is not None and value < low) or (high is not None and value >= high):
            flagged.append(key)
    return flagged


def thresholds_for_display(thresholds: Mapping | None) -> dict[str, dict[str, float]]:
    """{key: {"low": float, "high": float}} with only the well-formed bounds (for graphs)."""
    shown: dict[str, dict[str, float]] = {}
    for key in KEYS:
        bounds = (thresholds or {}).get(key) or {}
        for name in ("low", "high"):
            value = _threshold(bounds, name)
            if value is not None:
                shown.setdefault(key, {})[name] = float(value)
    return shown
