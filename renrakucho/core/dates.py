"""Japanese date display: 2026年11月22日, optionally in the Japanese era (令和8年11月22日)."""

import datetime

from django.utils import timezone

# (first day, era name); 元年 is the first year of an era.
_ERAS = (
    (datetime.date(2019, 5, 1), "令和"),
    (datetime.date(1989, 1, 8), "平成"),
    (datetime.date(1926, 12, 25), "昭和"),
    (datetime.date(1912, 7, 30), "大正"),
    (datetime.date(1868, 1, 25), "明治"),
)
_WEEKDAYS = "月火水木金土日"


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def japanese_date(value, *, weekday: bool = False) -> str:
    if not value:
        return ""
    day = _as_date(value)
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（{_WEEKDAYS[day.weekday()]}）" if weekday else text


def wareki(value) -> str:
    """令和8年11月22日; dates before 明治 fall back to the Gregorian form."""
    if not value:
        return ""
    day = _as_date(value)
    for start, era in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return japanese_date(day)


def japanese_datetime(value) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{japanese_date(local)} {local:%H:%M}"
