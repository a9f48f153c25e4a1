from urllib.parse import urlencode

from django.contrib.auth import SESSION_KEY
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from renrakucho.networks.models import Network, Suspension

# Never subject to the login policy (no session user needed, or authenticated per request).
_OPEN_PREFIXES = ("/static/", "/i18n/", "/api/", "/healthz", "/facilities/apply/")
# The sign-in steps themselves: reachable before the second factor is done.
_SIGN_IN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/otp/")
# Session key read by the login page to say why the previous session ended.
SIGNED_OUT_NOTICE_KEY = "accounts_signed_out_notice"


class LoginPolicyMiddleware:
    """Enforces, on every request of a signed-in session:

    - a user whose last affiliation ended, or who was suspended, is signed out at once
      (AffiliatedUserBackend.get_user already refuses them; this ends the session and tells
      them why on the login page);
    - a user who has a TOTP device, or belongs to a Network that requires two-factor login,
      must have verified a TOTP code in this session (set a device up first if they have none).
    The API authenticates per request (api.auth) and applies the same rules there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith(_OPEN_PREFIXES):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            if SESSION_KEY in request.session:
                # A session whose user the backend no longer lets in.
                request.session.flush()
                request.session[SIGNED_OUT_NOTICE_KEY] = True
                if not path.startswith("/accounts/login/"):
                    return redirect("accounts:login")
        elif not path.startswith(_SIGN_IN_PREFIXES):
            step = second_factor_step(user)
            if step is not None:
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(step)}?{query}")
        return self.get_response(request)


def has_confirmed_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_step(user) -> str | None:
    """The URL name of the step this signed-in user must complete before anything else:
    `accounts:otp_verify` (has a device, not verified in this session), `accounts:otp_setup`
    (no device, but a Network requires 2FA), or None. At most two queries."""
    if user.is_verified():
        return None
    if has_confirmed_totp(user):
        return "accounts:otp_verify"
    if two_factor_required(user):
        return "accounts:otp_setup"
    return None


def two_factor_required(user) -> bool:
    """True when a Network this user may act in requires two-factor login.

    "May act in" is exactly User.active_network_ids() (active affiliation with an approved
    facility, or active operator role; minus suspensions in force), written as one query
    because it runs on every request of a session that has not verified a second factor.
    """
    acts_in = Q(
        facilities__status="approved",
        facilities__affiliations__user=user,
        facilities__affiliations__status="active",
    ) | Q(operator_roles__user=user, operator_roles__is_active=True)
    suspended = Suspension.objects.filter(network=OuterRef("pk"), user=user, lifted_at__isnull=True)
    return (
        Network.objects.filter(two_factor_required=True)
        .filter(acts_in)
        .filter(~Exists(suspended))
        .exists()
    )
