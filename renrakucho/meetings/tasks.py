"""Periodic work of the meetings app (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import meeting_reminders_send


# Every five minutes: a meeting is reminded MEETING_REMINDER_MINUTES (30) before it starts,
# give or take the period; each invitation once (reminded_at).
@db_periodic_task(crontab(minute="*/5"))
def send_meeting_reminders() -> int:
    """Notify and e-mail the invitees of meetings starting soon; returns how many."""
    return meeting_reminders_send()
