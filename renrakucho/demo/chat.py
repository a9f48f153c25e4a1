"""Demo data of the chat app (issue 4): a 1:1 conversation of demo-nurse and demo-doctor.

Written through the services (conversation_create, message_send)
as the demo users; one message links to 山田 花子 (the link shows her name only to readers
who may reach her). Afterwards the messages are re-dated over the last hour, as if written
this morning. Idempotent: the 1:1 is found again by its pair, and its messages are written
only while it has none.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.utils import timezone

from renrakucho.chat import services
from renrakucho.chat.models import Conversation, Message
from renrakucho.residents.models import Resident

# (author, text, links 山田 花子)
MESSAGES = (
    ("demo-nurse", "宮坂先生、お疲れさまです。訪問看護の北沢です。", False),
    (
        "demo-nurse",
        "こちらの方の本日の訪問記録をタイムラインに載せました。食事量が減っているので、"
        "ご確認をお願いします。",
        True,
    ),
    ("demo-doctor", "確認しました。明日の午後の往診で診察します。", False),
    ("demo-nurse", "ありがとうございます。ご家族にもお伝えしておきます。", False),
    (
        "demo-doctor",
        "よろしくお願いします。来週のサービス担当者会議の日程も、後ほど相談させてください。",
        False,
    ),
)


def seed_chat(users: dict, facilities: dict, networks: dict, created: Counter) -> None:
    """Create whatever of this app's demo data is missing, through its services."""
    nurse, doctor = users.get("demo-nurse"), users.get("demo-doctor")
    if nurse is None or doctor is None:
        return
    conversation, new = services.conversation_create(actor=nurse, members=[doctor])
    created["chat conversations"] += int(new)
    conversation.refresh_from_db()
    if conversation.last_seq:
        return
    hanako = Resident.objects.filter(name="山田 花子", network__slug="ina").first()
    for username, text, links in MESSAGES:
        conversation.refresh_from_db()
        services.message_send(
            actor=users[username],
            conversation=conversation,
            body=text,
            resident_uuid=hanako.uuid if links and hanako else None,
        )
        created["chat messages"] += 1
    # Each has read up to their own last message: the doctor's last reply is new for her.
    now = timezone.now()
    count = len(MESSAGES)
    for message in Message.objects.filter(conversation=conversation):
        moment = now - datetime.timedelta(minutes=12 * (count - message.seq) + 3)
        Message.objects.filter(pk=message.pk).update(created_at=moment, updated_at=moment)
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=now - datetime.timedelta(minutes=3)
    )
