"""The notification centre (通知): the reader's own list, mark read, e-mail preference.

Only the reader's own rows are ever shown or changed (access.access_notification: anyone
else's is 404). The list shows what happened (from `kind`) and when, with a link; it never
names a resident, so it needs no access check on resident data and writes no audit row. The
linked page checks access again when opened.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .access import access_notification
from .forms import NotificationSettingForm


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    page = selectors.inbox_page(
        request.user, before=request.GET.get("before"), unread_only=unread_only
    )
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": unread_only},
    )


@login_required
@require_GET
def badge(request):
    """The navigation badge alone: realtime.js swaps it in when a notification arrives."""
    return render(request, "notifications/_badge.html")


def _back_to_list(request):
    # Back to the list the button was on (same filter/page); only this site's own paths.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_open(request, notification_uuid):
    """Mark read and go where the notification leads (the page there checks access)."""
    notification = access_notification(request.user, notification_uuid)
    services.notification_mark_read(actor=request.user, notification=notification)
    if url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read(request, notification_uuid):
    notification = access_notification(request.user, notification_uuid)
    services.notification_mark_read(actor=request.user, notification=notification)
    return _back_to_list(request)


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("%(count)d 件の通知を既読にしました。") % {"count": count})
    return _back_to_list(request)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    if request.method == "POST":
        form = NotificationSettingForm(request.POST)
        if form.is_valid():
            try:
                services.notification_setting_update(
                    actor=request.user, email=form.cleaned_data["email"]
                )
            except ValidationError as error:
                form.add_error("email", error.messages)
            else:
                messages.success(request, _("通知の設定を保存しました。"))
                return redirect("notifications:settings")
    else:
        form = NotificationSettingForm(initial={"email": selectors.email_preference(request.user)})
    return render(request, "notifications/settings.html", {"form": form})
