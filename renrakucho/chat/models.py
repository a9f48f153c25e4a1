"""Chat (チャット): direct (1:1) and group conversations among professionals of a Network.

A conversation belongs to one Network; every member shares it (checked when members are
added). Messages carry a sequence number per conversation (`seq`, 1, 2, 3 … without gaps),
allocated under a row lock on the conversation (services.message_send), so a client that
has seen up to `seq` n catches up with `seq > n` and misses nothing.

Resident data stays on the resident's timeline: a message may only *link* to a resident by
UUID (no foreign key, no name stored); the name is shown only to readers who may reach the
resident (selectors.resident_links).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renrakucho.core.models import TimeStampedModel
from renrakucho.networks.models import Network


class Conversation(TimeStampedModel):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("1対1")
        GROUP = "group", _("グループ")

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(_("会話の名前"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The seq of the newest message (0: none yet). Only message_send changes it, under a lock.
    last_seq = models.PositiveBigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # "<network id>:<smaller user id>:<larger user id>" for a 1:1: at most one per pair.
    direct_key = models.CharField(max_length=80, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("会話")

    def __str__(self) -> str:
        return str(self.uuid)

    @property
    def is_direct(self) -> bool:
        return self.kind == self.Kind.DIRECT

    @staticmethod
    def key_for(network_id: int, user_ids) -> str:
        low, high = sorted(user_ids)
        return f"{network_id}:{low}:{high}"


class ConversationMember(models.Model):
    """Membership; leaving (or being removed) sets `left_at` and the conversation disappears
    for that user (404), history included. Re-adding clears it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships"
    )
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    # 既読: every message with seq <= last_read_seq has been read by this member.
    last_read_seq = models.PositiveBigIntegerField(default=0)
    # When the member last read something: a member reading now is not notified of each new
    # message (services.message_send).
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conversation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="chat_member_once")
        ]
        indexes = [models.Index(fields=["user", "left_at"], name="chat_member_user")]

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class Message(TimeStampedModel):
    """A message. Edits keep the previous text in MessageVersion; a deletion leaves the
    marker 「このメッセージは削除されました」 (text and files stay stored, no longer shown)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("メッセージ"), blank=True)
    # A link to a resident (by UUID only: the name is looked up with the reader's access).
    resident_uuid = models.UUIDField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    search_key = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["conversation", "seq"]
        verbose_name = _("メッセージ")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq")
        ]

    def __str__(self) -> str:
        return str(self.uuid)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class MessageVersion(models.Model):
    """The text of a message before an edit."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="versions")
    body = models.TextField(blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["message", "id"]


class MessageAttachment(TimeStampedModel):
    """A photo, video or PDF of a message, checked by content (files.uploads), stored under
    a random name and served only to members, as a download (photos also as a preview)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("写真")
        VIDEO = "video", _("動画")
        PDF = "pdf", _("PDF")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="chat/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    thumbnail = models.FileField(upload_to="chat/thumbs/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["message", "id"]
