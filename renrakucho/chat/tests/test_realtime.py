"""The conversation websocket through the real ASGI application: members join and receive
the nudges of message_send / edit / read; everyone else is refused with 4404."""

from __future__ import annotations

import asyncio
import importlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator

from renrakucho.chat import services
from renrakucho.chat.access import access_conversation
from renrakucho.notifications.consumers import REFUSED

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _occupations(transactional_db):
    # A committing test ends with a flush, which drops the occupations the migration seeded.
    from django.apps import apps

    importlib.import_module("renrakucho.accounts.migrations.0002_seed_occupations").seed(apps, None)


class Communicator(ApplicationCommunicator):
    def __init__(self, application, path: str, headers):
        super().__init__(
            application,
            {"type": "websocket", "path": path, "query_string": b"", "headers": headers},
        )

    async def connect(self, timeout: float = 2):
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, None

    async def receive_json_from(self, timeout: float = 2):
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 2):
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def run(coroutine_function, *args):
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine_function(*args)).result(timeout=30)


def socket(conversation, client) -> Communicator:
    from renrakucho.asgi import application

    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
    if client is not None:
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return Communicator(application, f"/ws/chat/{conversation.uuid}/", headers)


async def connect_result(communicator):
    connected, code = await communicator.connect()
    if connected:
        await communicator.disconnect()
    return connected, code


def test_member_receives_nudges(personas, client_for, direct):
    async def scenario(communicator):
        connected, _ = await communicator.connect()
        assert connected

        def write():
            direct.refresh_from_db()
            message = services.message_send(
                actor=personas.nurse, conversation=direct, body="今から伺います"
            )
            access = access_conversation(personas.doctor, direct.uuid)
            services.conversation_mark_read(actor=personas.doctor, access=access)
            services.message_edit(
                actor=personas.nurse,
                access=access_conversation(personas.nurse, direct.uuid),
                message=message,
                body="10分後に伺います",
            )

        await sync_to_async(write)()
        received = [await communicator.receive_json_from() for _ in range(3)]
        await communicator.disconnect()
        return received

    received = run(scenario, socket(direct, client_for(personas.doctor)))
    conversation = str(direct.uuid)
    assert received == [
        {"type": "message.created", "id": conversation, "seq": 1},
        {"type": "read.updated", "id": conversation, "seq": 1},
        {"type": "message.updated", "id": conversation, "seq": 1},
    ]
    # Nothing but a type, the conversation's id and a number: no text, no names.


@pytest.mark.parametrize("who", ["pharmacist", "nurse_b", "operator_a", "operator_c"])
def test_outsiders_are_refused(personas, client_for, direct, who):
    result = run(connect_result, socket(direct, client_for(getattr(personas, who))))
    assert result == (False, REFUSED)


def test_anonymous_and_former_members_are_refused(personas, client_for, direct):
    assert run(connect_result, socket(direct, None)) == (False, REFUSED)
    doctor = client_for(personas.doctor)
    assert run(connect_result, socket(direct, doctor)) == (True, None)
    services.conversation_leave(
        actor=personas.doctor, access=access_conversation(personas.doctor, direct.uuid)
    )
    assert run(connect_result, socket(direct, doctor)) == (False, REFUSED)
