"""Views of what people do with a post: 既読 (read up to here, readers), 了解, comments,
依頼 (add, change state), the post footer fragment, and timeline search.

Thin function views: decorators → access (timeline.access) → form → service
(timeline.interactions) → render. Missing and not-allowed posts are 404 (access_post); a
reader who may not write (an operator) gets 403 on writes. With `HX-Request` a write answers
with the post's footer fragment, otherwise it redirects back to the post (forms work without
JavaScript). Every page showing timeline data writes one audit row.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record

from . import interactions, search
from .access import access_post, access_timeline, visible_posts
from .interaction_forms import (
    CareRequestForm,
    CommentForm,
    RequestStatusForm,
    TimelineSearchForm,
    add_service_errors,
)

FOOTER = "timeline/interactions/_post_footer.html"


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _audit_post_view(request, access, posts, *, view: str, **detail) -> None:
    """One POST_VIEW event per page shown, naming the posts on it (by UUID)."""
    audit_record(
        action=Action.POST_VIEW,
        actor=request.user,
        request=request,
        network_id=access.resident.network_id,
        target=access.resident,
        resident_uuid=access.resident.uuid,
        detail={"view": view, "posts": [str(post.uuid) for post in posts], **detail},
    )


def _timeline_url(resident_uuid) -> str:
    try:
        return reverse("timeline:timeline", kwargs={"resident_uuid": resident_uuid})
    except NoReverseMatch:  # before the timeline page is mounted
        return reverse("residents:detail", kwargs={"resident_uuid": resident_uuid})


def _writer(request, post_uuid):
    """(access, post) for a write on a post: 404 as for reading, 403 for a reader who may
    not write on the timeline (an operator who is not on the team)."""
    access, post = access_post(request.user, post_uuid)
    if not access.can_post:
        raise PermissionDenied
    return access, post


def _render_footer(request, access, post, *, comment_form=None, status_form=None, error=None):
    post = interactions.post_with_interactions(access, post)
    return render(
        request,
        FOOTER,
        {
            "post": post,
            "footer_access": access,
            "comment_form": comment_form,
            "status_form": status_form,
            "footer_error": error,
        },
    )


def _after_write(request, access, post, message: str | None = None):
    if _is_htmx(request):
        return _render_footer(request, access, post)
    if message:
        messages.success(request, message)
    return redirect(interactions.post_url(post))


def _refused(request, access, post, error: ValidationError):
    text = " ".join(error.messages)
    if _is_htmx(request):
        return _render_footer(request, access, post, error=text)
    messages.error(request, text)
    return redirect(interactions.post_url(post))


# --- 既読 ---------------------------------------------------------------------------------


@login_required
@require_POST
def read_up_to(request, resident_uuid):
    """Mark read every visible post up to (and including) the post `up_to`: the timeline
    page sends the newest post it has shown. 204 for htmx, else back to the timeline."""
    access = access_timeline(request.user, resident_uuid)
    up_to_uuid = request.POST.get("up_to", "")
    if not up_to_uuid:
        return HttpResponseBadRequest(_("記事が指定されていません。"))
    up_to = interactions.visible_post(access, up_to_uuid)
    interactions.mark_read_up_to(user=request.user, posts=visible_posts(access), up_to=up_to)
    if _is_htmx(request):
        return HttpResponse(status=204)
    return redirect(_timeline_url(access.resident.uuid))


@login_required
@require_GET
def post_readers(request, post_uuid):
    access, post = access_post(request.user, post_uuid)
    readers = interactions.readers_of(post)
    _audit_post_view(request, access, [post], view="readers")
    context = {"access": access, "post": post, "readers": readers}
    if _is_htmx(request):
        return render(request, "timeline/interactions/readers.html#readers", context)
    return render(request, "timeline/interactions/readers.html", context)


# --- The footer, 了解 -------------------------------------------------------------------------


@login_required
@require_GET
def post_footer(request, post_uuid):
    """The footer fragment of one post: what an open timeline re-fetches after a nudge
    (post.read, post.acked, comment.created, request.changed). Showing it marks the post read."""
    access, post = access_post(request.user, post_uuid)
    interactions.mark_read(user=request.user, posts=[post])
    _audit_post_view(request, access, [post], view="footer")
    return _render_footer(request, access, post)


@login_required
@require_POST
def post_ack(request, post_uuid):
    access, post = _writer(request, post_uuid)
    try:
        interactions.post_acknowledge(actor=request.user, access=access, post=post, request=request)
    except ValidationError as error:
        return _refused(request, access, post, error)
    return _after_write(request, access, post, _("了解しました。"))


# --- Comments ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def post_comments(request, post_uuid):
    """GET: the comments of a post with the form (a page; the footer shows them too).
    POST: add a comment (members only)."""
    access, post = access_post(request.user, post_uuid)
    form = CommentForm()
    if request.method == "POST":
        if not access.can_post:
            raise PermissionDenied
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                interactions.comment_create(
                    actor=request.user,
                    access=access,
                    post=post,
                    body=form.cleaned_data["body"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _after_write(request, access, post, _("コメントしました。"))
        if _is_htmx(request):
            # Errors about the post itself (retracted) are shown above the footer.
            error = " ".join(form.non_field_errors()) or None
            return _render_footer(request, access, post, comment_form=form, error=error)
    comments = interactions.comments_of(post)
    _audit_post_view(request, access, [post], view="comments")
    return render(
        request,
        "timeline/interactions/comments.html",
        {"access": access, "post": post, "comments": comments, "form": form},
        status=422 if form.errors else 200,
    )


# --- 依頼 ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def post_request(request, post_uuid):
    """Add a request (依頼) to an existing post: its author only (403 for other readers)."""
    access, post = _writer(request, post_uuid)
    if post.author_id != request.user.pk:
        raise PermissionDenied
    existing = interactions.request_of(post)
    members = [u for u in interactions.team_users(access) if u.pk != request.user.pk]
    form = CareRequestForm(members=members)
    if request.method == "POST" and existing is None:
        form = CareRequestForm(request.POST, members=members)
        if form.is_valid():
            assignee = None
            if form.cleaned_data["assignee"]:
                assignee = interactions.user_by_uuid(form.cleaned_data["assignee"])
                if assignee is None:
                    form.add_error(
                        "assignee", _("依頼先は支援チームのメンバーから選んでください。")
                    )
            if not form.errors:
                try:
                    interactions.care_request_create(
                        actor=request.user,
                        access=access,
                        post=post,
                        assignee=assignee,
                        occupation=form.cleaned_data["occupation"],
                        due_on=form.cleaned_data["due_on"],
                        http_request=request,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("依頼を追加しました。"))
                    return redirect(interactions.post_url(post))
    _audit_post_view(request, access, [post], view="request")
    return render(
        request,
        "timeline/interactions/request_form.html",
        {"access": access, "post": post, "form": form, "existing": existing},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def request_status(request, post_uuid):
    """依頼 → 受領 → 完了, or 差戻し: only those asked (403 for other readers)."""
    access, post = _writer(request, post_uuid)
    care_request = interactions.request_of(post)
    if care_request is None:
        raise Http404
    form = RequestStatusForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, post, ValidationError(_("依頼の状態が正しくありません。")))
    try:
        interactions.care_request_transition(
            actor=request.user,
            request=care_request,
            to=form.cleaned_data["to"],
            note=form.cleaned_data["note"],
            http_request=request,
        )
    except ValidationError as error:
        return _refused(request, access, post, error)
    label = care_request.get_status_display()
    return _after_write(
        request, access, post, _("依頼を「%(status)s」にしました。") % {"status": label}
    )


# --- Search --------------------------------------------------------------------------------


def _next_query(request, cursor):
    if not cursor:
        return None
    query = request.GET.copy()
    query["before"] = cursor
    return query.urlencode()


@login_required
@require_GET
def search_resident(request, resident_uuid):
    """Search within one resident's timeline (text, kind, author, period)."""
    access = access_timeline(request.user, resident_uuid)
    authors = search.authors_of(access)
    form = TimelineSearchForm(request.GET or None, authors=authors)
    page = None
    if form.is_bound and form.is_valid():
        query = search.SearchQuery.from_form(form.cleaned_data)
        if not query.is_empty:
            page = search.search_resident(access, query, before=request.GET.get("before"))
            _audit_post_view(request, access, page.items, view="search")
    context = {
        "access": access,
        "form": form,
        "page": page,
        "next_query": _next_query(request, page.next_cursor if page else None),
        "timeline_url": _timeline_url(access.resident.uuid),
    }
    if _is_htmx(request):
        return render(request, "timeline/interactions/search.html#results", context)
    return render(request, "timeline/interactions/search.html", context)


@login_required
@require_GET
def search_all(request):
    """Search across my residents (my teams; an operator's Network)."""
    form = TimelineSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        query = search.SearchQuery.from_form(form.cleaned_data)
        page = search.search_my_residents(request.user, query, before=request.GET.get("before"))
        if page.items:
            network_ids = {resident.network_id for resident in page.residents}
            audit_record(
                action=Action.RESIDENT_LIST,
                actor=request.user,
                request=request,
                network_id=network_ids.pop() if len(network_ids) == 1 else None,
                detail={
                    "view": "timeline_search",
                    "residents": [str(resident.uuid) for resident in page.residents],
                    "posts": [str(post.uuid) for post in page.items],
                },
            )
    context = {
        "form": form,
        "page": page,
        "next_query": _next_query(request, page.next_cursor if page else None),
    }
    if _is_htmx(request):
        return render(request, "timeline/interactions/search_all.html#results", context)
    return render(request, "timeline/interactions/search_all.html", context)
