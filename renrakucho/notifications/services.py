"""notify(): the one way features tell people something happened.

Rows are written in one statement; each recipient's open pages get a small realtime nudge
after commit (group `user.<uuid>`); e-mail goes out from huey tasks per the recipient's
preference and never carries resident names or clinical content.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction

from renrakucho.core.realtime import publish_on_commit, user_group

from .models import Kind, Notification


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
    return rows
