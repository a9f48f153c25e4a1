"""Seq allocation under concurrent senders (PostgreSQL: the test database accepts several
connections; SQLite's in-memory test database does not, and SQLite serialises writers
anyway)."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.db import connection, connections

from renrakucho.chat import services
from renrakucho.chat.models import Conversation, Message

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _occupations(transactional_db):
    from django.apps import apps

    importlib.import_module("renrakucho.accounts.migrations.0002_seed_occupations").seed(apps, None)


def test_concurrent_senders_get_consecutive_seqs(personas):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that accepts concurrent connections (PostgreSQL)")
    conversation, _ = services.conversation_create(actor=personas.nurse, members=[personas.doctor])
    errors = []
    barrier = threading.Barrier(3)

    def sender(user):
        try:
            barrier.wait()
            for n in range(15):
                fresh = Conversation.objects.get(pk=conversation.pk)
                services.message_send(actor=user, conversation=fresh, body=f"{user.username} {n}")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=sender, args=(user,))
        for user in (personas.nurse, personas.doctor, personas.nurse)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    seqs = sorted(Message.objects.filter(conversation=conversation).values_list("seq", flat=True))
    assert seqs == list(range(1, 46))
    conversation.refresh_from_db()
    assert conversation.last_seq == 45
