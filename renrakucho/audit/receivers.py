"""Audit rows for authentication: Django's auth signals and the account signals of
accounts.signals (accounts sits below audit and cannot call audit_record itself).

Connected in AuditConfig.ready(). A failed login keeps the attempted login ID in
`actor_username` and never any password or code.
"""

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from renrakucho.accounts import signals as account_signals

from .models import Action
from .services import audit_record

_LOGIN_ID_MAX = 64  # AuditEvent.actor_username


def _ip_only(request):
    """audit_record reads the IP from a request and, given no actor, takes the signed-in user
    as the actor. A failed attempt for some login ID must not be pinned on whoever else is
    signed in on that browser, so only the address is handed on."""
    if request is None:
        return None
    return SimpleNamespace(
        META={"REMOTE_ADDR": request.META.get("REMOTE_ADDR")}, user=AnonymousUser()
    )


def on_user_logged_in(sender, request, user, **kwargs):
    audit_record(action=Action.LOGIN, actor=user, request=request, detail={"stage": "password"})


def on_user_logged_out(sender, request, user, **kwargs):
    # `user` is None when an anonymous session is flushed: nobody to record.
    if user is not None:
        audit_record(action=Action.LOGOUT, actor=user, request=request)


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    # Django masks the password in `credentials`; only the login ID and the stage are kept.
    login_id = str(credentials.get("username") or "")[:_LOGIN_ID_MAX]
    stage = "otp" if credentials.get("stage") == "otp" else "password"
    actor = None
    if stage == "otp" and request is not None and request.user.is_authenticated:
        actor = request.user  # past the password: the account is known
    audit_record(
        action=Action.LOGIN_FAILED,
        actor=actor,
        actor_username=login_id,
        request=request if actor is not None else _ip_only(request),
        detail={"stage": stage},
    )


def on_otp_verified(sender, user, device, request=None, **kwargs):
    audit_record(action=Action.LOGIN, actor=user, request=request, detail={"stage": "otp"})


def on_otp_enrolled(sender, user, device, request=None, **kwargs):
    audit_record(action=Action.OTP_ENROLLED, actor=user, request=request)


def on_otp_disabled(sender, user, request=None, **kwargs):
    # No separate action exists yet; the detail tells enrolment and removal apart.
    audit_record(action=Action.OTP_DISABLED, actor=user, request=request)


def on_api_token_issued(sender, user, token, request=None, **kwargs):
    audit_record(action=Action.TOKEN_ISSUED, actor=user, request=request, target=token)


def on_api_token_revoked(sender, user, token, request=None, **kwargs):
    audit_record(action=Action.TOKEN_REVOKED, actor=user, request=request, target=token)


def connect() -> None:
    pairs = [
        (user_logged_in, on_user_logged_in),
        (user_logged_out, on_user_logged_out),
        (user_login_failed, on_user_login_failed),
        (account_signals.otp_verified, on_otp_verified),
        (account_signals.otp_enrolled, on_otp_enrolled),
        (account_signals.otp_disabled, on_otp_disabled),
        (account_signals.api_token_issued, on_api_token_issued),
        (account_signals.api_token_revoked, on_api_token_revoked),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"audit.{receiver.__name__}")
