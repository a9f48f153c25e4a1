"""The caller's notifications (通知): the list, and marking them read.

Only the caller's own rows are ever shown or changed (notifications.access: anyone else's
is 404). A notification names no resident and carries no clinical content — it says what
happened, links to where, and gives the UUIDs — so, as on the pages, listing them is not
audited; the record behind one is read (and audited) through its own endpoint.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from django.http import Http404
from ninja import Query, Router

from renrakucho.api import bodies, selectors
from renrakucho.api.schemas_notices import (
    NotificationPage,
    NotificationsReadIn,
    NotificationsReadOut,
)
from renrakucho.notifications import selectors as notification_selectors
from renrakucho.notifications import services as notification_services

router = Router(tags=["notifications"])

MAX_PAGE = 100


def notification_out(row) -> dict[str, Any]:
    return {
        "id": row.uuid,
        "kind": row.kind,
        "kind_label": str(row.get_kind_display()),
        "text": row.text,
        "url": row.url,
        "resident": row.resident_uuid,
        "target": row.target_uuid,
        "urgent": row.urgent,
        "created_at": row.created_at,
        "read_at": row.read_at,
    }


@router.get("/notifications", response=NotificationPage, summary="通知の一覧")
def notification_list(
    request,
    cursor: Annotated[uuid.UUID | None, Query(description="前のページの next_cursor")] = None,
    unread: bool = Query(False, description="未読のみ"),
    limit: int = Query(notification_selectors.PAGE_SIZE, ge=1, le=MAX_PAGE),
):
    """The caller's notifications, newest first, as keyset pages."""
    page = notification_selectors.inbox_page(
        request.user, before=str(cursor) if cursor else None, unread_only=unread, size=limit
    )
    return {
        "items": [notification_out(row) for row in page.items],
        "next_cursor": page.next_cursor,
        "unread_count": notification_selectors.unread_count(request.user),
    }


@router.post(
    "/notifications/read",
    response=NotificationsReadOut,
    summary="通知を既読にする",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": bodies.json_schema(NotificationsReadIn)}},
        }
    },
)
def notifications_read(request):
    """Mark read the notifications `ids` (all of them the caller's: 404 otherwise, and
    nothing is marked), or every unread one when `ids` is left out or the body is empty."""
    payload = bodies.validated(NotificationsReadIn, bodies.json_object(request, required=False))
    if payload.ids is None:
        marked = notification_services.notifications_mark_all_read(actor=request.user)
    else:
        wanted = set(payload.ids)
        rows = selectors.my_notifications(request.user, wanted)
        if len(rows) != len(wanted):
            raise Http404
        marked = 0
        for row in rows:
            if row.read_at is None:
                notification_services.notification_mark_read(actor=request.user, notification=row)
                marked += 1
    return {
        "marked": marked,
        "unread_count": notification_selectors.unread_count(request.user),
    }
