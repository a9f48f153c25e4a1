"""Sign-in (password, then TOTP when set up or required), sign-out, and the user's own
account page (profile, two-factor status, personal API tokens)."""

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms import ApiTokenForm, LoginForm, OtpCodeForm
from .middleware import SIGNED_OUT_NOTICE_KEY, has_confirmed_totp, two_factor_required
from .models import ApiToken
from .selectors import account_overview
from .signals import otp_verified

# --- helpers --------------------------------------------------------------------------


def _safe_next(request) -> str:
    """The `next` parameter when it points into this site, else ""."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _home() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _after_password(user, next_url: str) -> str:
    """Where a user goes once the password is accepted: the TOTP step if they have a device,
    device setup if a Network of theirs requires two-factor login, else on."""
    if has_confirmed_totp(user):
        return _with_next("accounts:otp_verify", next_url)
    if two_factor_required(user):
        return _with_next("accounts:otp_setup", next_url)
    return next_url or _home()


def _check_code(request, form: OtpCodeForm, device: TOTPDevice, *, sign_in: bool) -> bool:
    """Verify the form's code against `device` (throttled and replay-proof by django-otp).

    On a wrong code during sign-in, sends Django's `user_login_failed` (stage "otp"): it is
    audited as a failed login and counts towards the django-axes lock-out of the login ID."""
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        form.add_error(
            "code",
            _("確認コードの誤りが続いたため、少し時間をおいてから入力してください。"),
        )
        return False
    if django_otp.verify_token(request.user, device.persistent_id, form.cleaned_data["code"]):
        return True
    form.add_error(
        "code",
        _("確認コードが正しくありません。認証アプリに表示されている最新の6桁を入力してください。"),
    )
    if sign_in:
        user_login_failed.send(
            sender=__name__,
            credentials={"username": request.user.get_username(), "stage": "otp"},
            request=request,
        )
    return False


def _mark_verified(request, device: TOTPDevice) -> None:
    # A new session key when the session gains the second factor (fixation).
    request.session.cycle_key()
    django_otp.login(request, device)


def _qr_svg(data: str) -> str:
    """The otpauth:// URL as an inline SVG QR code, drawn here: the secret never leaves the
    server for a third-party QR service, and no script is needed."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    return image.to_string(encoding="unicode")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- sign-in and sign-out -------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = _safe_next(request)
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            user = form.user
            auth_login(request, user)  # audited as Action.LOGIN (audit.receivers)
            return redirect(_after_password(user, next_url))
    else:
        if request.user.is_authenticated:
            return redirect(next_url or _home())
        form = LoginForm(request)
    signed_out = request.session.pop(SIGNED_OUT_NOTICE_KEY, False)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url, "signed_out": signed_out},
    )


@require_POST
def logout_view(request):
    auth_logout(request)  # audited as Action.LOGOUT
    messages.info(request, _("ログアウトしました。"))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    next_url = _safe_next(request)
    user = request.user
    if user.is_verified():
        return redirect(next_url or _home())
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    if device is None:
        return redirect(_with_next("accounts:otp_setup", next_url))
    form = OtpCodeForm(request.POST if request.method == "POST" else None, autofocus=True)
    if request.method == "POST" and form.is_valid():
        if _check_code(request, form, device, sign_in=True):
            _mark_verified(request, device)
            otp_verified.send(sender=TOTPDevice, user=user, device=device, request=request)
            return redirect(next_url or _home())
        if getattr(request, "axes_locked_out", False):
            # Too many failures: the login ID is now locked; this half-signed-in session
            # ends too. AxesMiddleware answers with the lock-out page.
            auth_logout(request)
            return redirect("accounts:login")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    next_url = _safe_next(request)
    user = request.user
    if has_confirmed_totp(user):
        if user.is_verified():
            messages.info(request, _("二要素認証は設定済みです。"))
            return redirect("accounts:settings")
        return redirect(_with_next("accounts:otp_verify", next_url))
    device = services.otp_device_pending(user=user)
    form = OtpCodeForm(request.POST if request.method == "POST" else None, autofocus=True)
    if (
        request.method == "POST"
        and form.is_valid()
        and _check_code(request, form, device, sign_in=False)
    ):
        services.otp_device_confirm(user=user, device=device, request=request)
        _mark_verified(request, device)
        messages.success(
            request, _("二要素認証を設定しました。次回からログイン時に確認コードを入力します。")
        )
        return redirect(next_url or _home())
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "next": next_url,
            # Generated here from our own data (path geometry only): safe to inline.
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308
            "secret": _grouped(secret),
            "required": two_factor_required(user),
        },
    )


# --- my account -----------------------------------------------------------------------


def _render_settings(request, *, status: int = 200, **extra):
    context = {
        "overview": account_overview(request.user),
        "token_form": ApiTokenForm(),
        "otp_disable_form": OtpCodeForm(),
        **extra,
    }
    return render(request, "accounts/settings.html", context, status=status)


@login_required
@require_GET
def account_settings(request):
    return _render_settings(request)


@sensitive_post_parameters("code")
@login_required
@require_POST
def otp_disable(request):
    """Remove the user's own TOTP device, with a current code, where no Network requires it."""
    user = request.user
    if two_factor_required(user):
        messages.error(request, _("所属するネットワークで二要素認証が必須のため、解除できません。"))
        return _render_settings(request, status=403)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    if device is None:
        messages.info(request, _("二要素認証は設定されていません。"))
        return redirect("accounts:settings")
    form = OtpCodeForm(request.POST)
    if form.is_valid() and _check_code(request, form, device, sign_in=False):
        services.otp_disable(user=user, request=request)
        messages.success(request, _("二要素認証を解除しました。"))
        return redirect("accounts:settings")
    return _render_settings(request, otp_disable_form=form)


@login_required
@require_POST
def token_issue(request):
    """Issue a personal API token and show its raw value this once (it is stored hashed)."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_issue(
                user=request.user, name=form.cleaned_data["name"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _render_settings(request, new_token=token, raw_token=raw)
    return _render_settings(request, token_form=form)


@login_required
@require_POST
def token_revoke(request, token_uuid):
    # Only the owner's active tokens: another user's token, or a revoked one, is a 404.
    token = get_object_or_404(ApiToken, uuid=token_uuid, user=request.user, revoked_at__isnull=True)
    services.api_token_revoke(user=request.user, token=token, request=request)
    messages.success(request, _("APIトークン「%(name)s」を失効させました。") % {"name": token.name})
    return redirect("accounts:settings")
