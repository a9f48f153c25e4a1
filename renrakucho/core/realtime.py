"""Realtime nudges over Channels, sent only after the transaction commits.

A push carries a small message (`{"type": "post.created", "id": "<uuid>"}`); the browser
fetches the fragment through the normal, access-checked view. Group names carry only UUIDs.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def publish(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "nudge", "payload": message})
    except Exception:  # a realtime hiccup must never fail the write that caused it
        logger.warning("realtime publish to %s failed", group.split(".")[0], exc_info=True)


def publish_on_commit(group: str, message: dict) -> None:
    transaction.on_commit(lambda: publish(group, message))
