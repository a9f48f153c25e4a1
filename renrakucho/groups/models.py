"""Groups (グループ) and their boards (掲示板): threads, replies, attachments, read receipts.

A group belongs to one Network; opened to partners (`open_to_partners`), it also admits
users of Networks in an Agreement in force with it that allows groups (広域連携). Who may join is its policy (open / by request / invitation
only) narrowed by eligibility: occupations (e.g. 医師会: 医師 only) and facility types of the
member's active affiliations in that Network; an empty list allows everyone. An
"announcement only" group (operators create them) lets only its owners start threads.

Nothing here is resident data. Board content is reachable only through groups.access (active
members of a Network the user acts in); everyone else gets 404.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renrakucho.accounts.models import Occupation
from renrakucho.core.models import TimeStampedModel
from renrakucho.facilities.models import FacilityType
from renrakucho.networks.models import Network


class Policy(models.TextChoices):
    OPEN = "open", _("誰でも参加できる")
    REQUEST = "request", _("参加申請を承認制にする")
    INVITATION = "invitation", _("招待した人だけ")


class Group(TimeStampedModel):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("グループ名"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    policy = models.CharField(
        _("参加方法"), max_length=20, choices=Policy.choices, default=Policy.REQUEST
    )
    announcement_only = models.BooleanField(
        _("お知らせ専用（管理者だけが投稿できる）"), default=False
    )
    allowed_occupations = models.ManyToManyField(
        Occupation, blank=True, related_name="+", verbose_name=_("参加できる職種")
    )
    # 広域連携: members of Networks sharing an Agreement in force that allows groups with this
    # group's Network may discover and join it (groups.access); they count only while that
    # Agreement is in force. Set by an owner who operates the group's Network.
    open_to_partners = models.BooleanField(
        _("広域連携協定を結んだネットワークにも公開する"), default=False
    )
    # FacilityType values; empty = any facility type.
    allowed_facility_types = models.JSONField(_("参加できる事業所の種別"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["network", "name"]
        verbose_name = _("グループ")
        constraints = [
            models.UniqueConstraint(fields=["network", "name"], name="group_name_per_network")
        ]

    def __str__(self) -> str:
        return self.name

    def facility_type_labels(self) -> list[str]:
        labels = dict(FacilityType.choices)
        return [str(labels.get(value, value)) for value in self.allowed_facility_types or []]


class GroupMembership(TimeStampedModel):
    """A person's membership of a group, with its history: requests, invitations, leaving and
    removal end in a status instead of a deletion."""

    class Role(models.TextChoices):
        OWNER = "owner", _("管理者")
        MEMBER = "member", _("メンバー")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("参加申請中")
        INVITED = "invited", _("招待中")
        ACTIVE = "active", _("参加中")
        REJECTED = "rejected", _("申請却下")
        DECLINED = "declined", _("招待辞退")
        LEFT = "left", _("退出")
        REMOVED = "removed", _("除外")

    OPEN_STATUSES = (Status.REQUESTED, Status.INVITED, Status.ACTIVE)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "-role", "id"]
        verbose_name = _("グループメンバー")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=models.Q(status__in=["requested", "invited", "active"]),
                name="group_membership_one_open",
            )
        ]
        indexes = [models.Index(fields=["user", "status"], name="group_membership_user")]

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER and self.status == self.Status.ACTIVE


class Thread(TimeStampedModel):
    """スレッド. `last_activity_at` (creation, then each reply) orders the board; pinned
    threads come first. A closed thread refuses replies."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"), blank=True)
    pinned = models.BooleanField(_("ピン留め"), default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_activity_at = models.DateTimeField()
    reply_count = models.PositiveIntegerField(default=0)
    search_key = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-pinned", "-last_activity_at", "-id"]
        verbose_name = _("スレッド")
        indexes = [
            models.Index(
                fields=["group", "-pinned", "-last_activity_at", "-id"], name="thread_board"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Reply(TimeStampedModel):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("本文"), blank=True)
    search_key = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["thread", "id"]
        verbose_name = _("返信")
        indexes = [models.Index(fields=["thread", "id"], name="reply_thread_id")]


class BoardAttachment(TimeStampedModel):
    """A photo, video or PDF of a thread or a reply (same rules as the timeline's). Stored
    under a random name; served only through an access-checked view as a download."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("写真")
        VIDEO = "video", _("動画")
        PDF = "pdf", _("PDF")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="groups/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    thumbnail = models.FileField(upload_to="groups/thumbs/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["thread", "id"]


class ThreadRead(models.Model):
    """既読 of a thread's opening post: the first time a user opened it."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["thread", "read_at"]
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="thread_read_once")]
        indexes = [models.Index(fields=["user", "thread"], name="thread_read_user")]


class ReplyRead(models.Model):
    """既読 of a reply."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="reads")
    # Denormalised so "which replies of this thread have I read" is one index range.
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["reply", "read_at"]
        constraints = [models.UniqueConstraint(fields=["reply", "user"], name="reply_read_once")]
        indexes = [models.Index(fields=["user", "thread"], name="reply_read_user_thread")]
