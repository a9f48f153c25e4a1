"""The resident timeline (タイムライン): posts (記事), their versions, attachments, vitals,
read receipts (既読), acknowledgements (了解), comments, mentions and requests (依頼).

Clinical history is append-only: an edit writes a PostVersion with the previous content; a
deletion is a retraction (reason, who, when) that leaves a marker. Every model here is
resident-owned: reach it only through timeline.access / selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renrakucho.core.models import TimeStampedModel
from renrakucho.networks.models import Network
from renrakucho.residents.models import Resident

from .vitals import SPECS


class PostKind(models.TextChoices):
    MESSAGE = "message", _("連絡")
    VISIT = "visit", _("訪問記録")
    VITALS = "vitals", _("バイタル")
    MEDICATION = "medication", _("服薬")
    LIFE = "life", _("くらし")
    MEDICAL_CARE = "medical_care", _("医療的ケア")
    CONSULTATION = "consultation", _("相談")
    REPORT = "report", _("報告")


class Visibility(models.TextChoices):
    TEAM = "team", _("チーム全員")
    MEDICAL = "medical", _("医療・看護職のみ")
    FAMILY = "family", _("家族とも共有")


class PostQuerySet(models.QuerySet):
    def live(self):
        return self.filter(retracted_at__isnull=True)


class Post(TimeStampedModel):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    # The Network the author acted from: external members' posts stay marked with it.
    author_network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("種類"), max_length=20, choices=PostKind.choices)
    body = models.TextField(_("本文"), blank=True)
    visited_at = models.DateTimeField(_("訪問日時"), null=True, blank=True)
    visibility = models.CharField(
        _("公開範囲"), max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    urgent = models.BooleanField(_("緊急"), default=False)
    version = models.PositiveIntegerField(default=1)
    edited_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retraction_reason = models.CharField(_("取り消しの理由"), max_length=300, blank=True)
    comment_count = models.PositiveIntegerField(default=0)
    search_key = models.TextField(blank=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("記事")
        indexes = [
            models.Index(fields=["resident", "-id"], name="post_resident_id"),
            models.Index(fields=["author", "-id"], name="post_author_id"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None

    @property
    def is_edited(self) -> bool:
        return self.version > 1


class PostVersion(models.Model):
    """The content of a post before an edit (編集履歴). Written by the edit service only."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=PostKind.choices)
    body = models.TextField(blank=True)
    visited_at = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    urgent = models.BooleanField(default=False)
    vitals = models.JSONField(default=dict, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["post", "version"], name="postversion_unique")
        ]

    def readings(self) -> list[dict]:
        """The vitals of this version for display: key, label, value (formatted), unit."""
        return [
            {
                "key": key,
                "label": SPECS[key].label,
                "value": SPECS[key].format(self.vitals[key]),
                "unit": SPECS[key].unit,
            }
            for key in SPECS
            if (self.vitals or {}).get(key) is not None
        ]


class VitalSigns(models.Model):
    """Structured vitals of one post, denormalised by resident for the graphs."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="vitals")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="vital_signs")
    measured_at = models.DateTimeField(_("測定日時"))
    systolic = models.PositiveSmallIntegerField(_("収縮期血圧"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("拡張期血圧"), null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(_("脈拍"), null=True, blank=True)
    temperature = models.DecimalField(
        _("体温"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    spo2 = models.PositiveSmallIntegerField(_("SpO2"), null=True, blank=True)
    respiration = models.PositiveSmallIntegerField(_("呼吸数"), null=True, blank=True)
    weight = models.DecimalField(_("体重"), max_digits=4, decimal_places=1, null=True, blank=True)
    glucose = models.PositiveSmallIntegerField(_("血糖値"), null=True, blank=True)
    pain = models.PositiveSmallIntegerField(_("痛み"), null=True, blank=True)
    # Names of the values outside the Network's thresholds when recorded, e.g. ["spo2"].
    abnormal = models.JSONField(default=list, blank=True)

    FIELDS = (
        "systolic",
        "diastolic",
        "pulse",
        "temperature",
        "spo2",
        "respiration",
        "weight",
        "glucose",
        "pain",
    )

    class Meta:
        ordering = ["resident", "measured_at"]
        indexes = [models.Index(fields=["resident", "measured_at"], name="vitals_resident_time")]

    def recorded(self) -> dict:
        """{key: value} of the values recorded (None left out)."""
        return {key: getattr(self, key) for key in self.FIELDS if getattr(self, key) is not None}

    def readings(self) -> list[dict]:
        """The values for display, in form order: key, label, value (formatted), unit,
        abnormal."""
        return [
            {
                "key": key,
                "label": SPECS[key].label,
                "value": SPECS[key].format(value),
                "unit": SPECS[key].unit,
                "abnormal": key in (self.abnormal or []),
            }
            for key, value in self.recorded().items()
        ]

    def cells(self) -> list[dict]:
        """One cell per vital in form order (value "" when not measured), for tables."""
        return [
            {
                "key": key,
                "value": SPECS[key].format(getattr(self, key)),
                "abnormal": key in (self.abnormal or []),
            }
            for key in self.FIELDS
        ]


class Attachment(TimeStampedModel):
    """A photo, video or PDF of a post. Stored under a random name; served only through a
    permission-checked view as a download (photos also as a re-encoded inline preview)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("写真")
        VIDEO = "video", _("動画")
        PDF = "pdf", _("PDF")

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="timeline/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    thumbnail = models.FileField(upload_to="timeline/thumbs/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["post", "id"]


class ReadReceipt(models.Model):
    """既読: the first time a user opened a post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="read_receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["post", "read_at"]
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="read_once")]
        indexes = [models.Index(fields=["user", "post"], name="read_user_post")]


class Acknowledgement(models.Model):
    """了解: "I have acted on it"."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["post", "acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="ack_once")]


class Comment(TimeStampedModel):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("コメント"))
    retracted_at = models.DateTimeField(null=True, blank=True)
    retraction_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["post", "id"]


class Mention(models.Model):
    """@mention of a team member in a post or a comment (they are notified)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="mentions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post", "id"]


class CareRequest(TimeStampedModel):
    """依頼: a post asks a named member, or everyone of an occupation on the team, to do
    something by a due date. 依頼 → 受領 → 完了, or 差戻し (returned)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("依頼")
        ACCEPTED = "accepted", _("受領")
        DONE = "done", _("完了")
        RETURNED = "returned", _("差戻し")

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="care_request")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="care_requests")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee_occupation = models.ForeignKey(
        "accounts.Occupation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("期限"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_note = models.CharField(_("メモ"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["resident", "status", "due_on"], name="request_open")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignee__isnull=False)
                | models.Q(assignee_occupation__isnull=False),
                name="request_has_assignee",
            )
        ]
