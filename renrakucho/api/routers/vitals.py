"""Vital signs over time (バイタルの推移), for graphs: one series of {at, value} per vital,
with the Network's thresholds. Same access as the resident's timeline (timeline.access):
values of medical-only posts only for medical readers, none of retracted posts."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Query, Router

from renrakucho.api.errors import FieldErrors
from renrakucho.api.schemas_timeline import VitalsSeriesOut
from renrakucho.api.services import audit_api_read
from renrakucho.audit.models import Action
from renrakucho.timeline import selectors as timeline_selectors
from renrakucho.timeline.access import access_timeline
from renrakucho.timeline.vitals import SPECS, thresholds_for_display

router = Router(tags=["vitals"])

DEFAULT_DAYS = 180


def _moment(value: str, *, end: bool) -> datetime.datetime:
    """A date (the whole local day: `from` its start, `to` its end) or an ISO 8601 date and
    time (without an offset: Japan time). ValueError when it is neither."""
    value = value.strip()
    if len(value) == 10:
        day = datetime.date.fromisoformat(value)
        if end:
            day += datetime.timedelta(days=1)
        return datetime.datetime.combine(
            day, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
    moment = parse_datetime(value)
    if moment is None:
        raise ValueError(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def _period(
    start: str | None, end: str | None
) -> tuple[datetime.datetime, datetime.datetime | None]:
    """(since, until) of `from`/`to`; `until` None (no upper bound) when `to` is left out."""
    errors = []
    moments: dict[str, datetime.datetime] = {}
    for name, raw, is_end in (("from", start, False), ("to", end, True)):
        if not raw:
            continue
        try:
            moments[name] = _moment(raw, end=is_end)
        except ValueError:
            errors.append(
                {
                    "loc": ["query", name],
                    "msg": _(
                        "日付（例: 2024-04-01）または日時（例: 2024-04-01T09:00:00+09:00）で指定してください。"
                    ),
                    "type": "datetime_parsing",
                }
            )
    if errors:
        raise FieldErrors(errors)
    until = moments.get("to")
    since = moments.get("from", (until or timezone.now()) - datetime.timedelta(days=DEFAULT_DAYS))
    if until is not None and since >= until:
        raise FieldErrors(
            [
                {
                    "loc": ["query", "from"],
                    "msg": _("開始は終了より前の日時を指定してください。"),
                    "type": "invalid",
                }
            ]
        )
    return since, until


def _types(raw: list[str] | None) -> list[str]:
    """Vital keys asked for: repeated `type=` and/or comma separated; all when none."""
    wanted = [part.strip() for value in raw or [] for part in value.split(",") if part.strip()]
    unknown = [key for key in wanted if key not in SPECS]
    if unknown:
        raise FieldErrors(
            [
                {
                    "loc": ["query", "type"],
                    "msg": _("バイタルの種類は %(keys)s から指定してください。")
                    % {"keys": ", ".join(SPECS)},
                    "type": "enum",
                }
            ]
        )
    return [key for key in SPECS if key in wanted] if wanted else list(SPECS)


@router.get(
    "/residents/{resident_id}/vitals",
    response=VitalsSeriesOut,
    by_alias=True,
    summary="バイタルの推移",
)
def vitals_series(
    request,
    resident_id: str,
    type: Annotated[
        list[str] | None,
        Query(
            description="systolic, diastolic, pulse, temperature, spo2, respiration, weight, "
            "glucose, pain（複数指定可・カンマ区切り可。省略時はすべて）"
        ),
    ] = None,
    from_: str | None = Query(
        None, alias="from", description="開始（日付または日時。省略時は終了の180日前）"
    ),
    to: str | None = Query(None, description="終了（日付はその日の終わりまで。省略時は現在）"),
):
    """One series per vital asked for (vitals without values in the period are left out),
    points in time order (the latest 2,000 measurements at most), each flagged `abnormal`
    when outside the Network's thresholds as recorded. Audited (POST_VIEW, view "vitals")."""
    access = access_timeline(request.user, resident_id)
    keys = _types(type)
    since, until = _period(from_, to)
    rows = timeline_selectors.vitals_series(access, since=since, until=until)
    thresholds = thresholds_for_display(access.resident.network.vital_thresholds)
    series: list[dict[str, Any]] = []
    for key in keys:
        spec = SPECS[key]
        points = [
            {
                "at": row.measured_at,
                "value": float(getattr(row, key)),
                "abnormal": key in (row.abnormal or []),
                "post": row.post.uuid,
            }
            for row in rows
            if getattr(row, key) is not None
        ]
        if points:
            series.append(
                {
                    "type": key,
                    "label": str(spec.label),
                    "unit": spec.unit,
                    "low": thresholds.get(key, {}).get("low"),
                    "high": thresholds.get(key, {}).get("high"),
                    "points": points,
                }
            )
    audit_api_read(
        request,
        action=Action.POST_VIEW,
        resident=access.resident,
        detail={"view": "vitals", "count": len(rows), "types": keys},
    )
    return {
        "resident": access.resident.uuid,
        "from": since,
        "to": until or timezone.now(),
        "series": series,
        "thresholds": {
            key: {"low": bounds.get("low"), "high": bounds.get("high")}
            for key, bounds in thresholds.items()
        },
    }
