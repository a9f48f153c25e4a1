"""Facility operating status (事業所の運営状況).

Each facility posts its current status — 通常, 受入制限 (with what is restricted), 休止 or 閉鎖
(with the reason and the expected reopening) — with optional supply levels and notes. The
history is append-only: every update is a new `FacilityStatus` row and the facility's
`CurrentStatus` (one small row per facility) points at the latest one, so the Network's
board joins one row per facility whatever the length of the history.

An operator asks every facility of the Network to update (`StatusRequest`: a notice to the
Network's registered users and a notification to each facility's admins); a reminder goes to
the facilities that have not updated since the request. Nothing here carries resident data.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renrakucho.core.models import TimeStampedModel
from renrakucho.facilities.models import Facility
from renrakucho.networks.models import Network
from renrakucho.notices.models import Notice

# A status older than this is flagged 「古い情報」 on the board.
STALE_AFTER = datetime.timedelta(days=14)


class StatusKind(models.TextChoices):
    NORMAL = "normal", _("通常")
    RESTRICTED = "restricted", _("受入制限")
    SUSPENDED = "suspended", _("休止")
    CLOSED = "closed", _("閉鎖")


class Restriction(models.TextChoices):
    NEW_CLIENTS = "new_clients", _("新規利用者の受入")
    SHORT_STAY = "short_stay", _("ショートステイ")
    DAY_SERVICE = "day_service", _("通所")
    HOME_VISIT = "home_visit", _("訪問")
    ADMISSION = "admission", _("入院・入所")
    OTHER = "other", _("その他")


class SupplyLevel(models.TextChoices):
    UNKNOWN = "unknown", _("未回答")
    ENOUGH = "enough", _("十分")
    LOW = "low", _("少ない")
    SHORT = "short", _("不足")


# The supplies asked about, in the order shown: field name → label.
SUPPLIES = (
    ("masks", _("マスク")),
    ("gloves", _("手袋")),
    ("disinfectant", _("消毒液")),
    ("ppe", _("ガウン等の防護具")),
)


def _supply_field(label):
    return models.CharField(
        label, max_length=10, choices=SupplyLevel.choices, default=SupplyLevel.UNKNOWN
    )


class FacilityStatus(TimeStampedModel):
    """One report of a facility's operating status (append-only: never edited or deleted).

    Rules (checked in `clean`, messages in Japanese):
    - 受入制限 needs at least one restriction; 「その他」 needs the free text;
    - 休止 and 閉鎖 need a reason; the expected reopening, when given, is not in the past;
    - fields that do not belong to the status are emptied by the service (a 通常 report
      carries no restrictions, reason or reopening date).
    """

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="operating_statuses"
    )
    status = models.CharField(_("運営状況"), max_length=20, choices=StatusKind.choices)
    restrictions = models.JSONField(_("制限している内容"), default=list, blank=True)
    restriction_note = models.CharField(_("制限の内容（その他・詳細）"), max_length=200, blank=True)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    expected_reopening = models.DateField(_("再開予定日"), null=True, blank=True)
    masks = _supply_field(_("マスク"))
    gloves = _supply_field(_("手袋"))
    disinfectant = _supply_field(_("消毒液"))
    ppe = _supply_field(_("ガウン等の防護具"))
    notes = models.TextField(_("備考"), max_length=1000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("運営状況")
        indexes = [models.Index(fields=["facility", "-id"], name="facility_status_history")]

    def __str__(self) -> str:
        return f"{self.facility_id}:{self.status}"

    def clean(self):
        errors: dict[str, str] = {}
        unknown = set(self.restrictions or []) - set(Restriction.values)
        if unknown:
            errors["restrictions"] = _("制限している内容の指定が正しくありません。")
        elif self.status == StatusKind.RESTRICTED and not self.restrictions:
            errors["restrictions"] = _(
                "受入制限の場合は、制限している内容を1つ以上選んでください。"
            )
        elif Restriction.OTHER in (self.restrictions or []) and not self.restriction_note.strip():
            errors["restriction_note"] = _(
                "「その他」を選んだ場合は、制限の内容を入力してください。"
            )
        if self.status in (StatusKind.SUSPENDED, StatusKind.CLOSED) and not self.reason.strip():
            errors["reason"] = _("休止・閉鎖の場合は、理由を入力してください。")
        if self.expected_reopening and self.expected_reopening < timezone.localdate():
            errors["expected_reopening"] = _("再開予定日は今日以降の日付を入力してください。")
        if errors:
            raise ValidationError(errors)

    @property
    def supplies(self) -> list[tuple[str, str, str]]:
        """(field, label, level) of each supply, in display order."""
        return [(name, str(label), getattr(self, name)) for name, label in SUPPLIES]

    @property
    def has_shortage(self) -> bool:
        """Some supply is 少ない or 不足."""
        return any(level in (SupplyLevel.LOW, SupplyLevel.SHORT) for _n, _l, level in self.supplies)

    @property
    def restriction_labels(self) -> list[str]:
        labels = dict(Restriction.choices)
        return [str(labels.get(value, value)) for value in self.restrictions or []]

    @property
    def is_stale(self) -> bool:
        return timezone.now() - self.created_at > STALE_AFTER


class CurrentStatus(models.Model):
    """The pointer from a facility to its latest `FacilityStatus` (one row per facility,
    moved by `facility_status_update` under a lock on the facility). The board filters and
    joins on it instead of finding the newest history row per facility."""

    facility = models.OneToOneField(
        Facility, on_delete=models.CASCADE, primary_key=True, related_name="current_status"
    )
    entry = models.OneToOneField(FacilityStatus, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["facility"]
        verbose_name = _("現在の運営状況")

    def __str__(self) -> str:
        return f"{self.facility_id}→{self.entry_id}"


class StatusRequest(TimeStampedModel):
    """An operator's 「全事業所に更新を依頼」: the notice published with it and when the
    facilities that had not updated since were last reminded."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("依頼日時"), db_index=True)
    notice = models.ForeignKey(
        Notice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    facility_count = models.PositiveIntegerField(default=0)
    reminded_at = models.DateTimeField(_("再依頼日時"), null=True, blank=True)
    reminder_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("運営状況の更新依頼")
        indexes = [models.Index(fields=["network", "-requested_at"], name="status_request_net")]

    def __str__(self) -> str:
        return f"{self.network_id}@{self.requested_at:%Y-%m-%d}"
