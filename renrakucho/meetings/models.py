"""Online meetings and conferences (会議・カンファレンス): invitations, video links, minutes,
iCalendar feeds.

A meeting belongs to one Network and is held for
- a resident's care team (退院時カンファレンス, サービス担当者会議): `resident` set; reaching it
  needs, besides the invitation, current access to the resident (timeline.access), so a
  member who leaves the team loses the meeting and its minutes at once;
- a group (地域ケア会議, 研修, 勉強会): `group` set; reaching it needs current membership;
- chosen users of the Network: neither set.
Only invitees (the organizer is one) reach a meeting; anyone else gets 404.

Privacy rule: a resident-team meeting is announced (notifications, e-mails, the iCalendar
feed) by its kind only (「退院時カンファレンス」), never by its title, which may name the
resident. Minutes of a resident-team meeting are clinical: they are shared to the resident's
timeline as a report post and shown only to invitees who still reach the resident.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renrakucho.core.models import TimeStampedModel
from renrakucho.networks.models import Network
from renrakucho.residents.models import Resident


def join_opens_before() -> datetime.timedelta:
    """The join button (参加する) shows from this long before the start until the end."""
    return datetime.timedelta(minutes=float(getattr(settings, "MEETING_JOIN_OPENS_MINUTES", 10)))


class MeetingKind(models.TextChoices):
    DISCHARGE = "discharge", _("退院時カンファレンス")
    SERVICE = "service", _("サービス担当者会議")
    COMMUNITY = "community", _("地域ケア会議")
    TRAINING = "training", _("研修")
    STUDY = "study", _("勉強会")
    OTHER = "other", _("その他")


class Provider(models.TextChoices):
    JITSI = "jitsi", _("Jitsi Meet")
    TEAMS = "teams", _("Microsoft Teams")
    MANUAL = "manual", _("URLを手入力")


class MeetingSettings(TimeStampedModel):
    """The video provider a Network uses for its meetings, chosen by its operators. A
    Network without a row uses Jitsi Meet."""

    network = models.OneToOneField(
        Network, on_delete=models.CASCADE, related_name="meeting_settings"
    )
    provider = models.CharField(
        _("ビデオ会議サービス"), max_length=20, choices=Provider.choices, default=Provider.JITSI
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["network"]
        verbose_name = _("会議の設定")


class Meeting(TimeStampedModel):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("種類"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("件名"), max_length=200)
    purpose = models.TextField(_("目的"), blank=True)
    agenda = models.TextField(_("議題"), blank=True)
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    group = models.ForeignKey(
        "groups.Group", on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("開始日時"))
    duration_minutes = models.PositiveIntegerField(_("所要時間（分）"), default=60)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_meetings"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    join_url = models.URLField(_("ビデオ会議のURL"), max_length=500, blank=True)
    provider_meeting_id = models.CharField(max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Shown to invitees on the meeting page only (never in announcements or the audit log:
    # free text may name the resident).
    cancel_reason = models.CharField(_("中止の理由"), max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("会議")
        indexes = [models.Index(fields=["network", "starts_at"], name="meeting_network_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=24 * 60),
                name="meeting_duration_range",
            ),
            models.CheckConstraint(
                condition=models.Q(resident__isnull=True) | models.Q(group__isnull=True),
                name="meeting_resident_or_group",
            ),
        ]

    def __str__(self) -> str:
        return str(self.uuid)

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def for_resident(self) -> bool:
        return self.resident_id is not None

    def has_ended(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.ends_at

    def has_started(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.starts_at

    @property
    def join_opens_at(self) -> datetime.datetime:
        return self.starts_at - join_opens_before()

    @property
    def join_opens_minutes(self) -> int:
        return int(join_opens_before().total_seconds() // 60)

    def join_open(self, now: datetime.datetime | None = None) -> bool:
        """Whether the join button shows: from MEETING_JOIN_OPENS_MINUTES (10) before the
        start until the end, for a meeting not cancelled that has a link."""
        now = now or timezone.now()
        return (
            bool(self.join_url)
            and not self.is_cancelled
            and self.join_opens_at <= now < self.ends_at
        )

    def public_label(self) -> str:
        """What announcements outside the meeting page say: the kind for a resident-team
        meeting (its title may name the resident), the title otherwise."""
        if self.for_resident:
            return str(self.get_kind_display())
        return self.title


class MeetingInvitation(TimeStampedModel):
    class Response(models.TextChoices):
        PENDING = "pending", _("未回答")
        ATTEND = "attend", _("出席")
        DECLINE = "decline", _("欠席")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_invitations"
    )
    response = models.CharField(
        _("出欠"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="meeting_invitation_once")
        ]
        indexes = [models.Index(fields=["user", "meeting"], name="meeting_invitation_user")]


class MeetingAttachment(TimeStampedModel):
    """A document for the meeting (資料): content-checked, stored under a random name, served
    only as a download through the access-checked view. Its original name is not kept (it
    often carries a resident's name)."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        PHOTO = "photo", _("写真")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="meetings/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["meeting", "id"]


class Minutes(TimeStampedModel):
    """議事録: written after the meeting starts by an invitee who attends (or the organizer);
    edited only by its writer. Shared once: to the resident's timeline as a report post
    (`shared_post`, edited with the minutes through timeline.services so its history is kept)
    or to the group's board as a thread (`shared_thread_uuid`)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    body = models.TextField(_("議事録"))
    decisions = models.TextField(_("決定事項"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_post = models.ForeignKey(
        "timeline.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_thread_uuid = models.UUIDField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting"]
        verbose_name = _("議事録")


class FollowUp(TimeStampedModel):
    """A follow-up request (依頼) decided in the meeting. For a resident-team meeting it is a
    timeline request (`care_request_uuid`: the request lifecycle 依頼 → 受領 → 完了 lives there);
    otherwise it is kept here and notified to the person asked."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.CharField(_("依頼の内容"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("期限"))
    care_request_uuid = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["minutes", "id"]


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeedToken(models.Model):
    """The secret of a user's private iCalendar feed (/meetings/calendar/<token>.ics). Only
    its SHA-256 is stored; the URL is shown once when issued. Issuing a new one revokes the
    previous one; a revoked or unknown token is 404."""

    PREFIX = "cal_"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @classmethod
    def new_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash_of(raw: str) -> str:
        return _hash(raw)
