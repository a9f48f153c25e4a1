"""Realtime nudges over Channels, sent only after the transaction commits.

A push carries a small message (`{"type": "post.created", "id": "<uuid>"}`); the browser
fetches the fragment through the normal, access-checked view. Group names carry only UUIDs:
`resident.<uuid>` (a resident's open timeline pages, joined by the consumer in
timeline/consumers.py after an access check) and `user.<uuid>` (a person's open pages, for
notifications; notifications/consumers.py).
"""

from __future__ import annotations

import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def resident_group(resident_uuid: uuid.UUID | str) -> str:
    return f"resident.{uuid.UUID(str(resident_uuid))}"


def user_group(user_uuid: uuid.UUID | str) -> str:
    return f"user.{uuid.UUID(str(user_uuid))}"


def publish(group: str, message: dict) -> None:
    """Send `message` to every socket in `group` now. Never raises: a realtime hiccup must
    not fail the write that caused it (the page catches up on its next load)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "nudge", "payload": message})
    except Exception:
        logger.warning("realtime publish to %s failed", group.split(".")[0], exc_info=True)


def publish_on_commit(group: str, message: dict) -> None:
    """publish() once the current transaction commits (at once outside a transaction);
    nothing is sent when it rolls back."""
    transaction.on_commit(lambda: publish(group, message))
