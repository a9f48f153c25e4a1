"""Fixtures of the chat tests (personas and client_for come from renrakucho/conftest)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from renrakucho.chat import services
from renrakucho.chat.access import access_conversation
from renrakucho.chat.models import Conversation, Message


@pytest.fixture
def direct(personas):
    """The 1:1 conversation of the nurse and the doctor (Network A)."""
    conversation, _ = services.conversation_create(
        actor=personas.nurse, members=[personas.doctor.uuid]
    )
    return conversation


@pytest.fixture
def group(personas):
    """A group of the nurse (creator), the doctor and the care manager."""
    conversation, _ = services.conversation_create(
        actor=personas.nurse,
        members=[personas.doctor.uuid, personas.caremanager.uuid],
        title="山田さん担当",
    )
    return conversation


@pytest.fixture
def send():
    """send(user, conversation, body="…", **kwargs) → Message, through the service."""

    def make(user, conversation, body="こんにちは", **kwargs):
        conversation.refresh_from_db()
        return services.message_send(actor=user, conversation=conversation, body=body, **kwargs)

    return make


@pytest.fixture
def access_for():
    def make(user, conversation):
        return access_conversation(user, conversation.uuid)

    return make


def bulk_messages(conversation: Conversation, authors, n: int) -> None:
    """n messages written straight to the database (seq continuing), alternating authors."""
    conversation.refresh_from_db()
    start = conversation.last_seq
    now = timezone.now()
    Message.objects.bulk_create(
        [
            Message(
                conversation=conversation,
                seq=start + i + 1,
                author=authors[i % len(authors)],
                body=f"メッセージ {start + i + 1}",
                search_key=f"めっせーじ{start + i + 1}",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=start + n, last_message_at=now)
    conversation.refresh_from_db()


@pytest.fixture
def bulk():
    return bulk_messages
