import hashlib
import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renrakucho.core.models import TimeStampedModel
from renrakucho.core.text import fold
from renrakucho.networks.models import Network


class FacilityType(models.TextChoices):
    CLINIC = "clinic", _("診療所")
    HOSPITAL = "hospital", _("病院")
    DENTAL_CLINIC = "dental_clinic", _("歯科診療所")
    PHARMACY = "pharmacy", _("薬局")
    VISITING_NURSING = "visiting_nursing", _("訪問看護ステーション")
    CARE_MANAGEMENT = "care_management", _("居宅介護支援事業所")
    HOME_HELP = "home_help", _("訪問介護事業所")
    DAY_SERVICE = "day_service", _("通所介護事業所")
    COMMUNITY_SUPPORT_CENTER = "community_support_center", _("地域包括支援センター")
    MUNICIPAL_DEPARTMENT = "municipal_department", _("市区町村担当課")
    FIRE_DEPARTMENT = "fire_department", _("消防本部・消防署")
    SOCIAL_WELFARE_COUNCIL = "social_welfare_council", _("社会福祉協議会")
    OTHER = "other", _("その他")


# 事業所番号 (介護保険) and 医療機関コード are 10 and 7 digits; both are optional here.
facility_number_validator = RegexValidator(
    r"^(\d{7}|\d{10})$", _("事業所番号は7桁または10桁の半角数字で入力してください。")
)
phone_validator = RegexValidator(
    r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$", _("電話番号の形式が正しくありません（例: 0265-78-4111）。")
)
postal_code_validator = RegexValidator(
    r"^\d{3}-?\d{4}$", _("郵便番号は7桁で入力してください（例: 396-8617）。")
)


class Facility(TimeStampedModel):
    """事業所. Applies to a Network; usable only once the operator approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("承認待ち")
        APPROVED = "approved", _("承認済み")
        REJECTED = "rejected", _("却下")

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="facilities")
    name = models.CharField(_("事業所名"), max_length=200)
    name_kana = models.CharField(_("事業所名（カナ）"), max_length=200, blank=True)
    facility_type = models.CharField(_("種別"), max_length=40, choices=FacilityType.choices)
    facility_number = models.CharField(
        _("事業所番号"), max_length=10, blank=True, validators=[facility_number_validator]
    )
    postal_code = models.CharField(
        _("郵便番号"), max_length=8, blank=True, validators=[postal_code_validator]
    )
    address = models.CharField(_("所在地"), max_length=300)
    phone = models.CharField(_("電話番号"), max_length=20, validators=[phone_validator])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(_("却下理由"), max_length=500, blank=True)
    search_key = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        ordering = ["network", "facility_type", "name_kana", "name"]
        verbose_name = _("事業所")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.name} {self.name_kana}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)


class Affiliation(TimeStampedModel):
    """A user's membership of a facility (所属). History is kept: ending sets `ended_at`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("承認待ち")
        ACTIVE = "active", _("所属中")
        ENDED = "ended", _("所属終了")
        REJECTED = "rejected", _("却下")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="affiliations")
    is_admin = models.BooleanField(_("事業所管理者"), default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["facility", "-created_at"]
        verbose_name = _("所属")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "facility"],
                condition=models.Q(status__in=["pending", "active"]),
                name="affiliation_one_open_per_facility",
            )
        ]


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class StaffInvitation(TimeStampedModel):
    """A one-time link a facility admin hands to a new staff member (職員招待).

    Only the token's hash is stored. Using it creates a pending affiliation for the admin to
    approve; a used, revoked or expired link is refused.
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    note = models.CharField(_("メモ（宛先など）"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("職員招待")

    @classmethod
    def hash_token(cls, raw: str) -> str:
        return _hash(raw)

    @classmethod
    def new_token(cls) -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()
