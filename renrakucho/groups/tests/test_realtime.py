"""`/ws/groups/<uuid>/` through the real ASGI application: members join, everyone else is
refused with the one REFUSED code, and a new thread reaches an open socket after commit.
Committing tests (the consumer reads the database from another thread), as in
timeline/tests/test_realtime.py, whose helpers are reused."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async

from renrakucho.core.realtime import publish
from renrakucho.groups import board, services
from renrakucho.notifications.consumers import REFUSED
from renrakucho.timeline.tests.test_realtime import (  # noqa: F401 (_occupations is autouse)
    _occupations,
    connect_result,
    run,
    socket,
)

pytestmark = pytest.mark.django_db(transaction=True)


def path_of(group) -> str:
    return f"/ws/groups/{group.uuid}/"


def test_member_receives_thread_created(personas, client_for, doctors_group):
    communicator = socket(path_of(doctors_group), client_for(personas.doctor))

    async def scenario():
        connected, _ = await communicator.connect()
        assert connected
        thread = await sync_to_async(board.thread_create)(
            actor=personas.doctor, group=doctors_group, title="通知", body="本文"
        )
        received = await communicator.receive_json_from(timeout=2)
        await communicator.disconnect()
        return thread, received

    thread, received = run(scenario)
    assert received == {"type": "thread.created", "id": str(thread.uuid)}


def test_nudge_of_another_group_is_not_received(personas, client_for, doctors_group):
    communicator = socket(path_of(doctors_group), client_for(personas.doctor))

    async def scenario():
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(publish)(f"group.{uuid.uuid4()}", {"type": "thread.created"})
        nothing = await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
        return nothing

    assert run(scenario)


@pytest.mark.parametrize("who", [None, "pharmacist", "nurse", "operator_a", "nurse_b"])
def test_non_members_are_refused(personas, client_for, doctors_group, who):
    client = client_for(getattr(personas, who)) if who else None
    assert run(connect_result, socket(path_of(doctors_group), client)) == (False, REFUSED)


def test_unknown_group_is_refused_like_a_forbidden_one(personas, client_for):
    communicator = socket(f"/ws/groups/{uuid.uuid4()}/", client_for(personas.doctor))
    assert run(connect_result, communicator) == (False, REFUSED)


def test_removed_member_can_no_longer_connect(personas, client_for):
    council = services.group_create(
        actor=personas.caremanager, network=personas.net_a, name="介護事業所連絡会"
    )
    from renrakucho.groups.access import access_group

    owner = access_group(personas.caremanager, council.uuid)
    services.group_invite(actor=personas.caremanager, access=owner, invitee=personas.nurse)
    membership = services.group_join(
        actor=personas.nurse, access=access_group(personas.nurse, council.uuid, board=False)
    )
    client = client_for(personas.nurse)
    assert run(connect_result, socket(path_of(council), client)) == (True, None)
    services.member_remove(actor=personas.caremanager, access=owner, membership=membership)
    assert run(connect_result, socket(path_of(council), client)) == (False, REFUSED)
