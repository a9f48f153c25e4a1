from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from renrakucho.networks.models import Network

# Paths a signed-in user may reach before the login policy is satisfied.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/healthz", "/facilities/apply/")


class LoginPolicyMiddleware:
    """Enforces, on every request of a signed-in session:

    - a user whose last affiliation ended, or who was suspended, is signed out at once;
    - a user of a Network that requires two-factor login must have verified a TOTP device
      in this session (set one up first if they have none).
    The API authenticates per request (api.auth) and applies the same rules there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            if not user.can_log_in():
                logout(request)
                messages.error(request, _("利用できる所属がないため、ログアウトしました。"))
                return redirect("accounts:login")
            if not user.is_verified() and two_factor_required(user):
                return redirect("accounts:otp_verify")
        return self.get_response(request)


def two_factor_required(user) -> bool:
    return Network.objects.filter(
        id__in=user.active_network_ids(), two_factor_required=True
    ).exists()
