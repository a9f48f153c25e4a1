"""Notice screens: a user's inbox (/notices/), one notice (opening marks it read), 確認しました,
attachment downloads; and the operator's pages (/notices/manage/…): list with counts, publish
form, per-facility tracking with the people still pending, remind.

Thin function views: access (notices.access) → form → service → render. Notices carry no
resident data; publishing and reminding are audited by the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renrakucho.files.serving import file_download

from . import selectors, services
from .access import access_notice, managed_notice, operated_networks
from .forms import NoticeForm

# --- A recipient's pages ------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request):
    """Notices of every Network the user acts in, each labelled with its Network; with more
    than one Network a switch (`?network=<slug>`) narrows to one. Three queries whatever the
    number of Networks (the Networks, the pending rows, a page of the others)."""
    networks = selectors.my_networks(request.user)
    network = selectors.network_by_slug(networks, request.GET.get("network"))
    box = selectors.inbox(request.user, before=request.GET.get("before"), network=network)
    return render(
        request,
        "notices/inbox.html",
        {"inbox": box, "networks": networks if len(networks) > 1 else [], "network": network},
    )


@login_required
@require_GET
def detail(request, notice_uuid):
    access = access_notice(request.user, notice_uuid)
    if access.is_recipient:
        services.notice_open(user=request.user, recipient=access.recipient)
    return render(
        request,
        "notices/detail.html",
        {
            "access": access,
            "notice": access.notice,
            "recipient": access.recipient,
            "attachments": selectors.attachments_of(access.notice),
        },
    )


@login_required
@require_POST
def confirm(request, notice_uuid):
    access = access_notice(request.user, notice_uuid)
    if not access.is_recipient:
        raise Http404
    try:
        services.notice_confirm(user=request.user, recipient=access.recipient)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("「確認しました」を登録しました。"))
    return redirect("notices:detail", notice_uuid=access.notice.uuid)


@login_required
@require_GET
def attachment(request, notice_uuid, attachment_uuid):
    """A notice's PDF, always as a download with nosniff (never rendered in the app's
    origin). Only for a recipient or an operator of the notice's Network."""
    access = access_notice(request.user, notice_uuid)
    found = selectors.attachment_of(access.notice, attachment_uuid)
    if found is None:
        raise Http404
    return file_download(found.file, content_type=found.content_type, filename=found.filename)


# --- The operator's pages -----------------------------------------------------------------------


@login_required
@require_GET
def manage(request):
    networks = operated_networks(request.user)
    page = selectors.managed_notices(networks, before=request.GET.get("before"))
    return render(request, "notices/manage/list.html", {"networks": networks, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    networks = operated_networks(request.user)
    occupations, facilities = selectors.segment_choices(networks)
    form_kwargs = {"networks": networks, "occupations": occupations, "facilities": facilities}
    if request.method == "POST":
        form = NoticeForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                notice = services.notice_publish(
                    actor=request.user,
                    network=form.cleaned_data["network"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    confirmation_required=form.cleaned_data["confirmation_required"],
                    segment=form.segment(),
                    attachments=form.checked_files,
                    request=request,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("お知らせを%(n)d人に配信しました。") % {"n": notice.recipient_count},
                )
                return redirect("notices:tracking", notice_uuid=notice.uuid)
    else:
        form = NoticeForm(**form_kwargs)
    return render(request, "notices/manage/form.html", {"networks": networks, "form": form})


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_GET
def tracking(request, notice_uuid):
    networks = operated_networks(request.user)
    notice = managed_notice(networks, notice_uuid)
    rows = selectors.tracking_by_facility(notice)
    return render(
        request,
        "notices/manage/tracking.html",
        {
            "networks": networks,
            "notice": notice,
            "facilities": rows,
            "totals": {
                "recipients": sum(r.recipients for r in rows),
                "read": sum(r.read for r in rows),
                "confirmed": sum(r.confirmed for r in rows),
            },
            "pending": selectors.pending_recipients(notice, after=request.GET.get("after")),
            "attachments": selectors.attachments_of(notice),
        },
    )


@login_required
@require_POST
def remind(request, notice_uuid):
    networks = operated_networks(request.user)
    notice = managed_notice(networks, notice_uuid)
    try:
        count = services.notice_remind(actor=request.user, notice=notice, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(n)d人に再通知しました。") % {"n": count})
    return redirect("notices:tracking", notice_uuid=notice.uuid)
