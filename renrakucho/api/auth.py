"""Token authentication of the API.

`POST /auth/token` checks the login ID and password through `django.contrib.auth.authenticate`
so that django-axes counts failures and locks out with the same rules as the login page, then
the TOTP code when the user has a device or a Network of theirs requires two-factor login.
Every other call carries `Authorization: Bearer <token>` (`ApiTokenAuth`).
"""

from __future__ import annotations

import datetime

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja.security import HttpBearer

from renrakucho.accounts.lockout import lockout_message
from renrakucho.accounts.middleware import has_confirmed_totp, two_factor_required
from renrakucho.accounts.models import ApiToken, User
from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record

# last_used_at is a hint for the owner ("used today"), not an access log (the audit log is);
# writing it at most once a minute keeps a busy client from writing on every call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    """Bearer token → user. Refused (401) when the token is unknown or revoked, when its
    owner can no longer log in (no active affiliation, deactivated, suspended everywhere), or
    when a Network of the owner requires two-factor login and the owner has no confirmed
    TOTP device (a token issued before the Network demanded it stops working until the
    owner enrols; tokens issued afterwards were issued with a verified code).

    Sets `request.user` to the owner so services and the audit log see the same actor as on
    the pages, and `request.api_token` to the token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = ApiToken.find_active(token.strip()) if token else None
        if api_token is None:
            return None
        user = api_token.user
        if not user.can_log_in():
            return None
        if two_factor_required(user) and not has_confirmed_totp(user):
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
            api_token.last_used_at = now
        request.user = user
        request.api_token = api_token
        return user


class LoginRefused(Exception):
    """The token endpoint refuses; `status` is 401 or 429, `message` Japanese."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(status, message)


def _refused_at_otp(request, *, user: User, reason: str) -> None:
    """Audit a refusal at the second factor (no code, or none can be given) as LOGIN_FAILED.
    Not counted towards the lock-out: nothing was guessed."""
    audit_record(
        action=Action.LOGIN_FAILED,
        actor=user,
        request=request,
        detail={"stage": "otp", "channel": "api", "reason": reason},
    )


def check_login(request: HttpRequest, *, username: str, password: str, otp: str | None) -> User:
    """Return the user when the credentials (and TOTP code where needed) are right.

    Raises LoginRefused(429) when axes has locked the login ID out, LoginRefused(401) for a
    wrong ID or password, a user who cannot log in, or a missing or wrong TOTP code.

    Failures are handled as on the login page: a wrong password makes Django send
    `user_login_failed` (audited as LOGIN_FAILED with the attempted ID by audit.receivers,
    counted by django-axes); a wrong TOTP code sends the same signal with stage "otp".
    """
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise LoginRefused(429, lockout_message())
        raise LoginRefused(401, _("ログインIDまたはパスワードが正しくありません。"))

    devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    if devices or two_factor_required(user):
        if not devices:
            _refused_at_otp(request, user=user, reason="not_enrolled")
            raise LoginRefused(
                401,
                _(
                    "このネットワークでは二要素認証が必須です。先にWeb画面の「アカウント設定」から"
                    "認証アプリを登録してください。"
                ),
            )
        if not otp:
            _refused_at_otp(request, user=user, reason="missing")
            raise LoginRefused(
                401, _("二要素認証のワンタイムパスワード（otp）を入力してください。")
            )
        # verify_token throttles repeated failures per device (django-otp).
        if not any(device.verify_token(otp.strip()) for device in devices):
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.get_username(), "stage": "otp"},
                request=request,
            )
            if getattr(request, "axes_locked_out", False):
                raise LoginRefused(429, lockout_message())
            raise LoginRefused(401, _("ワンタイムパスワードが正しくありません。"))

    # As after a page login: django-axes forgets this login ID's failures (and logs the
    # access) only once both factors passed.
    AxesProxyHandler.user_logged_in(sender=__name__, request=request, user=user)
    return user
