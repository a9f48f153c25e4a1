"""Reads for the notification centre and the navigation badge: always the reader's own rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Subquery

from .models import EmailPreference, Notification, NotificationSetting

PAGE_SIZE = 30
# The badge says "99+" beyond this: counting stops there, so the query stays cheap for
# someone with thousands of unread rows.
BADGE_CAP = 99


@dataclass(frozen=True)
class Page:
    items: list[Notification]
    next_cursor: str | None  # the last row's UUID; the next page continues after it
    is_first: bool


def inbox_page(
    user, *, before: str | None = None, unread_only: bool = False, size: int = PAGE_SIZE
) -> Page:
    """One keyset page of the user's notifications, newest first, continuing after the
    notification with UUID `before` (ignored when it is not the user's or not a UUID).
    One query: the cursor's id is read in a subquery."""
    rows = Notification.objects.filter(user=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    cursor = None
    if before:
        try:
            cursor = uuid.UUID(str(before))
        except ValueError:
            cursor = None
    if cursor is not None:
        position = Notification.objects.filter(user=user, uuid=cursor).values("id")[:1]
        rows = rows.filter(id__lt=Subquery(position))
    items = list(rows.order_by("-id")[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(
        items=items,
        next_cursor=str(items[-1].uuid) if more else None,
        is_first=cursor is None,
    )


def unread_count(user, *, cap: int = BADGE_CAP) -> int:
    """Unread notifications of `user`, counted up to cap + 1 (one query)."""
    return Notification.objects.filter(user=user, read_at__isnull=True)[: cap + 1].count()


def email_preference(user) -> str:
    """The user's e-mail preference (the default when they never chose); one query."""
    setting = NotificationSetting.objects.filter(user=user).values_list("email", flat=True)
    return setting.first() or EmailPreference.URGENT_AND_DAILY
