"""広域連携協定 (Agreements): Networks that agree to work across their borders.

An Agreement names what it allows (cross-Network care-team membership, cross-Network groups,
sharing evacuee information in a disaster) and the Networks taking part. Each Network takes
part only once its own operator has accepted (two-sided consent): a party is invited, then
accepted (or declined), and may leave later. The Agreement is in force between the accepted
parties from `starts_on` to `ends_on` (inclusive) unless it was ended early (`ended_at`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renrakucho.core.models import TimeStampedModel
from renrakucho.networks.models import Network


class Allows(models.TextChoices):
    """What an Agreement allows; each is a boolean column of Agreement."""

    TEAMS = "allows_teams", _("支援チームへの他ネットワークの専門職の参加")
    GROUPS = "allows_groups", _("ネットワークをまたぐグループ")
    EVACUEES = "allows_evacuees", _("災害時の避難者情報の共有")


class Agreement(TimeStampedModel):
    name = models.CharField(_("協定の名称"), max_length=200)
    description = models.TextField(_("説明"), blank=True)
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"), null=True, blank=True)
    allows_teams = models.BooleanField(
        _("支援チームへの他ネットワークの専門職の参加"), default=True
    )
    allows_groups = models.BooleanField(_("ネットワークをまたぐグループ"), default=False)
    allows_evacuees = models.BooleanField(_("災害時の避難者情報の共有"), default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Ended early by the operators (an end date in the future can also be set): from then on
    # it is in force nowhere.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("広域連携協定")
        verbose_name_plural = _("広域連携協定")

    def __str__(self) -> str:
        return self.name

    def is_over(self, today) -> bool:
        """Ended early, or past its end date: nothing can be changed any more."""
        return self.ended_at is not None or (self.ends_on is not None and self.ends_on < today)

    def allowed(self) -> list[Allows]:
        return [choice for choice in Allows if getattr(self, choice.value)]


class AgreementParty(TimeStampedModel):
    """A Network's part in an Agreement: invited → accepted (or declined) → left."""

    class Status(models.TextChoices):
        INVITED = "invited", _("承諾待ち")
        ACCEPTED = "accepted", _("参加中")
        DECLINED = "declined", _("辞退")
        LEFT = "left", _("離脱")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="agreement_parties")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "network"], name="agreement_party_once")
        ]
        indexes = [models.Index(fields=["network", "status"], name="agreement_party_network")]
