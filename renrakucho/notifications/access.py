"""A notification belongs to one person: anyone else gets 404, as for a missing one."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404

from .models import Notification


def access_notification(user, notification_uuid: uuid.UUID | str) -> Notification:
    """The user's own notification with this UUID, or Http404 (one query)."""
    if not user.is_authenticated:
        raise Http404
    try:
        notification_uuid = uuid.UUID(str(notification_uuid))
    except (ValueError, ValidationError):
        raise Http404
    notification = Notification.objects.filter(user=user, uuid=notification_uuid).first()
    if notification is None:
        raise Http404
    return notification
