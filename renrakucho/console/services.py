"""Operator actions on a Network (利用停止, ネットワーク設定). Callers have resolved that the
actor operates `network` (console.access); each function owns its transaction and audit row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.accounts.models import User
from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.networks.models import Network, Suspension

if TYPE_CHECKING:
    from django.http import HttpRequest

NETWORK_SETTINGS_FIELDS = ("name", "operator_organisation", "contact", "two_factor_required")


@transaction.atomic
def user_suspend(
    *,
    actor: User,
    user: User,
    network: Network,
    reason: str,
    request: HttpRequest | None = None,
) -> Suspension:
    """Suspend `user` in `network` (利用停止). From the next request on the user reaches
    nothing of the Network, and cannot log in at all if it was their only one.
    Raises ValidationError: no reason, suspending oneself, already suspended.
    Audits USER_SUSPEND with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("利用停止の理由を入力してください。")})
    if user.pk == actor.pk:
        raise ValidationError(_("自分自身を利用停止にすることはできません。"))
    suspension = Suspension(network=network, user=user, reason=reason, suspended_by=actor)
    suspension.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            suspension.save()
    except IntegrityError:
        raise ValidationError(_("この利用者は既に利用停止中です。"))
    audit_record(
        action=Action.USER_SUSPEND,
        actor=actor,
        request=request,
        network_id=network.id,
        target=user,
        reason=reason[:300],
    )
    return suspension


@transaction.atomic
def user_unsuspend(
    *, actor: User, user: User, network: Network, request: HttpRequest | None = None
) -> Suspension:
    """Lift the suspension of `user` in `network` (kept as history).
    Raises ValidationError when none is in force. Audits USER_UNSUSPEND."""
    suspension = (
        Suspension.objects.select_for_update()
        .filter(network=network, user=user, lifted_at__isnull=True)
        .first()
    )
    if suspension is None:
        raise ValidationError(_("この利用者は利用停止されていません。"))
    suspension.lifted_at = timezone.now()
    suspension.lifted_by = actor
    suspension.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
    audit_record(
        action=Action.USER_UNSUSPEND,
        actor=actor,
        request=request,
        network_id=network.id,
        target=user,
    )
    return suspension


@transaction.atomic
def network_settings_update(
    *, actor: User, network: Network, data: dict, request: HttpRequest | None = None
) -> Network:
    """Change a Network's brand name, operator organisation, contact and the two-factor
    requirement. Raises ValidationError (field-keyed). Audits NETWORK_SETTINGS with the names
    of the changed fields and the two-factor setting."""
    network = Network.objects.select_for_update().get(pk=network.pk)
    changed = [
        name
        for name in NETWORK_SETTINGS_FIELDS
        if name in data and getattr(network, name) != data[name]
    ]
    if not changed:
        return network
    for name in changed:
        setattr(network, name, data[name])
    network.full_clean()
    network.save(update_fields=[*changed, "updated_at"])
    audit_record(
        action=Action.NETWORK_SETTINGS,
        actor=actor,
        request=request,
        network_id=network.id,
        target=network,
        detail={"changed": changed, "two_factor_required": network.two_factor_required},
    )
    return network
