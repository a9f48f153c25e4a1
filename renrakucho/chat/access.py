"""Who may read and write a conversation.

Only its active members (not left, not removed) reach a conversation, and only while the
conversation's Network is one of their active Networks (affiliation or operator role, not
suspended). Anyone else — another Network, a same-Network outsider, a former member — gets
Http404 for the conversation, its messages and its files alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404

from .models import Conversation, ConversationMember, Message, MessageAttachment


def active_networks(user) -> set[int]:
    """`user.active_network_ids()`, computed once per request (cached on the user object)."""
    cached = getattr(user, "_chat_active_networks", None)
    if cached is None:
        cached = user.active_network_ids() if getattr(user, "is_authenticated", False) else set()
        user._chat_active_networks = cached
    return cached


def parse_uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError, ValidationError):
        raise Http404


@dataclass(frozen=True)
class ChatAccess:
    conversation: Conversation
    membership: ConversationMember
    user: object

    @property
    def can_manage(self) -> bool:
        """Rename, add and remove members: group conversations, any member (removing others:
        the creator only, see services)."""
        return not self.conversation.is_direct


def my_memberships(user):
    """The user's active memberships in conversations of their active Networks."""
    return ConversationMember.objects.filter(
        user=user,
        left_at__isnull=True,
        conversation__network_id__in=active_networks(user),
    )


def access_conversation(user, conversation_uuid) -> ChatAccess:
    """The user's access to a conversation, or Http404. Two queries (active Networks, the
    membership with its conversation)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    parsed = parse_uuid(conversation_uuid)
    membership = (
        my_memberships(user)
        .select_related("conversation", "conversation__network")
        .filter(conversation__uuid=parsed)
        .first()
    )
    if membership is None:
        raise Http404
    return ChatAccess(conversation=membership.conversation, membership=membership, user=user)


def access_message(user, message_uuid) -> tuple[ChatAccess, Message]:
    """(access, message) for a message of a conversation the user may read, or Http404.
    Three queries."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    parsed = parse_uuid(message_uuid)
    message = Message.objects.select_related("conversation").filter(uuid=parsed).first()
    if message is None:
        raise Http404
    access = access_conversation(user, message.conversation.uuid)
    message.conversation = access.conversation
    return access, message


def access_attachment(user, attachment_uuid) -> tuple[ChatAccess, MessageAttachment]:
    """(access, attachment) of a message the user may read, or Http404 — also when the
    message was deleted (its files are kept, not served). Three queries."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    parsed = parse_uuid(attachment_uuid)
    attachment = (
        MessageAttachment.objects.select_related("message", "message__conversation")
        .filter(uuid=parsed)
        .first()
    )
    if attachment is None or attachment.message.is_deleted:
        raise Http404
    access = access_conversation(user, attachment.message.conversation.uuid)
    attachment.message.conversation = access.conversation
    return access, attachment
