from django import template

from renrakucho.core import dates

register = template.Library()


@register.filter
def jdate(value):
    """{{ day|jdate }} → 2026年11月22日"""
    return dates.japanese_date(value)


@register.filter
def jdate_weekday(value):
    """{{ day|jdate_weekday }} → 2026年11月22日（日）"""
    return dates.japanese_date(value, weekday=True)


@register.filter
def wareki(value):
    """{{ day|wareki }} → 令和8年11月22日"""
    return dates.wareki(value)


@register.filter
def jdatetime(value):
    """{{ moment|jdatetime }} → 2026年11月22日 14:05 (local time)"""
    return dates.japanese_datetime(value)
