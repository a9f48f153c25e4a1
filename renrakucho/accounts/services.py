"""Writes on a user's own account: TOTP enrolment and personal API tokens.

Each function owns its transaction and sends the matching signal from accounts.signals inside
it; audit.receivers turns the signal into an audit row (accounts may not import audit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, User
from .signals import api_token_issued, api_token_revoked, otp_disabled, otp_enrolled

if TYPE_CHECKING:
    from django.http import HttpRequest

# Enough for every device and script a professional plausibly uses; stops runaway issuing.
MAX_ACTIVE_API_TOKENS = 20
TOTP_DEVICE_NAME = "authenticator"


@transaction.atomic
def otp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device whose secret the setup page shows, created on first use.
    Reloading the page keeps the same secret, so a code scanned a moment ago still works."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def otp_device_confirm(*, user: User, device: TOTPDevice, request: HttpRequest | None = None):
    """Mark `device` (already checked against a code) confirmed, drop other pending devices.
    Sends otp_enrolled (audited as Action.OTP_ENROLLED)."""
    if device.user_id != user.pk:
        raise ValueError("device of another user")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    otp_enrolled.send(sender=User, user=user, device=device, request=request)


@transaction.atomic
def otp_disable(*, user: User, request: HttpRequest | None = None) -> None:
    """Remove all of the user's TOTP devices. The caller checks that no Network requires
    two-factor login and that a current code was given. Sends otp_disabled."""
    TOTPDevice.objects.filter(user=user).delete()
    otp_disabled.send(sender=User, user=user, request=request)


@transaction.atomic
def api_token_issue(
    *, user: User, name: str, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Issue a personal API token. Returns (token row, raw value); only the hash is stored,
    so the raw value can be shown once and never again.

    Raises ValidationError (Japanese) when the name is invalid or the user already has
    MAX_ACTIVE_API_TOKENS active tokens. Sends api_token_issued (audited)."""
    # Lock the user row so two concurrent requests cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_API_TOKENS:
        raise ValidationError(
            _("有効なAPIトークンは%(max)d個までです。使っていないトークンを失効させてください。")
            % {"max": MAX_ACTIVE_API_TOKENS}
        )
    name = ApiToken._meta.get_field("name").clean(name, None)
    token, raw = ApiToken.issue(user=user, name=name)
    api_token_issued.send(sender=ApiToken, user=user, token=token, request=request)
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken, request: HttpRequest | None = None) -> None:
    """Revoke one of the user's own active tokens (the caller found it among the user's
    tokens). Sends api_token_revoked (audited)."""
    if token.user_id != user.pk:
        raise ValueError("token of another user")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    api_token_revoked.send(sender=ApiToken, user=user, token=token, request=request)
