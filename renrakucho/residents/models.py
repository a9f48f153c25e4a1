"""Residents (支援対象者), their consent (情報共有同意) and care teams (支援チーム).

Every model here is resident-owned: read it only through residents.access / selectors.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renrakucho.core.models import TimeStampedModel
from renrakucho.core.text import fold
from renrakucho.networks.models import Network


class Sex(models.TextChoices):
    FEMALE = "female", _("女性")
    MALE = "male", _("男性")
    OTHER = "other", _("その他")
    UNKNOWN = "unknown", _("不明")


class CareLevel(models.TextChoices):
    SUPPORT_1 = "support_1", _("要支援1")
    SUPPORT_2 = "support_2", _("要支援2")
    CARE_1 = "care_1", _("要介護1")
    CARE_2 = "care_2", _("要介護2")
    CARE_3 = "care_3", _("要介護3")
    CARE_4 = "care_4", _("要介護4")
    CARE_5 = "care_5", _("要介護5")
    BUSINESS_TARGET = "business_target", _("事業対象者")
    NOT_APPLICABLE = "not_applicable", _("非該当")
    APPLYING = "applying", _("申請中")


class ResidentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Resident(TimeStampedModel):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="residents")
    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("氏名（カナ）"), max_length=100)
    birth_date = models.DateField(_("生年月日"))
    sex = models.CharField(_("性別"), max_length=10, choices=Sex.choices)
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("住所"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("緯度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("経度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    care_level = models.CharField(
        _("要介護度"), max_length=20, choices=CareLevel.choices, blank=True
    )
    lives_alone = models.BooleanField(_("独居"), default=False)
    elderly_only_household = models.BooleanField(_("高齢者のみ世帯"), default=False)
    medical_care_child = models.BooleanField(_("医療的ケア児"), default=False)
    disability = models.BooleanField(_("障害"), default=False)
    evacuation_support_needed = models.BooleanField(_("避難行動要支援者"), default=False)
    financial_hardship = models.BooleanField(_("生活困窮"), default=False)
    primary_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主治医"),
    )
    primary_doctor_note = models.CharField(
        _("主治医（登録外の医師・医療機関）"), max_length=200, blank=True
    )
    note = models.TextField(_("備考"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    search_key = models.CharField(max_length=300, blank=True, editable=False, db_index=True)

    objects = ResidentQuerySet.as_manager()

    FLAG_FIELDS = (
        "lives_alone",
        "elderly_only_household",
        "medical_care_child",
        "disability",
        "evacuation_support_needed",
        "financial_hardship",
    )

    class Meta:
        ordering = ["name_kana", "id"]
        verbose_name = _("支援対象者")
        indexes = [models.Index(fields=["network", "name_kana"], name="resident_network_kana")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": _("生年月日に未来の日付は指定できません。")})

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.name} {self.name_kana}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)

    def age_on(self, day: datetime.date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def flags(self) -> list[str]:
        return [
            str(self._meta.get_field(f).verbose_name) for f in self.FLAG_FIELDS if getattr(self, f)
        ]


class KeyPerson(TimeStampedModel):
    """キーパーソン: a family member, guardian or other contact of the resident."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="key_persons")
    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("氏名（カナ）"), max_length=100, blank=True)
    relation = models.CharField(_("続柄・関係"), max_length=50)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    address = models.CharField(_("住所"), max_length=300, blank=True)
    is_guardian = models.BooleanField(_("成年後見人等"), default=False)
    note = models.CharField(_("備考"), max_length=300, blank=True)

    class Meta:
        ordering = ["resident", "id"]
        verbose_name = _("キーパーソン")


class ConsentQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(consented_on__lte=on).filter(
            models.Q(revoked_on__isnull=True) | models.Q(revoked_on__gt=on)
        )


class Consent(TimeStampedModel):
    """情報共有同意. Team sharing without a consent in force shows only the basic card.

    A consent is never deleted; it is revoked with a date (and reason), kept as history.
    """

    class Consenter(models.TextChoices):
        SELF = "self", _("本人")
        PROXY = "proxy", _("代理人")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="consents")
    consenter = models.CharField(_("同意者"), max_length=10, choices=Consenter.choices)
    proxy_name = models.CharField(_("代理人氏名"), max_length=100, blank=True)
    proxy_relation = models.CharField(_("代理人の続柄"), max_length=50, blank=True)
    consented_on = models.DateField(_("同意日"))
    scope_team = models.BooleanField(_("支援チーム内での共有"), default=True)
    scope_family = models.BooleanField(_("家族との共有"), default=False)
    scope_emergency = models.BooleanField(_("救急時の利用"), default=False)
    scope_cross_network = models.BooleanField(
        _("他ネットワーク（広域連携）との共有"), default=False
    )
    form_file = models.FileField(_("同意書（スキャン）"), upload_to="consents/%Y/%m/", blank=True)
    form_content_type = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_on = models.DateField(_("撤回日"), null=True, blank=True)
    revocation_reason = models.CharField(_("撤回理由"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["resident", "-consented_on", "-id"]
        verbose_name = _("情報共有同意")

    def clean(self):
        errors = {}
        if self.consenter == self.Consenter.PROXY:
            if not self.proxy_name:
                errors["proxy_name"] = _("代理人による同意の場合は代理人氏名を入力してください。")
            if not self.proxy_relation:
                errors["proxy_relation"] = _("代理人による同意の場合は続柄を入力してください。")
        if self.consented_on and self.consented_on > timezone.localdate():
            errors["consented_on"] = _("同意日に未来の日付は指定できません。")
        if not any(
            (self.scope_team, self.scope_family, self.scope_emergency, self.scope_cross_network)
        ):
            errors["scope_team"] = _("同意の範囲を1つ以上選択してください。")
        if errors:
            raise ValidationError(errors)

    @property
    def is_in_force(self) -> bool:
        today = timezone.localdate()
        return self.consented_on <= today and (self.revoked_on is None or self.revoked_on > today)


class TeamRole(models.TextChoices):
    PRIMARY_DOCTOR = "primary_doctor", _("主治医")
    VISITING_NURSE = "visiting_nurse", _("訪問看護")
    CARE_MANAGER = "care_manager", _("ケアマネジャー")
    PHARMACIST = "pharmacist", _("薬剤師")
    HOME_HELPER = "home_helper", _("訪問介護")
    REHABILITATION = "rehabilitation", _("リハビリ")
    DENTAL = "dental", _("歯科")
    CONSULTATION_SUPPORT = "consultation_support", _("相談支援")
    ADMINISTRATION = "administration", _("行政")
    OTHER = "other", _("その他")


class CareTeamMemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=CareTeamMember.Status.ACTIVE)


class CareTeamMember(TimeStampedModel):
    """A professional's place on a resident's care team (支援チーム).

    Rows are never deleted: invitation, acceptance, leaving and removal are states with
    timestamps, so the team's history stays readable. The lead (`is_lead`, normally the
    ケアマネジャー) must name a successor before leaving a team that has other members.
    """

    class Status(models.TextChoices):
        INVITED = "invited", _("招待中")
        ACTIVE = "active", _("参加中")
        DECLINED = "declined", _("辞退")
        LEFT = "left", _("退出")
        REMOVED = "removed", _("除外")
        CANCELLED = "cancelled", _("招待取消")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(_("役割"), max_length=30, choices=TeamRole.choices)
    is_lead = models.BooleanField(_("チームリーダー"), default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.CharField(_("招待メッセージ"), max_length=300, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(_("理由"), max_length=300, blank=True)

    objects = CareTeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["resident", "-is_lead", "created_at"]
        verbose_name = _("支援チームメンバー")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "user"],
                condition=models.Q(status__in=["invited", "active"]),
                name="careteam_one_open_membership",
            ),
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(is_lead=True, status="active"),
                name="careteam_one_lead",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"], name="careteam_user_status")]


# --- Medication and disease lists (服薬・病名) --------------------------------------------


class ClinicalListQuerySet(models.QuerySet):
    def heads(self):
        """The latest version of each item (superseded rows are history)."""
        return self.filter(superseded_at__isnull=True)

    def current(self, on: datetime.date | None = None):
        """Items in force: the latest version of each, not ended."""
        return self.heads().filter(ended_at__isnull=True)

    def past(self, on: datetime.date | None = None):
        """Latest versions no longer in force (ended)."""
        return self.heads().filter(ended_at__isnull=False)


class MedicationQuerySet(ClinicalListQuerySet):
    def current(self, on: datetime.date | None = None):
        """Also not past `until` (a course of medicine that has run out)."""
        on = on or timezone.localdate()
        return super().current(on).filter(models.Q(until__isnull=True) | models.Q(until__gte=on))

    def past(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.heads().filter(models.Q(ended_at__isnull=False) | models.Q(until__lt=on))


class ClinicalListEntry(TimeStampedModel):
    """One version of an item on a resident's medication or disease list.

    Clinical history is append-only: an edit never changes a row. It writes a new row that
    `replaces` the previous one, and the previous one gets `superseded_at`/`superseded_by`
    (the person who edited). All versions of one item share `lineage`. Removing an item is
    an end marker (`ended_at`, `ended_by`, `end_reason`) on the latest version; nothing is
    deleted. Only the latest version of an item may be edited or ended.
    """

    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    # When the item (its first version) was recorded: keeps an edited item in its place.
    first_recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    name = models.CharField(_("名称"), max_length=200)
    since = models.DateField(_("開始日"), null=True, blank=True)
    note = models.CharField(_("備考"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        editable=False,
    )
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(_("終了の理由"), max_length=300, blank=True)

    objects = ClinicalListQuerySet.as_manager()

    # Fields a person edits; a new version copies the rest.
    EDITABLE_FIELDS: tuple[str, ...] = ("name", "since", "note")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def is_latest(self) -> bool:
        return self.superseded_at is None

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None


class Medication(ClinicalListEntry):
    """服薬: a medicine the resident takes (name, dose and usage, since/until)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="medications")
    dose = models.CharField(_("用量・用法"), max_length=300, blank=True)
    until = models.DateField(_("終了日"), null=True, blank=True)

    objects = MedicationQuerySet.as_manager()

    EDITABLE_FIELDS = ("name", "dose", "since", "until", "note")

    class Meta:
        ordering = ["resident", "first_recorded_at", "id"]
        verbose_name = _("服薬")
        constraints = [
            models.UniqueConstraint(
                fields=["lineage"],
                condition=models.Q(superseded_at__isnull=True),
                name="medication_one_latest_version",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | ~models.Q(end_reason=""),
                name="medication_end_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["resident", "superseded_at", "ended_at"], name="medication_current"
            )
        ]

    def clean(self):
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": _("終了日は開始日以降の日付にしてください。")})


class Diagnosis(ClinicalListEntry):
    """病名: a diagnosis of the resident (name, since)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="diagnoses")

    class Meta:
        ordering = ["resident", "first_recorded_at", "id"]
        verbose_name = _("病名")
        constraints = [
            models.UniqueConstraint(
                fields=["lineage"],
                condition=models.Q(superseded_at__isnull=True),
                name="diagnosis_one_latest_version",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | ~models.Q(end_reason=""),
                name="diagnosis_end_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["resident", "superseded_at", "ended_at"], name="diagnosis_current")
        ]

    def clean(self):
        if self.since and self.since > timezone.localdate():
            raise ValidationError({"since": _("診断日に未来の日付は指定できません。")})
