"""In-app notifications (通知) and e-mail digests. Infrastructure: features call
notifications.services; this app knows no feature. Notification text is built from `kind`
and rendered for the reader, so a row never stores clinical content."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NEW_POST = "new_post", _("新しい記事")
    MENTION = "mention", _("メンション")
    REQUEST_ASSIGNED = "request_assigned", _("依頼")
    REQUEST_OVERDUE = "request_overdue", _("期限切れの依頼")
    URGENT_POST = "urgent_post", _("緊急の記事")
    ABNORMAL_VITALS = "abnormal_vitals", _("バイタルの異常値")
    NOTICE = "notice", _("お知らせ")
    COMMENT = "comment", _("コメント")
    REQUEST_UPDATED = "request_updated", _("依頼の状況")
    GROUP_POST = "group_post", _("掲示板")
    GROUP_REQUEST = "group_request", _("グループへの参加申請")
    CHAT_MESSAGE = "chat_message", _("チャット")
    MEETING_INVITATION = "meeting_invitation", _("会議への招待")
    MEETING_REMINDER = "meeting_reminder", _("会議のリマインダー")
    MEETING_CHANGED = "meeting_changed", _("会議の変更・中止")
    MEETING_MINUTES = "meeting_minutes", _("議事録")
    FACILITY_STATUS_REQUEST = "facility_status_request", _("運営状況の更新のお願い")
    AGREEMENT = "agreement", _("広域連携協定")


# What the notification centre says for each kind. Deliberately generic: a row never names a
# resident or carries clinical content; the linked page shows the details after its own access
# check.
SENTENCES = {
    Kind.NEW_POST: _("担当の支援対象者に新しい記事があります"),
    Kind.MENTION: _("あなた宛てのメンションがあります"),
    Kind.REQUEST_ASSIGNED: _("あなたへの依頼があります"),
    Kind.REQUEST_OVERDUE: _("期限を過ぎた依頼があります"),
    Kind.URGENT_POST: _("緊急の記事があります"),
    Kind.ABNORMAL_VITALS: _("バイタルの異常値が記録されました"),
    Kind.NOTICE: _("運営からのお知らせがあります"),
    Kind.COMMENT: _("記事にコメントがありました"),
    Kind.REQUEST_UPDATED: _("あなたの依頼の状況が変わりました"),
    Kind.GROUP_POST: _("グループの掲示板に新しい投稿があります"),
    Kind.GROUP_REQUEST: _("グループへの参加申請があります"),
    Kind.CHAT_MESSAGE: _("チャットに新しいメッセージがあります"),
    Kind.MEETING_INVITATION: _("会議に招待されました"),
    Kind.MEETING_REMINDER: _("まもなく会議が始まります"),
    Kind.MEETING_CHANGED: _("会議の日時や内容が変わったか、中止になりました"),
    Kind.MEETING_MINUTES: _("会議の議事録が共有されました"),
    Kind.FACILITY_STATUS_REQUEST: _("事業所の運営状況の更新をお願いします"),
    Kind.AGREEMENT: _("広域連携協定について確認してください"),
}


class Notification(models.Model):
    # The public identifier (URLs, cursors): integer ids stay internal.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Where the notification leads (a path with UUIDs only) and what it is about; the page
    # behind the link checks access again when opened.
    url = models.CharField(max_length=300)
    resident_uuid = models.UUIDField(null=True, blank=True)
    target_uuid = models.UUIDField(null=True, blank=True)
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at", "-id"], name="notification_inbox")]

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def text(self) -> str:
        sentence = SENTENCES.get(self.kind)
        return str(sentence) if sentence is not None else self.get_kind_display()


class EmailPreference(models.TextChoices):
    URGENT_AND_DAILY = "urgent_daily", _("緊急はすぐ、その他は1日1回まとめて")
    DAILY = "daily", _("1日1回まとめて")
    URGENT_ONLY = "urgent", _("緊急のみすぐ")
    OFF = "off", _("メールを受け取らない")


class NotificationSetting(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_setting"
    )
    email = models.CharField(
        _("メール通知"),
        max_length=20,
        choices=EmailPreference.choices,
        default=EmailPreference.URGENT_AND_DAILY,
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user"]
