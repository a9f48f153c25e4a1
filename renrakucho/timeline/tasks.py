"""Periodic work of the timeline (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .interactions import care_requests_notify_overdue


# huey evaluates crontabs in UTC: 23:00 UTC is 08:00 in Japan, before the day's visits. Each
# request is notified once whenever the task runs (a request_overdue notification marks it).
@db_periodic_task(crontab(minute="0", hour="23"))
def notify_overdue_requests() -> int:
    """Notify the open requests (依頼) past their due date; returns how many."""
    return care_requests_notify_overdue()
