from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    return _(
        "ログインに続けて失敗したため、このログインIDは一時的にロックされています。"
        "%(minutes)d分ほど待ってから再度お試しいただくか、事業所の管理者にお問い合わせください。"
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when a login ID is locked out (pages and the API): 429 with a
    Japanese message. The login ID is not echoed back."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(request, "accounts/locked_out.html", {"message": lockout_message()}, status=429)
