"""`/ws/chat/<uuid>/`: an open conversation page (group `chat.<conversation uuid>`).

Only an active member of the conversation, in one of their active Networks, may join;
anyone else is refused with close code 4404 (as the timeline's consumer: "absent" and
"forbidden" look alike). The socket carries only nudges
`{"type": "message.created" | "message.updated" | "read.updated", "id": …, "seq": n}`; the
page fetches the messages through the normal view, which checks membership again, so a
member removed while their socket is open receives nudges until it closes but can fetch
nothing.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.http import Http404

from renrakucho.notifications.consumers import NudgeConsumer

from .access import access_conversation
from .services import chat_group


@database_sync_to_async
def _may_follow(user, conversation_uuid) -> bool:
    try:
        access_conversation(user, conversation_uuid)
    except Http404:
        return False
    return True


class ConversationConsumer(NudgeConsumer):
    async def group_for(self, user) -> str | None:
        conversation_uuid = self.scope["url_route"]["kwargs"]["conversation_uuid"]
        if not await _may_follow(user, conversation_uuid):
            return None
        return chat_group(conversation_uuid)
