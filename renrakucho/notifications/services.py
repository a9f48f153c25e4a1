"""notify(): the one way features tell people something happened; and the reader's own
changes (mark read, e-mail preference).

Rows are written in one statement; each recipient's open pages get a small realtime nudge
after commit (group `user.<uuid>`); e-mail goes out from huey tasks (tasks.py) per the
recipient's preference and never carries resident names or clinical content.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from renrakucho.core.realtime import publish_on_commit, user_group

from .models import Kind, Notification, NotificationSetting


@transaction.atomic
def notify(
    *,
    users: Iterable,
    kind: Kind | str,
    url: str,
    resident_uuid: uuid.UUID | None = None,
    target_uuid: uuid.UUID | None = None,
    urgent: bool = False,
    exclude=None,
) -> list[Notification]:
    """Notify each of `users` (deduplicated; `exclude`, usually the actor, left out).

    `url` is a path with UUIDs only; the page behind it checks access when opened.
    After commit: a `notification.created` nudge to each recipient, and for an urgent
    notification the immediate e-mail task (tasks.send_urgent_email), which honours each
    recipient's preference.
    """
    seen: set[int] = set()
    recipients = []
    for user in users:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        recipients.append(user)
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=str(kind),
                url=url,
                resident_uuid=resident_uuid,
                target_uuid=target_uuid,
                urgent=urgent,
            )
            for user in recipients
        ]
    )
    for user in recipients:
        publish_on_commit(user_group(user.uuid), {"type": "notification.created"})
    if urgent and recipients:
        from .tasks import send_urgent_email

        user_ids = [user.pk for user in recipients]
        # robust: a queue that cannot be reached must not turn a committed write into an
        # error page; the daily digest still reports the rows.
        transaction.on_commit(lambda: send_urgent_email(user_ids), robust=True)
    return rows


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark the actor's own notification read (no-op when it already is). The caller got it
    through access.access_notification. Other open pages of the actor update their badge."""
    if notification.user_id != actor.pk:
        raise ValueError("not the actor's notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        publish_on_commit(user_group(actor.uuid), {"type": "notification.read"})
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read, in one statement; returns how many."""
    count = Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        publish_on_commit(user_group(actor.uuid), {"type": "notification.read"})
    return count


@transaction.atomic
def notification_setting_update(*, actor, email: str) -> NotificationSetting:
    """Set the actor's e-mail preference (EmailPreference). Raises ValidationError for an
    unknown value."""
    setting = NotificationSetting.objects.filter(user=actor).first() or NotificationSetting(
        user=actor
    )
    setting.email = email
    setting.full_clean()
    if setting.pk is None:
        setting.save()
    else:
        setting.save(update_fields=["email"])
    return setting
