"""お知らせ: notices an operator publishes to the registered users of a Network.

A notice goes to everyone registered in the Network (an active affiliation with an approved
facility there, account active, not suspended in the Network), or to a segment of them. The
recipients are resolved ONCE, when the notice is published, into inbox rows
(`NoticeRecipient`): someone who registers later does not receive an old notice, and the
read/confirmation tracking counts exactly the people it was sent to. Notices carry no
resident data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renrakucho.accounts.models import Occupation
from renrakucho.core.models import TimeStampedModel
from renrakucho.facilities.models import Facility, FacilityType
from renrakucho.networks.models import Network


class Notice(TimeStampedModel):
    """One published notice. Segment rule (kept with the notice to show who it was for):

    - no condition → every registered user of the Network;
    - facilities: those of the chosen facility types, plus the chosen named facilities;
    - occupations: users holding at least one of the chosen occupations;
    - both given → users of those facilities who hold one of those occupations.
    """

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"))
    confirmation_required = models.BooleanField(_("確認必須"), default=False)
    occupations = models.ManyToManyField(
        Occupation, blank=True, related_name="+", verbose_name=_("職種")
    )
    facility_types = models.JSONField(_("事業所の種別"), default=list, blank=True)
    facilities = models.ManyToManyField(
        Facility, blank=True, related_name="+", verbose_name=_("事業所")
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("配信日時"), db_index=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("お知らせ")
        indexes = [models.Index(fields=["network", "-id"], name="notice_network")]

    def __str__(self) -> str:
        return self.title

    @property
    def facility_type_labels(self) -> list[str]:
        labels = dict(FacilityType.choices)
        return [str(labels.get(value, value)) for value in self.facility_types]


class NoticeAttachment(TimeStampedModel):
    """A PDF attached to a notice (e.g. a ministry notice). Content-checked on upload, stored
    under a random name, served only through the permission-checked download view."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="notices/%Y/%m/")
    # The name the operator's file had, shown and used for the download (notices are public
    # documents of the Network, not personal data).
    filename = models.CharField(_("ファイル名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["notice", "id"]
        verbose_name = _("添付ファイル")


class NoticeRecipient(models.Model):
    """One recipient's copy of a notice (inbox row): read, confirmed (確認しました) and last
    reminded. `facility` is the facility through which the person was reached, kept for the
    operator's per-facility tracking."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_inbox"
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_recipient_once")
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notice_inbox_unread"),
            models.Index(fields=["notice", "facility"], name="notice_tracking"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.user_id}"

    @property
    def is_pending(self) -> bool:
        """Still waiting for this person: unread, or (確認必須) not yet confirmed."""
        if self.notice.confirmation_required:
            return self.confirmed_at is None
        return self.read_at is None
