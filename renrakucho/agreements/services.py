"""Writes on Agreements: propose, invite, accept, decline, leave, end.

Two-sided consent: the proposer's Network takes part at once (its operator proposed), every
other Network only once its own operator has accepted. Each write is audited (AGREEMENT_*,
with the acting Network) and the operators concerned get an `agreement` notification (never
the actor). Errors a person can fix are ValidationError in Japanese (code "ended" for an
Agreement that is over); acting for a Network the actor does not operate is PermissionDenied.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.accounts.models import User
from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.networks.models import Network, OperatorRole, Suspension
from renrakucho.notifications.models import Kind
from renrakucho.notifications.services import notify

from .models import Agreement, AgreementParty, Allows

Status = AgreementParty.Status


def agreement_url(agreement: Agreement) -> str:
    return reverse("agreements:detail", kwargs={"agreement_uuid": agreement.uuid})


def _check_operator(actor, network_id: int) -> None:
    if network_id not in actor.operated_network_ids():
        raise PermissionDenied


def _check_open(agreement: Agreement) -> None:
    if agreement.is_over(timezone.localdate()):
        raise ValidationError(_("この協定はすでに終了しています。"), code="ended")


def operators_of(network_ids: Iterable[int]) -> list[User]:
    """Active operators of these Networks, not suspended there. One query."""
    network_ids = set(network_ids)
    if not network_ids:
        return []
    suspended = Suspension.objects.filter(
        network=OuterRef("network"), user=OuterRef("user"), lifted_at__isnull=True
    )
    roles = OperatorRole.objects.filter(
        network_id__in=network_ids, is_active=True, user__is_active=True
    ).exclude(Exists(suspended))
    return list(User.objects.filter(operator_roles__in=roles).distinct().only("id", "uuid"))


def _notify(agreement: Agreement, network_ids: Iterable[int], actor) -> None:
    notify(
        users=operators_of(network_ids),
        kind=Kind.AGREEMENT,
        url=agreement_url(agreement),
        target_uuid=agreement.uuid,
        exclude=actor,
    )


def _concerned(agreement: Agreement, *, but: int | None = None) -> list[int]:
    """Networks still taking part or invited (those whose operators hear of a change)."""
    ids = agreement.parties.filter(status__in=[Status.INVITED, Status.ACCEPTED]).values_list(
        "network_id", flat=True
    )
    return [i for i in ids if i != but]


def _audit(action, actor, agreement, network_id, request, **detail) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        network_id=network_id,
        target=agreement,
        detail=detail,
    )


def _check_partners(network: Network, partners: Sequence[Network]) -> None:
    if not partners:
        raise ValidationError(
            {"partner_networks": _("相手のネットワークを1つ以上選んでください。")}
        )
    ids = [p.pk for p in partners]
    if network.pk in ids:
        raise ValidationError({"partner_networks": _("自分のネットワークは相手に選べません。")})
    if len(set(ids)) != len(ids):
        raise ValidationError({"partner_networks": _("同じネットワークが重複して選ばれています。")})
    if any(not p.is_active for p in partners):
        raise ValidationError({"partner_networks": _("選べないネットワークが含まれています。")})


@transaction.atomic
def agreement_propose(
    *,
    actor,
    network: Network,
    name: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None = None,
    allows_teams: bool = True,
    allows_groups: bool = False,
    allows_evacuees: bool = False,
    partner_networks: Sequence[Network] = (),
    description: str = "",
    request=None,
) -> Agreement:
    """Propose an Agreement for `network` (accepted at once) with `partner_networks`
    (invited; each notified). Audited AGREEMENT_PROPOSE with the partners' UUIDs.

    PermissionDenied unless `actor` operates `network`; ValidationError for a missing name or
    start date, an end before the start or already past, nothing allowed, no partner, the
    proposer's own Network or a Network twice among the partners, or an inactive Network."""
    _check_operator(actor, network.pk)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("協定の名称を入力してください。")]
    if starts_on is None:
        errors["starts_on"] = [_("開始日を入力してください。")]
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("終了日は開始日以降の日付にしてください。")]
    if ends_on is not None and ends_on < timezone.localdate() and "ends_on" not in errors:
        errors["ends_on"] = [_("終了日が過ぎた協定は提案できません。")]
    if not (allows_teams or allows_groups or allows_evacuees):
        errors["allows"] = [_("協定で認める連携を1つ以上選んでください。")]
    if errors:
        raise ValidationError(errors)
    _check_partners(network, partner_networks)
    agreement = Agreement(
        name=name,
        description=(description or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        allows_teams=allows_teams,
        allows_groups=allows_groups,
        allows_evacuees=allows_evacuees,
        proposed_by=actor,
    )
    agreement.full_clean()
    agreement.save()
    now = timezone.now()
    AgreementParty.objects.bulk_create(
        [
            AgreementParty(
                agreement=agreement,
                network=network,
                status=Status.ACCEPTED,
                invited_by=actor,
                decided_by=actor,
                decided_at=now,
            ),
            *(
                AgreementParty(agreement=agreement, network=partner, invited_by=actor)
                for partner in partner_networks
            ),
        ]
    )
    _notify(agreement, [p.pk for p in partner_networks], actor)
    _audit(
        Action.AGREEMENT_PROPOSE,
        actor,
        agreement,
        network.pk,
        request,
        partners=[str(p.uuid) for p in partner_networks],
        allows=[a.value for a in agreement.allowed()],
    )
    return agreement


def _acting_party(actor, agreement: Agreement) -> AgreementParty:
    """The accepted party through which `actor` acts (the first Network they operate among
    the accepted ones), or PermissionDenied."""
    operated = actor.operated_network_ids()
    party = (
        agreement.parties.filter(status=Status.ACCEPTED, network_id__in=operated)
        .order_by("id")
        .first()
    )
    if party is None:
        raise PermissionDenied
    return party


@transaction.atomic
def agreement_invite(*, actor, agreement: Agreement, network: Network, request=None):
    """An operator of an accepted party invites `network` (its operators notified; a
    Network that declined or left before is invited again). Audited AGREEMENT_INVITE.

    PermissionDenied unless `actor` operates an accepted party; ValidationError when the
    Agreement is over ("ended"), the Network is invited already or takes part, or is
    inactive."""
    acting = _acting_party(actor, agreement)
    _check_open(agreement)
    if not network.is_active:
        raise ValidationError({"network": _("選べないネットワークが含まれています。")})
    party = (
        AgreementParty.objects.select_for_update()
        .filter(agreement=agreement, network=network)
        .first()
    )
    if party is not None and party.status == Status.INVITED:
        raise ValidationError(
            {"network": ValidationError(_("このネットワークはすでに招待されています。"), "invited")}
        )
    if party is not None and party.status == Status.ACCEPTED:
        raise ValidationError(
            {
                "network": ValidationError(
                    _("このネットワークはすでに協定に参加しています。"), "accepted"
                )
            }
        )
    if party is None:
        party = AgreementParty.objects.create(
            agreement=agreement, network=network, invited_by=actor
        )
    else:
        party.status = Status.INVITED
        party.invited_by = actor
        party.decided_by = None
        party.decided_at = None
        party.left_at = None
        party.save(
            update_fields=[
                "status", "invited_by", "decided_by", "decided_at", "left_at", "updated_at",
            ]
        )  # fmt: skip
    _notify(agreement, _concerned(agreement, but=acting.network_id), actor)
    _audit(
        Action.AGREEMENT_INVITE,
        actor,
        agreement,
        acting.network_id,
        request,
        network=str(network.uuid),
    )
    return party


def _decide(actor, party: AgreementParty, status: str, action, request, reason: str = ""):
    _check_operator(actor, party.network_id)
    agreement = party.agreement
    _check_open(agreement)
    party = AgreementParty.objects.select_for_update().get(pk=party.pk)
    if party.status != Status.INVITED:
        raise ValidationError(_("この協定への招待にはすでに回答しています。"), code="answered")
    party.status = status
    party.decided_by = actor
    party.decided_at = timezone.now()
    party.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _notify(agreement, _concerned(agreement, but=party.network_id), actor)
    audit_record(
        action=action,
        actor=actor,
        request=request,
        network_id=party.network_id,
        target=agreement,
        reason=(reason or "").strip(),
    )
    return party


@transaction.atomic
def party_accept(*, actor, party: AgreementParty, request=None) -> AgreementParty:
    """The invited Network's operator accepts: from then on (within the Agreement's dates) it
    is a partner of every other accepted party. Audited AGREEMENT_ACCEPT; the operators of the
    other parties are notified. PermissionDenied unless `actor` operates the party's Network;
    ValidationError when it was answered already or the Agreement is over."""
    return _decide(actor, party, Status.ACCEPTED, Action.AGREEMENT_ACCEPT, request)


@transaction.atomic
def party_decline(*, actor, party: AgreementParty, reason: str = "", request=None):
    """The invited Network's operator declines (AGREEMENT_DECLINE); as party_accept."""
    return _decide(actor, party, Status.DECLINED, Action.AGREEMENT_DECLINE, request, reason)


@transaction.atomic
def party_leave(*, actor, party: AgreementParty, reason: str = "", request=None):
    """An accepted party's operator takes its Network out. Its partners lose it at once
    (partner_network_ids counts accepted parties only); with fewer than two accepted parties
    left the Agreement joins nobody any more. Audited AGREEMENT_LEAVE; the other parties'
    operators are notified. PermissionDenied unless `actor` operates the party's Network;
    ValidationError when the party is not taking part or the Agreement is over."""
    _check_operator(actor, party.network_id)
    agreement = party.agreement
    _check_open(agreement)
    party = AgreementParty.objects.select_for_update().get(pk=party.pk)
    if party.status != Status.ACCEPTED:
        raise ValidationError(_("参加していない協定からは離脱できません。"), code="not_party")
    now = timezone.now()
    party.status = Status.LEFT
    party.left_at = now
    party.save(update_fields=["status", "left_at", "updated_at"])
    _notify(agreement, _concerned(agreement, but=party.network_id), actor)
    audit_record(
        action=Action.AGREEMENT_LEAVE,
        actor=actor,
        request=request,
        network_id=party.network_id,
        target=agreement,
        reason=(reason or "").strip(),
    )
    return party


@transaction.atomic
def agreement_end(*, actor, agreement: Agreement, reason: str = "", request=None) -> Agreement:
    """An operator of any accepted party ends the Agreement for everyone, at once
    (`ended_at`): it is in force nowhere from then on. Audited AGREEMENT_END; the operators of
    the other parties are notified. PermissionDenied unless `actor` operates an accepted
    party; ValidationError when it is over already."""
    acting = _acting_party(actor, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _check_open(agreement)
    agreement.ended_at = timezone.now()
    agreement.ended_by = actor
    agreement.save(update_fields=["ended_at", "ended_by", "updated_at"])
    _notify(agreement, _concerned(agreement, but=acting.network_id), actor)
    audit_record(
        action=Action.AGREEMENT_END,
        actor=actor,
        request=request,
        network_id=acting.network_id,
        target=agreement,
        reason=(reason or "").strip(),
    )
    return agreement


def allows_flags(allowed: Iterable[str]) -> dict[str, bool]:
    """{"allows_teams": …, …} from a list of Allows values (forms and the API)."""
    allowed = set(allowed)
    return {choice.value: choice.value in allowed for choice in Allows}
