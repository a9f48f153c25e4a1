import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class Action(models.TextChoices):
    LOGIN = "auth.login", _("ログイン")
    LOGIN_FAILED = "auth.login_failed", _("ログイン失敗")
    LOGOUT = "auth.logout", _("ログアウト")
    TOKEN_ISSUED = "auth.token_issued", _("APIトークン発行")
    TOKEN_REVOKED = "auth.token_revoked", _("APIトークン失効")
    OTP_ENROLLED = "auth.otp_enrolled", _("二要素認証の登録")
    OTP_DISABLED = "auth.otp_disabled", _("二要素認証の解除")
    RESIDENT_LIST = "resident.list", _("支援対象者一覧の閲覧")
    RESIDENT_VIEW = "resident.view", _("支援対象者の閲覧")
    RESIDENT_CREATE = "resident.create", _("支援対象者の登録")
    RESIDENT_UPDATE = "resident.update", _("支援対象者の変更")
    CONSENT_VIEW = "consent.view", _("同意の閲覧")
    CONSENT_CREATE = "consent.create", _("同意の登録")
    CONSENT_REVOKE = "consent.revoke", _("同意の撤回")
    CONSENT_FILE = "consent.file", _("同意書ファイルの閲覧")
    TEAM_VIEW = "team.view", _("支援チームの閲覧")
    TEAM_INVITE = "team.invite", _("支援チームへの招待")
    TEAM_ACCEPT = "team.accept", _("支援チームへの参加")
    TEAM_DECLINE = "team.decline", _("支援チーム招待の辞退")
    TEAM_LEAVE = "team.leave", _("支援チームからの退出")
    TEAM_REMOVE = "team.remove", _("支援チームからの除外")
    TEAM_LEAD = "team.lead", _("チームリーダーの変更")
    AUDIT_VIEW = "audit.view", _("アクセスログの閲覧")
    FACILITY_APPLY = "facility.apply", _("事業所の登録申請")
    FACILITY_APPROVE = "facility.approve", _("事業所の承認")
    FACILITY_REJECT = "facility.reject", _("事業所の却下")
    STAFF_INVITE = "staff.invite", _("職員の招待")
    STAFF_JOIN = "staff.join", _("職員の所属申請")
    STAFF_APPROVE = "staff.approve", _("職員の承認")
    STAFF_REJECT = "staff.reject", _("職員の却下")
    STAFF_END = "staff.end", _("所属の終了")
    STAFF_ROLE = "staff.role", _("事業所管理者権限の変更")
    USER_SUSPEND = "user.suspend", _("利用停止")
    USER_UNSUSPEND = "user.unsuspend", _("利用停止の解除")
    NETWORK_SETTINGS = "network.settings", _("ネットワーク設定の変更")
    EXPORT = "data.export", _("エクスポート")
    PRINT = "data.print", _("印刷")
    POST_VIEW = "timeline.view", _("タイムラインの閲覧")
    POST_CREATE = "timeline.post", _("記事の投稿")
    POST_EDIT = "timeline.edit", _("記事の編集")
    POST_RETRACT = "timeline.retract", _("記事の取り消し")
    ATTACHMENT_VIEW = "timeline.attachment", _("添付ファイルの閲覧")
    TIMELINE_PRINT = "timeline.print", _("タイムラインの印刷")
    MEDICATION_VIEW = "medication.view", _("服薬・病名の閲覧")
    MEDICATION_ADD = "medication.add", _("服薬の登録")
    MEDICATION_EDIT = "medication.edit", _("服薬の変更")
    MEDICATION_END = "medication.end", _("服薬の終了")
    DIAGNOSIS_ADD = "diagnosis.add", _("病名の登録")
    DIAGNOSIS_EDIT = "diagnosis.edit", _("病名の変更")
    DIAGNOSIS_END = "diagnosis.end", _("病名の終了")
    NOTICE_PUBLISH = "notice.publish", _("お知らせの発信")
    NOTICE_REMIND = "notice.remind", _("お知らせの再通知")
    POST_ACK = "timeline.ack", _("記事の了解")
    COMMENT_CREATE = "timeline.comment", _("コメントの投稿")
    REQUEST_CREATE = "timeline.request", _("依頼の登録")
    REQUEST_STATUS = "timeline.request_status", _("依頼の状態の変更")
    GROUP_CREATE = "group.create", _("グループの作成")
    GROUP_UPDATE = "group.update", _("グループの変更")
    GROUP_JOIN = "group.join", _("グループへの参加")
    GROUP_LEAVE = "group.leave", _("グループからの退出")
    GROUP_MEMBER = "group.member", _("グループメンバーの変更")
    THREAD_CREATE = "board.thread", _("スレッドの作成")
    THREAD_UPDATE = "board.thread_update", _("スレッドの変更")
    REPLY_CREATE = "board.reply", _("返信の投稿")
    BOARD_FILE = "board.file", _("掲示板の添付ファイルの閲覧")
    CHAT_CREATE = "chat.create", _("会話の作成")
    CHAT_MEMBERS = "chat.members", _("会話のメンバー変更")
    CHAT_EDIT = "chat.edit", _("メッセージの編集")
    CHAT_DELETE = "chat.delete", _("メッセージの削除")
    CHAT_FILE = "chat.file", _("チャットの添付ファイルの閲覧")
    FACILITY_STATUS = "facility.status", _("運営状況の更新")
    FACILITY_STATUS_REQUEST = "facility.status_request", _("運営状況の更新依頼")
    MEETING_VIEW = "meeting.view", _("会議の閲覧")
    MEETING_CREATE = "meeting.create", _("会議の登録")
    MEETING_UPDATE = "meeting.update", _("会議の変更")
    MEETING_CANCEL = "meeting.cancel", _("会議の中止")
    MEETING_RESPOND = "meeting.respond", _("会議の出欠回答")
    MEETING_MINUTES = "meeting.minutes", _("議事録の登録")
    MEETING_FILE = "meeting.file", _("会議資料の閲覧")
    CALENDAR_TOKEN = "meeting.calendar_token", _("カレンダーURLの発行・失効")
    AGREEMENT_PROPOSE = "agreement.propose", _("広域連携協定の提案")
    AGREEMENT_INVITE = "agreement.invite", _("広域連携協定へのネットワークの招待")
    AGREEMENT_ACCEPT = "agreement.accept", _("広域連携協定の承諾")
    AGREEMENT_DECLINE = "agreement.decline", _("広域連携協定の辞退")
    AGREEMENT_LEAVE = "agreement.leave", _("広域連携協定からの離脱")
    AGREEMENT_END = "agreement.end", _("広域連携協定の終了")


class AuditEvent(models.Model):
    """アクセスログ: append-only, each row chained to the previous by SHA-256.

    `hash = sha256(prev_hash + canonical JSON of the row)`; `manage.py audit_verify` recomputes
    the chain. Rows cannot be updated or deleted through the ORM. Resident and target are kept
    as UUIDs (not foreign keys) so that the log outlives and sits below the data it describes.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(max_length=64, blank=True)
    network = models.ForeignKey(
        "networks.Network", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    resident_uuid = models.UUIDField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["resident_uuid", "-id"], name="audit_resident"),
            models.Index(fields=["network", "-id"], name="audit_network"),
        ]

    def canonical(self) -> str:
        return json.dumps(
            {
                "at": self.at.isoformat(),
                "actor": self.actor_id,
                "actor_username": self.actor_username,
                "network": self.network_id,
                "action": self.action,
                "target_type": self.target_type,
                "target_id": self.target_id,
                "resident": str(self.resident_uuid) if self.resident_uuid else None,
                "ip": self.ip,
                "reason": self.reason,
                "detail": self.detail,
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode()).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("AuditEvent rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("AuditEvent rows are append-only")


class AuditChainHead(models.Model):
    """The single row holding the last hash; locked while appending so the chain stays linear."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        ordering = ["id"]
