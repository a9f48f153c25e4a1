"""Websockets through the real ASGI application (renrakucho.asgi:application): session
sign-in, the access check on connect, and nudges published with core.realtime.publish().

Each test runs its event loop in a thread of its own (Playwright's sync API keeps one running in
the main thread during browser tests), and the consumer reads the database from yet another
thread, so these tests commit (transaction=True).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django_otp.plugins.otp_totp.models import TOTPDevice

from renrakucho.core.realtime import publish, resident_group, user_group
from renrakucho.notifications.consumers import REFUSED
from renrakucho.notifications.models import Kind
from renrakucho.notifications.services import notify
from renrakucho.residents.access import Permission, access_resident
from renrakucho.residents.services import team_remove

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _occupations(transactional_db):
    # A committing test ends with a flush, which also drops the occupations that migration
    # seeded; the personas need them.
    from django.apps import apps

    seed_occupations = importlib.import_module(
        "renrakucho.accounts.migrations.0002_seed_occupations"
    ).seed
    seed_occupations(apps, None)


NUDGE = {"type": "post.created", "id": "6f1c1f8e-8a57-4d8e-9d8a-3c0c6f1b2a11"}


class WebsocketCommunicator(ApplicationCommunicator):
    """channels.testing.WebsocketCommunicator, minus its package's import of daphne (not a
    dependency here): connect, receive JSON, disconnect."""

    def __init__(self, application, path: str, headers: list[tuple[bytes, bytes]]):
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers}
        super().__init__(application, scope)

    async def connect(self, timeout: float = 2) -> tuple[bool, int | None]:
        """(True, None) when accepted, (False, close code) when refused."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, None

    async def receive_json_from(self, timeout: float = 2):
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 2) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def run(coroutine_function, *args):
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine_function(*args)).result(timeout=30)


def socket(path: str, client=None, origin: str = "http://testserver") -> WebsocketCommunicator:
    from renrakucho.asgi import application

    headers = [(b"host", b"testserver"), (b"origin", origin.encode())]
    if client is not None:
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def timeline_path(personas) -> str:
    return f"/ws/residents/{personas.resident.uuid}/"


async def connect_and_receive(communicator, group, message):
    connected, _ = await communicator.connect()
    assert connected
    await sync_to_async(publish)(group, message)
    received = await communicator.receive_json_from(timeout=2)
    await communicator.disconnect()
    return received


async def connect_result(communicator):
    connected, code = await communicator.connect()
    if connected:
        await communicator.disconnect()
    return connected, code


def test_team_member_receives_nudge_of_the_resident(personas, client_for):
    communicator = socket(timeline_path(personas), client_for(personas.nurse))
    received = run(connect_and_receive, communicator, resident_group(personas.resident.uuid), NUDGE)
    assert received == NUDGE


def test_operator_of_the_network_may_follow(personas, client_for):
    communicator = socket(timeline_path(personas), client_for(personas.operator_a))
    assert run(connect_result, communicator) == (True, None)


def test_nudge_of_another_resident_is_not_received(personas, client_for):
    async def scenario(communicator):
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(publish)(resident_group(uuid.uuid4()), NUDGE)
        nothing = await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
        return nothing

    assert run(scenario, socket(timeline_path(personas), client_for(personas.doctor)))


@pytest.mark.parametrize("who", [None, "pharmacist", "nurse_b", "operator_c"])
def test_refused_without_access(personas, client_for, who):
    client = client_for(getattr(personas, who)) if who else None
    communicator = socket(timeline_path(personas), client)
    assert run(connect_result, communicator) == (False, REFUSED)


def test_unknown_resident_is_refused_like_a_forbidden_one(personas, client_for):
    communicator = socket(f"/ws/residents/{uuid.uuid4()}/", client_for(personas.nurse))
    assert run(connect_result, communicator) == (False, REFUSED)


def test_foreign_origin_is_refused(personas, client_for):
    communicator = socket(timeline_path(personas), client_for(personas.nurse), "https://evil.test")
    connected, _ = run(connect_result, communicator)
    assert not connected


def test_removed_member_can_no_longer_connect(personas, client_for):
    client = client_for(personas.nurse)
    assert run(connect_result, socket(timeline_path(personas), client)) == (True, None)

    lead = access_resident(
        personas.caremanager, personas.resident.uuid, permission=Permission.REMOVE_MEMBER
    )
    member = personas.resident.team_members.get(user=personas.nurse)
    team_remove(actor=personas.caremanager, access=lead, member=member, reason="担当交代")

    assert run(connect_result, socket(timeline_path(personas), client)) == (False, REFUSED)


def test_without_team_sharing_consent_the_timeline_is_refused(personas, client_for):
    personas.consent.delete()
    communicator = socket(timeline_path(personas), client_for(personas.nurse))
    assert run(connect_result, communicator) == (False, REFUSED)


def test_unverified_second_factor_is_refused(personas, client_for):
    # The HTTP pages send this session to the TOTP step; the websocket refuses it.
    TOTPDevice.objects.create(user=personas.nurse, name="phone", confirmed=True)
    communicator = socket(timeline_path(personas), client_for(personas.nurse))
    assert run(connect_result, communicator) == (False, REFUSED)


def test_my_socket_receives_notification_nudge_after_commit(personas, client_for):
    async def scenario(communicator):
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(notify)(
            users=[personas.doctor],
            kind=Kind.NEW_POST,
            url=f"/residents/{personas.resident.uuid}/",
            resident_uuid=personas.resident.uuid,
        )
        received = await communicator.receive_json_from(timeout=2)
        await communicator.disconnect()
        return received

    assert run(scenario, socket("/ws/me/", client_for(personas.doctor))) == {
        "type": "notification.created"
    }


def test_my_socket_is_only_mine(personas, client_for):
    async def scenario(communicator):
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(publish)(user_group(personas.nurse.uuid), NUDGE)
        nothing = await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
        return nothing

    assert run(scenario, socket("/ws/me/", client_for(personas.doctor)))


def test_my_socket_refuses_anonymous():
    assert run(connect_result, socket("/ws/me/")) == (False, REFUSED)


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_layer(settings):
    """The production layer (REDIS_URL): Redis pub/sub on a database of its own. Skipped when
    Redis is unreachable on a developer's machine; in CI (.ci/run starts it) that fails."""
    import os

    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_TEST_URL} (CI requires it)")
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL}")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_TEST_URL]},
        }
    }


def test_team_member_receives_nudge_through_redis(personas, client_for, redis_layer):
    from channels.layers import get_channel_layer

    assert type(get_channel_layer()).__name__ == "RedisPubSubChannelLayer"
    communicator = socket(timeline_path(personas), client_for(personas.nurse))
    received = run(connect_and_receive, communicator, resident_group(personas.resident.uuid), NUDGE)
    assert received == NUDGE


def test_outsider_is_refused_with_redis_too(personas, client_for, redis_layer):
    communicator = socket(timeline_path(personas), client_for(personas.pharmacist))
    assert run(connect_result, communicator) == (False, REFUSED)
