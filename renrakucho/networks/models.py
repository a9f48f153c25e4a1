from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renrakucho.core.models import TimeStampedModel

from .validators import validate_municipality_code


class Prefecture(models.TextChoices):
    HOKKAIDO = "01", "北海道"
    AOMORI = "02", "青森県"
    IWATE = "03", "岩手県"
    MIYAGI = "04", "宮城県"
    AKITA = "05", "秋田県"
    YAMAGATA = "06", "山形県"
    FUKUSHIMA = "07", "福島県"
    IBARAKI = "08", "茨城県"
    TOCHIGI = "09", "栃木県"
    GUNMA = "10", "群馬県"
    SAITAMA = "11", "埼玉県"
    CHIBA = "12", "千葉県"
    TOKYO = "13", "東京都"
    KANAGAWA = "14", "神奈川県"
    NIIGATA = "15", "新潟県"
    TOYAMA = "16", "富山県"
    ISHIKAWA = "17", "石川県"
    FUKUI = "18", "福井県"
    YAMANASHI = "19", "山梨県"
    NAGANO = "20", "長野県"
    GIFU = "21", "岐阜県"
    SHIZUOKA = "22", "静岡県"
    AICHI = "23", "愛知県"
    MIE = "24", "三重県"
    SHIGA = "25", "滋賀県"
    KYOTO = "26", "京都府"
    OSAKA = "27", "大阪府"
    HYOGO = "28", "兵庫県"
    NARA = "29", "奈良県"
    WAKAYAMA = "30", "和歌山県"
    TOTTORI = "31", "鳥取県"
    SHIMANE = "32", "島根県"
    OKAYAMA = "33", "岡山県"
    HIROSHIMA = "34", "広島県"
    YAMAGUCHI = "35", "山口県"
    TOKUSHIMA = "36", "徳島県"
    KAGAWA = "37", "香川県"
    EHIME = "38", "愛媛県"
    KOCHI = "39", "高知県"
    FUKUOKA = "40", "福岡県"
    SAGA = "41", "佐賀県"
    NAGASAKI = "42", "長崎県"
    KUMAMOTO = "43", "熊本県"
    OITA = "44", "大分県"
    MIYAZAKI = "45", "宮崎県"
    KAGOSHIMA = "46", "鹿児島県"
    OKINAWA = "47", "沖縄県"


class MedicalArea(models.Model):
    """二次医療圏: a secondary medical area grouping municipalities of one prefecture."""

    prefecture = models.CharField(_("都道府県"), max_length=2, choices=Prefecture.choices)
    name = models.CharField(_("二次医療圏名"), max_length=100)

    class Meta:
        ordering = ["prefecture", "name"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "name"], name="medicalarea_unique_name")
        ]
        verbose_name = _("二次医療圏")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """市区町村, identified by its 6-digit 全国地方公共団体コード (check digit validated)."""

    code = models.CharField(
        _("地方公共団体コード"), max_length=6, unique=True, validators=[validate_municipality_code]
    )
    name = models.CharField(_("市区町村名"), max_length=100)
    name_kana = models.CharField(_("市区町村名（カナ）"), max_length=100, blank=True)
    medical_area = models.ForeignKey(
        MedicalArea, on_delete=models.PROTECT, null=True, blank=True, related_name="municipalities"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("市区町村")

    @property
    def prefecture(self) -> str:
        return self.code[:2]

    @property
    def prefecture_name(self) -> str:
        return Prefecture(self.code[:2]).label

    def __str__(self) -> str:
        return f"{self.prefecture_name}{self.name}"


def default_vital_thresholds() -> dict:
    """A value is abnormal when below `low` or at/above `high` (e.g. SpO2 < 90 %, systolic
    ≥ 180 mmHg). Each Network's operator can change these."""
    return {
        "systolic": {"low": 90, "high": 180},
        "diastolic": {"high": 110},
        "pulse": {"low": 40, "high": 120},
        "temperature": {"low": 35.0, "high": 38.0},
        "spo2": {"low": 90},
        "respiration": {"low": 10, "high": 30},
        "glucose": {"low": 70, "high": 300},
        "pain": {"high": 7},
    }


class Network(TimeStampedModel):
    """連絡帳ネットワーク: one operated tenant, serving one or more municipalities."""

    name = models.CharField(_("ネットワーク名"), max_length=100, unique=True)
    slug = models.SlugField(_("識別名"), max_length=50, unique=True)
    operator_organisation = models.CharField(_("運営主体"), max_length=200)
    municipalities = models.ManyToManyField(
        Municipality, related_name="networks", verbose_name=_("対象市区町村")
    )
    two_factor_required = models.BooleanField(_("二要素認証を必須にする"), default=False)
    vital_thresholds = models.JSONField(
        _("バイタルの異常値の基準"), default=default_vital_thresholds
    )
    contact = models.CharField(_("問い合わせ先"), max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("連絡帳ネットワーク")

    def __str__(self) -> str:
        return self.name


class OperatorRole(TimeStampedModel):
    """A user who operates a Network (運営者): approves facilities, sees its residents."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="operator_roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_roles"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["network", "user"]
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="operatorrole_unique_user")
        ]


class Suspension(TimeStampedModel):
    """A Network's operator suspends a user's access to that Network (利用停止).

    Only suspensions with `lifted_at` unset are in force; rows are kept as history.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="suspensions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspensions"
    )
    reason = models.CharField(_("理由"), max_length=500)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                condition=models.Q(lifted_at__isnull=True),
                name="suspension_one_active",
            )
        ]
