"""`/ws/groups/<uuid>/`: a group's open board and thread pages (channel group `group.<uuid>`).

Only active members acting in the group's Network may join (groups.access); everyone else,
and an unknown group, is refused with the one REFUSED code. The socket carries only nudges
(`{"type": "thread.created" | "thread.updated" | "reply.created" | "thread.read" |
"member.changed", "id": "<thread uuid>"}`); the page fetches fragments through the normal,
access-checked views. Access is checked when the socket opens.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.http import Http404

from renrakucho.notifications.consumers import NudgeConsumer

from .access import access_group


@database_sync_to_async
def _may_follow(user, group_uuid) -> bool:
    try:
        access_group(user, group_uuid)
    except Http404:
        return False
    return True


class GroupBoardConsumer(NudgeConsumer):
    async def group_for(self, user) -> str | None:
        group_uuid = self.scope["url_route"]["kwargs"]["group_uuid"]
        if not await _may_follow(user, group_uuid):
            return None
        return f"group.{group_uuid}"
