from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    return _(
        "ログインに続けて失敗したため、このログインIDは一時的にロックされています。"
        "30分ほど待ってから再度お試しいただくか、事業所の管理者にお問い合わせください。"
    )


def lockout_response(request, credentials, *args, **kwargs):
    """django-axes calls this when a login ID is locked out (pages and the API)."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(request, "accounts/locked_out.html", {"message": lockout_message()}, status=429)
