import hashlib
import secrets
import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renrakucho.core.text import fold


class Occupation(models.Model):
    """職種. Seeded by a data migration; `code` is the stable key used in code and the API."""

    class Category(models.TextChoices):
        MEDICAL = "medical", _("医療職")
        CARE = "care", _("介護職")
        WELFARE = "welfare", _("福祉・相談職")
        ADMINISTRATION = "administration", _("行政・事務")
        OTHER = "other", _("その他")

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(_("職種名"), max_length=50, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("職種")

    def __str__(self) -> str:
        return self.name


login_id_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$",
    _("ログインIDは半角英数字と . _ @ - で3〜64文字にしてください。"),
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **fields):
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.save()
        return user

    def create_superuser(self, username, password=None, **fields):
        fields.setdefault("name", username)
        return self.create_user(username, password, is_staff=True, is_superuser=True, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A professional (専門職) or operator. One account across every Network it is affiliated with.

    Login requires an active affiliation with an approved facility, or an active operator role
    (enforced by accounts.backends and accounts.middleware).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    username = models.CharField(
        _("ログインID"),
        max_length=64,
        unique=True,
        validators=[login_id_validator],
        error_messages={"unique": _("このログインIDは既に使われています。")},
    )
    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("氏名（カナ）"), max_length=100, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    occupations = models.ManyToManyField(
        Occupation, related_name="users", blank=True, verbose_name=_("職種")
    )
    search_key = models.CharField(max_length=300, blank=True, editable=False, db_index=True)
    is_active = models.BooleanField(_("有効"), default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name_kana", "username"]
        verbose_name = _("利用者")

    def __str__(self) -> str:
        return self.name or self.username

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.name} {self.name_kana} {self.username}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)

    # Relations named here are defined above this app (facilities, networks); reaching them
    # through the reverse managers keeps the import direction down.
    def _network_links(self) -> tuple[set[int], set[int], set[int]]:
        """(affiliated, operated, suspended) Network ids, in one UNION query: this runs on
        every request (login policy, navigation), so it must stay cheap."""
        affiliated = self.affiliations.filter(
            status="active", facility__status="approved"
        ).values_list("facility__network_id", models.Value("a", output_field=models.CharField()))
        operated = self.operator_roles.filter(is_active=True).values_list(
            "network_id", models.Value("o", output_field=models.CharField())
        )
        suspended = self.suspensions.filter(lifted_at__isnull=True).values_list(
            "network_id", models.Value("s", output_field=models.CharField())
        )
        links: dict[str, set[int]] = {"a": set(), "o": set(), "s": set()}
        parts = (affiliated.order_by(), operated.order_by(), suspended.order_by())
        for network_id, kind in parts[0].union(*parts[1:], all=True):
            links[kind].add(network_id)
        return links["a"], links["o"], links["s"]

    def active_network_ids(self) -> set[int]:
        """Networks this user may act in: active affiliations and operator roles, minus
        suspensions in force."""
        affiliated, operated, suspended = self._network_links()
        return (affiliated | operated) - suspended

    def operated_network_ids(self) -> set[int]:
        _, operated, suspended = self._network_links()
        return operated - suspended

    def can_log_in(self) -> bool:
        return self.is_active and (self.is_superuser or bool(self.active_network_ids()))


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the raw value is shown once."""

    PREFIX = "rk_"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名前"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> tuple["ApiToken", str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=_hash_token(raw), hint=raw[-4:])
        return token, raw

    @classmethod
    def find_active(cls, raw: str) -> "ApiToken | None":
        return (
            cls.objects.select_related("user")
            .filter(key_hash=_hash_token(raw), revoked_at__isnull=True)
            .first()
        )
