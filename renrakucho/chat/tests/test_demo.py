"""The demo chat (renrakucho/demo/chat.py): written through the services, idempotent."""

from __future__ import annotations

from collections import Counter

import pytest

from renrakucho.chat.models import Conversation, ConversationMember, Message
from renrakucho.demo.chat import MESSAGES, seed_chat

pytestmark = pytest.mark.django_db


def test_demo_chat_is_seeded_once(personas):
    users = {"demo-nurse": personas.nurse, "demo-doctor": personas.doctor}
    first, second = Counter(), Counter()
    seed_chat(users, {}, {}, first)
    seed_chat(users, {}, {}, second)
    assert first == {"chat conversations": 1, "chat messages": len(MESSAGES)}
    assert not +second
    conversation = Conversation.objects.get()
    assert conversation.kind == "direct" and conversation.last_seq == len(MESSAGES)
    linked = Message.objects.get(resident_uuid__isnull=False)
    assert linked.resident_uuid == personas.resident.uuid and linked.author == personas.nurse
    nurse = ConversationMember.objects.get(conversation=conversation, user=personas.nurse)
    assert conversation.last_seq - nurse.last_read_seq == 1
    times = list(Message.objects.order_by("seq").values_list("created_at", flat=True))
    assert times == sorted(times)
