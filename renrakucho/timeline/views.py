"""Timeline screens: the resident's timeline and composer, a post (page or fragment), edit,
history, retraction, attachments, vitals graphs and the print page (支援経過記録).

Thin function views: decorators → access (timeline.access) → form → service → render.
Missing and not-allowed are 404 (access_timeline / access_post / access_attachment); 403 only
for a write the reader may not do. Every page showing posts writes one POST_VIEW audit row
naming the posts (by UUID); a download writes ATTACHMENT_VIEW; printing TIMELINE_PRINT.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.files.serving import attachment_filename, file_download, open_stored
from renrakucho.residents.forms import add_service_errors

from . import interactions, selectors, services
from .access import TimelineAccess, access_attachment, access_post, access_timeline
from .forms import PeriodForm, PostFieldsForm, PostForm, RetractForm, edit_initial
from .vitals import SPECS, thresholds_for_display

VITALS_DAYS = 180
VITALS_TABLE_ROWS = 100


def _audit(request, access: TimelineAccess, action=Action.POST_VIEW, *, target=None, **detail):
    audit_record(
        action=action,
        actor=request.user,
        request=request,
        network_id=access.resident.network_id,
        target=target if target is not None else access.resident,
        resident_uuid=access.resident.uuid,
        detail=detail or None,
    )


def _is_fragment(request) -> bool:
    return bool(request.headers.get("HX-Request")) or request.GET.get("fragment") == "1"


def _timeline_url(resident) -> str:
    return reverse("timeline:timeline", kwargs={"resident_uuid": resident.uuid})


# --- The timeline ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def timeline(request, resident_uuid):
    """The resident's posts, newest first (keyset pages of 20 via ?before=<post uuid>; with
    htmx only the next page), and the composer for team members (POST creates a post)."""
    access = access_timeline(request.user, resident_uuid)
    form = None
    if request.method == "POST":
        if not access.can_post:
            raise PermissionDenied
        form = PostForm(request.POST, request.FILES, allow_medical=access.is_medical)
        if form.is_valid():
            try:
                services.post_create(
                    actor=request.user,
                    access=access,
                    files=form.cleaned_data["files"],
                    request=request,
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("記事を投稿しました。"))
                return redirect(_timeline_url(access.resident))
    before = request.GET.get("before") if request.method == "GET" else None
    page = selectors.timeline_page(access, before=before, with_footer=True)
    if request.method == "GET":
        # The page shows each post whole: showing it is reading it (既読), as opening it is.
        interactions.mark_read(user=request.user, posts=page.items)
    _audit(request, access, view="timeline", posts=[str(p.uuid) for p in page.items])
    context = {
        "access": access,
        "resident": access.resident,
        "page": page,
        "form": form
        if form is not None
        else (PostForm(allow_medical=access.is_medical) if access.can_post else None),
    }
    if before and request.headers.get("HX-Request"):
        return render(request, "timeline/timeline.html#page", context)
    return render(request, "timeline/timeline.html", context)


# --- One post -----------------------------------------------------------------------------


@login_required
@require_GET
def post_detail(request, post_uuid):
    """A post as a page, or only its `_post.html` fragment with HX-Request or ?fragment=1
    (what the realtime client fetches after a nudge)."""
    access, post = access_post(request.user, post_uuid)
    fragment = _is_fragment(request)
    if not fragment:
        # Opening a post marks it read (既読); a fragment fetched for an open timeline page
        # does not (the reader may be away from the screen): the next visit marks it.
        interactions.mark_read(user=request.user, posts=[post])
    post = selectors.post_for_display(post, access=access)
    _audit(request, access, target=post, view="post", posts=[str(post.uuid)])
    context = {"access": access, "resident": access.resident, "post": post}
    if fragment:
        return render(request, "timeline/_post.html", context)
    return render(request, "timeline/post_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, post_uuid):
    access, post = access_post(request.user, post_uuid)
    if post.author_id != request.user.pk:
        raise PermissionDenied
    if post.is_retracted:
        messages.error(request, _("取り消された記事は編集できません。"))
        return redirect("timeline:post_detail", post_uuid=post.uuid)
    allow_medical = access.is_medical
    if request.method == "POST":
        form = PostFieldsForm(request.POST, allow_medical=allow_medical)
        if form.is_valid():
            try:
                services.post_edit(
                    actor=request.user,
                    access=access,
                    post=post,
                    request=request,
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("記事を更新しました。"))
                return redirect("timeline:post_detail", post_uuid=post.uuid)
    else:
        form = PostFieldsForm(initial=edit_initial(post), allow_medical=allow_medical)
        _audit(request, access, target=post, view="edit", posts=[str(post.uuid)])
    return render(
        request,
        "timeline/post_edit.html",
        {"access": access, "resident": access.resident, "post": post, "form": form},
    )


@login_required
@require_GET
def post_history(request, post_uuid):
    """編集履歴: the current content and every earlier version (none shown once retracted)."""
    access, post = access_post(request.user, post_uuid)
    versions = [] if post.is_retracted else selectors.versions_of(post)
    post = selectors.post_for_display(post, access=access)
    _audit(request, access, target=post, view="history", posts=[str(post.uuid)])
    return render(
        request,
        "timeline/post_history.html",
        {"access": access, "resident": access.resident, "post": post, "versions": versions},
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_retract(request, post_uuid):
    access, post = access_post(request.user, post_uuid, for_write=True)
    if post.is_retracted:
        messages.error(request, _("この記事は既に取り消されています。"))
        return redirect("timeline:post_detail", post_uuid=post.uuid)
    if request.method == "POST":
        form = RetractForm(request.POST)
        if form.is_valid():
            try:
                services.post_retract(
                    actor=request.user,
                    access=access,
                    post=post,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("記事を取り消しました。"))
                return redirect(_timeline_url(access.resident))
    else:
        form = RetractForm()
    post = selectors.post_for_display(post, access=access)
    return render(
        request,
        "timeline/post_retract.html",
        {"access": access, "resident": access.resident, "post": post, "form": form},
    )


# --- Attachments --------------------------------------------------------------------------


@login_required
@require_GET
def attachment(request, attachment_uuid):
    """The file, always as a download with its stored (content-checked) type, never rendered
    in the app's origin (nosniff, sandboxed)."""
    access, found = access_attachment(request.user, attachment_uuid)
    open_stored(found.file)
    _audit(request, access, Action.ATTACHMENT_VIEW, target=found, post=str(found.post.uuid))
    return file_download(
        found.file, content_type=found.content_type, filename=attachment_filename(found)
    )


@login_required
@require_GET
def attachment_thumbnail(request, attachment_uuid):
    """The JPEG preview we made (never the upload itself) inline, for <img>."""
    _, found = access_attachment(request.user, attachment_uuid)
    return file_download(found.thumbnail, content_type="image/jpeg", inline=True)


# --- Vitals ----------------------------------------------------------------------------------


def _vitals_since() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=VITALS_DAYS)


@login_required
@require_GET
def vitals(request, resident_uuid):
    """Graphs of each vital (static/js/vitals.js reads vitals.json) and, without JavaScript,
    the table of the latest measurements."""
    access = access_timeline(request.user, resident_uuid)
    series = selectors.vitals_series(access, since=_vitals_since())
    rows = list(reversed(series))[:VITALS_TABLE_ROWS]
    _audit(request, access, view="vitals", posts=[str(v.post.uuid) for v in rows])
    return render(
        request,
        "timeline/vitals.html",
        {
            "access": access,
            "resident": access.resident,
            "rows": rows,
            "specs": list(SPECS.values()),
            "days": VITALS_DAYS,
        },
    )


@login_required
@require_GET
def vitals_json(request, resident_uuid):
    """{"vitals": [{"key", "label", "unit", "low", "high", "t": [unix seconds], "v": [values]}]}
    for each vital with at least one value in the last VITALS_DAYS days."""
    access = access_timeline(request.user, resident_uuid)
    series = selectors.vitals_series(access, since=_vitals_since())
    thresholds = thresholds_for_display(access.resident.network.vital_thresholds)
    charts = []
    for key, spec in SPECS.items():
        points = [(v.measured_at, getattr(v, key)) for v in series if getattr(v, key) is not None]
        if not points:
            continue
        charts.append(
            {
                "key": key,
                "label": str(spec.label),
                "unit": spec.unit,
                "low": thresholds.get(key, {}).get("low"),
                "high": thresholds.get(key, {}).get("high"),
                "t": [int(moment.timestamp()) for moment, _ in points],
                "v": [float(value) for _, value in points],
            }
        )
    _audit(request, access, view="vitals.json", count=len(series))
    return JsonResponse({"vitals": charts})


# --- Print (支援経過記録) ---------------------------------------------------------------------


@login_required
@require_GET
def timeline_print(request, resident_uuid):
    access = access_timeline(request.user, resident_uuid)
    form = PeriodForm(request.GET)
    posts, truncated = [], False
    if form.is_valid():
        start, end = form.period()
        posts, truncated = selectors.posts_for_print(access, start, end)
        _audit(
            request,
            access,
            Action.TIMELINE_PRINT,
            start=start.isoformat(),
            end=end.isoformat(),
            posts=[str(p.uuid) for p in posts],
        )
    else:
        start, end = PeriodForm.default_period()
    return render(
        request,
        "timeline/print.html",
        {
            "access": access,
            "resident": access.resident,
            "form": form,
            "posts": posts,
            "truncated": truncated,
            "start": start,
            "end": end,
            "limit": selectors.PRINT_LIMIT,
            "printed_at": timezone.now(),
        },
    )
