"""Websockets of signed-in people: `/ws/me/` (group `user.<uuid>`), and the sign-in check
every websocket consumer applies before it joins a group.

A socket only ever receives nudges (`{"type": …, "id": <uuid>}`); what they point at is fetched
through the normal views, which check access again.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from renrakucho.accounts.middleware import has_confirmed_totp, two_factor_required
from renrakucho.core.realtime import user_group

# The close code for every refusal (not signed in, no access, no such page): one code, so a
# stranger cannot tell "forbidden" from "absent" — like the 404 of the HTTP views. Sent before
# the handshake is accepted, so the browser sees the connection refused.
REFUSED = 4404


def _second_factor_done(scope, user) -> bool:
    """The login policy of accounts.middleware.LoginPolicyMiddleware, for a websocket: a user
    with a TOTP device, or in a Network that requires two-factor login, must have verified a
    code in this session."""
    persistent_id = scope["session"].get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    if device is not None and device.user_id == user.pk and device.confirmed:
        return True
    return not has_confirmed_totp(user) and not two_factor_required(user)


@database_sync_to_async
def signed_in_user(scope):
    """The session's user when they may use the site now, else None.

    AuthMiddlewareStack resolves the session with the authentication backend, which already
    refuses users who may no longer log in (no affiliation left, suspended everywhere).
    """
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return None
    if not _second_factor_done(scope, user):
        return None
    return user


class NudgeConsumer(AsyncJsonWebsocketConsumer):
    """Forwards `nudge` events of the groups it joined to the browser; ignores what the
    browser sends. Subclasses decide in `group_for(user)` which group (None = refuse)."""

    group: str | None = None

    async def connect(self):
        user = await signed_in_user(self.scope)
        group = await self.group_for(user) if user is not None else None
        if group is None:
            await self.close(code=REFUSED)
            return
        self.group = group
        await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def group_for(self, user) -> str | None:
        raise NotImplementedError

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # Nothing is accepted from the browser over this socket; writes are HTTP POSTs.
        return

    async def nudge(self, event):
        await self.send_json(event["payload"])


class MyNotificationsConsumer(NudgeConsumer):
    """`/ws/me/`: the signed-in user's own group (new notifications)."""

    async def group_for(self, user) -> str | None:
        return user_group(user.uuid)
