"""`/ws/residents/<uuid>/`: a resident's open timeline pages (group `resident.<uuid>`).

Only someone who may see the resident's details (team member or operator, with team-sharing
consent in force) may join. The socket carries only nudges such as
`{"type": "post.created", "id": "<post uuid>"}`; the page fetches the post's fragment through
the normal view, which checks access (and medical-only visibility) again. Access is checked when
the socket opens: a member removed from the team keeps an open socket until it closes, but
every fragment it asks for is refused from then on, and it cannot reconnect.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import Http404

from renrakucho.core.realtime import resident_group
from renrakucho.notifications.consumers import NudgeConsumer
from renrakucho.residents.access import Permission, access_resident


@database_sync_to_async
def _may_follow(user, resident_uuid) -> bool:
    try:
        access_resident(user, resident_uuid, permission=Permission.VIEW_DETAILS)
    except (Http404, PermissionDenied):
        return False
    return True


class ResidentTimelineConsumer(NudgeConsumer):
    async def group_for(self, user) -> str | None:
        resident_uuid = self.scope["url_route"]["kwargs"]["resident_uuid"]
        if not await _may_follow(user, resident_uuid):
            return None
        return resident_group(resident_uuid)
