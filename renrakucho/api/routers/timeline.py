"""The timeline (タイムライン) as JSON: posts, their attachments, read receipts (既読),
acknowledgements (了解) and comments.

Same rules as the pages (timeline.access): a resident, post or file out of reach is 404 —
also a medical-only post (医療・看護職のみ) for a reader without a medical occupation; a
reader who may not write (an operator who is not on the team) gets 403 on writes. Every read
writes one audit row as the pages do (POST_VIEW naming the posts by UUID; ATTACHMENT_VIEW for
a file). Writes go through timeline.services / timeline.interactions, which audit, notify and
push.

Uploads: 413 when a file is too large, 415 when its type is refused (decided by content:
SVG, HTML, executables, a PDF named .mp4 …), 422 for anything else (a zero-byte file
included: it has no type to refuse, it is an empty value). Nothing is saved on any error.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from renrakucho.api import bodies, selectors
from renrakucho.api.bodies import reason_of
from renrakucho.api.errors import FieldErrors, write_errors
from renrakucho.api.schemas import attachment_out
from renrakucho.api.schemas_timeline import (
    CommentIn,
    CommentOut,
    PostIn,
    PostOut,
    PostPage,
    PostPatchIn,
    ReaderOut,
)
from renrakucho.api.services import audit_api_read
from renrakucho.audit.models import Action
from renrakucho.files.serving import attachment_filename, file_download, open_stored
from renrakucho.timeline import interactions, services
from renrakucho.timeline import selectors as timeline_selectors
from renrakucho.timeline.access import (
    TimelineAccess,
    access_attachment,
    access_post,
    access_timeline,
)
from renrakucho.timeline.models import Post, PostKind, Visibility, VitalSigns

router = Router(tags=["timeline"])

MAX_PAGE = 100
# Where each vital's error is placed in the request: {"vitals": {"temperature": …}}.
VITAL_ERRORS = {key: "vitals" for key in VitalSigns.FIELDS}
OPTIONAL_FORM_FIELDS = ("vitals", "visibility", "urgent", "visited_at")


# --- responses --------------------------------------------------------------------------------
def _author(user) -> dict[str, Any]:
    # occupations are prefetched (timeline.selectors.for_display / post_for_display).
    return {
        "id": user.uuid,
        "username": user.username,
        "name": user.name,
        "name_kana": user.name_kana,
        "occupations": list(user.occupations.all()),
    }


def _vitals(row: VitalSigns | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        **{key: getattr(row, key) for key in VitalSigns.FIELDS},
        "measured_at": row.measured_at,
        "abnormal": list(row.abnormal or []),
    }


def _attachment(attachment) -> dict[str, Any]:
    kwargs = {"attachment_id": attachment.uuid}
    return attachment_out(
        attachment,
        url=reverse("api:attachment_download", kwargs=kwargs),
        thumbnail_url=reverse("api:attachment_thumbnail", kwargs=kwargs),
    )


def _author_network(post: Post, access: TimelineAccess):
    """The Network the author posted from (an external member's: marked on the timeline).
    The resident's own comes with the access (no query); another is joined by for_display."""
    if post.author_network_id is None:
        return None
    if post.author_network_id == access.resident.network_id:
        return access.resident.network
    return post.author_network


def post_out(post: Post, access: TimelineAccess) -> dict[str, Any]:
    """The post as the API shows it. Expects what timeline.selectors.for_display loads
    (author + occupations, author_network, vitals, retracted_by, attachments) and api.selectors
    .with_post_extras (read counts, acknowledgements): no query of its own."""
    retracted = post.is_retracted
    return {
        "id": post.uuid,
        "resident": access.resident.uuid,
        "kind": post.kind,
        "kind_label": str(post.get_kind_display()),
        "body": "" if retracted else post.body,
        "author": _author(post.author),
        "author_network": _author_network(post, access),
        "created_at": post.created_at,
        "visited_at": None if retracted else post.visited_at,
        "visibility": post.visibility,
        "urgent": post.urgent,
        "version": post.version,
        "edited": post.is_edited,
        "edited_at": post.edited_at,
        "retracted": retracted,
        "retraction": (
            {
                "at": post.retracted_at,
                "by": post.retracted_by,
                "reason": post.retraction_reason,
            }
            if retracted
            else None
        ),
        "vitals": None if retracted else _vitals(selectors.post_vitals(post)),
        "attachments": [] if retracted else [_attachment(a) for a in post.attachments.all()],
        "read_count": post.read_count,
        "read_by_me": post.read_by_me,
        "acknowledged_by": [{"user": ack.user, "at": ack.acknowledged_at} for ack in post.ack_list],
        "comment_count": post.comment_count,
    }


def _reloaded(request, access: TimelineAccess, post: Post) -> dict[str, Any]:
    """`post` after a write, with what the response shows: the author's occupations and the
    attachments (two queries), the vitals when not joined (one), read counts and
    acknowledgements (two)."""
    timeline_selectors.post_for_display(post)
    selectors.with_post_extras([post], request.user)
    return post_out(post, access)


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    # A time without an offset is a time in Japan, as everywhere in this service.
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def _vitals_values(vitals) -> dict[str, Any]:
    return {} if vitals is None else vitals.model_dump(exclude_none=True)


def _writer(request, post_id: str) -> tuple[TimelineAccess, Post]:
    """(access, post) for a write by a team member: 404 as for reading, 403 for a reader who
    may not write on the timeline (an operator who is not on the team)."""
    access, post = access_post(request.user, post_id)
    if not access.can_post:
        raise PermissionDenied
    return access, post


def _audit_posts(request, access: TimelineAccess, posts, *, view: str, target=None, **detail):
    audit_api_read(
        request,
        action=Action.POST_VIEW,
        resident=access.resident,
        target=target,
        detail={"view": view, "posts": [str(post.uuid) for post in posts], **detail},
    )


# --- posts ----------------------------------------------------------------------------------------
_POST_BODY_DOC = bodies.upload_body_doc(
    bodies.json_schema(PostIn),
    {
        "kind": {"type": "string", "enum": list(PostKind.values)},
        "body": {"type": "string"},
        "vitals": {"type": "string", "description": "VitalsIn の JSON 文字列"},
        "visibility": {"type": "string", "enum": list(Visibility.values)},
        "urgent": {"type": "boolean"},
        "visited_at": {"type": "string", "format": "date-time"},
    },
    required=["kind"],
)


@router.get(
    "/residents/{resident_id}/posts", response=PostPage, summary="タイムライン（記事の一覧）"
)
def post_list(
    request,
    resident_id: str,
    cursor: Annotated[
        uuid.UUID | None,
        Query(description="前のページの next_cursor（この記事より古い記事から）"),
    ] = None,
    limit: int = Query(timeline_selectors.PAGE_SIZE, ge=1, le=MAX_PAGE),
):
    """The resident's posts the caller may see, newest first (retracted ones as markers),
    as keyset pages. Audited (POST_VIEW naming the posts)."""
    access = access_timeline(request.user, resident_id)
    before = str(cursor) if cursor else None
    page = timeline_selectors.timeline_page(access, before=before, size=limit)
    selectors.with_post_extras(page.items, request.user)
    _audit_posts(request, access, page.items, view="timeline")
    return {
        "items": [post_out(post, access) for post in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/residents/{resident_id}/posts",
    response={201: PostOut},
    summary="記事の投稿",
    openapi_extra=_POST_BODY_DOC,
)
def post_create(request, resident_id: str):
    """Post on the resident's timeline (team members; 403 for an operator who only reads).
    JSON, or multipart form data with the files as repeated `files` parts (at most 10;
    photos JPEG/PNG/HEIC up to 20 MB, stored without location and device metadata; videos
    MP4/MOV up to 200 MB; PDF up to 20 MB — limits set by the server). 413/415/422 as the
    module says; nothing is saved then."""
    access = access_timeline(request.user, resident_id)
    if not access.can_post:
        raise PermissionDenied
    data, files = bodies.form_input(request, optional=OPTIONAL_FORM_FIELDS, json_fields=["vitals"])
    payload = bodies.validated(PostIn, data)
    with write_errors(nested=VITAL_ERRORS):
        post = services.post_create(
            actor=request.user,
            access=access,
            kind=payload.kind.value,
            body=payload.body,
            visited_at=_aware(payload.visited_at),
            vitals=_vitals_values(payload.vitals),
            visibility=payload.visibility.value,
            urgent=payload.urgent,
            files=files,
            request=request,
        )
    return Status(201, _reloaded(request, access, post))


@router.get("/posts/{post_id}", response=PostOut, summary="記事")
def post_detail(request, post_id: str):
    """One post. Audited (POST_VIEW). Reading it here does not mark it read: clients call
    POST /posts/{id}/read when the person has seen it."""
    access, post = access_post(request.user, post_id)
    timeline_selectors.post_for_display(post)
    selectors.with_post_extras([post], request.user)
    _audit_posts(request, access, [post], view="post", target=post)
    return post_out(post, access)


@router.patch("/posts/{post_id}", response=PostOut, summary="記事の編集")
def post_change(request, post_id: str, payload: PostPatchIn):
    """Change the fields sent (the author only: 403 otherwise). The previous content is kept
    as a version and `version` goes up. 409 for a retracted post; 422 for bad values."""
    access, post = access_post(request.user, post_id)
    if post.author_id != request.user.pk:
        raise PermissionDenied
    sent = payload.model_dump(exclude_unset=True)
    missing = [
        name for name in ("kind", "visibility", "urgent") if name in sent and sent[name] is None
    ]
    if missing:
        raise FieldErrors(
            [
                {"loc": ["body", name], "msg": _("この項目は必須です。"), "type": "missing"}
                for name in missing
            ]
        )
    changes: dict[str, Any] = {}
    if "kind" in sent:
        changes["kind"] = payload.kind.value
    if "visibility" in sent:
        changes["visibility"] = payload.visibility.value
    if "urgent" in sent:
        changes["urgent"] = payload.urgent
    if "body" in sent:
        changes["body"] = payload.body or ""
    if "visited_at" in sent:
        changes["visited_at"] = _aware(payload.visited_at)
    if "vitals" in sent:
        changes["vitals"] = _vitals_values(payload.vitals)
    with write_errors(nested=VITAL_ERRORS):
        post = services.post_edit(
            actor=request.user, access=access, post=post, request=request, **changes
        )
    return _reloaded(request, access, post)


@router.delete("/posts/{post_id}", response=PostOut, summary="記事の取り消し")
def post_delete(request, post_id: str):
    """Retract the post (取り消し) with a reason — `{"reason": "…"}` in the body or
    `?reason=` — as its author, the team's lead or an operator (403 otherwise). The post
    stays as a marker; its content and files are no longer shown or served. 409 when it is
    already retracted."""
    access, post = access_post(request.user, post_id, for_write=True)
    reason = reason_of(request)
    with write_errors():
        post = services.post_retract(
            actor=request.user, access=access, post=post, reason=reason, request=request
        )
    return _reloaded(request, access, post)


# --- read receipts, acknowledgements ------------------------------------------------------------
@router.post("/posts/{post_id}/read", response={204: None}, summary="既読にする")
def post_read(request, post_id: str):
    """Mark the post read by the caller (既読). Idempotent; nothing is recorded for one's own
    or a retracted post."""
    _, post = access_post(request.user, post_id)
    interactions.mark_read(user=request.user, posts=[post])
    return Status(204, None)


@router.get("/posts/{post_id}/readers", response=list[ReaderOut], summary="既読の一覧")
def post_readers(request, post_id: str):
    """Who has read the post and when, earliest first. Audited (POST_VIEW)."""
    access, post = access_post(request.user, post_id)
    readers = interactions.readers_of(post)
    _audit_posts(request, access, [post], view="readers", target=post)
    return [{"user": _author(receipt.user), "read_at": receipt.read_at} for receipt in readers]


@router.post("/posts/{post_id}/ack", response=PostOut, summary="了解する")
def post_ack(request, post_id: str):
    """了解: the caller has acted on the post (team members; 403 for an operator who only
    reads). Idempotent. 422 for one's own post; 409 for a retracted one."""
    access, post = _writer(request, post_id)
    with write_errors():
        _refuse_retracted(post)
        interactions.post_acknowledge(actor=request.user, access=access, post=post, request=request)
    return _reloaded(request, access, post)


def _refuse_retracted(post: Post) -> None:
    # The services refuse it too; checked here first so that the answer is a 409 (the post
    # moved on), not a 422.
    if post.is_retracted:
        raise ValidationError(_("取り消された記事には操作できません。"), code="retracted")


# --- comments -------------------------------------------------------------------------------------
def _comment(comment, post: Post) -> dict[str, Any]:
    return {
        "id": comment.uuid,
        "post": post.uuid,
        "author": comment.author,
        "body": comment.body,
        "created_at": comment.created_at,
    }


@router.get("/posts/{post_id}/comments", response=list[CommentOut], summary="コメントの一覧")
def comment_list(request, post_id: str):
    """The post's comments, oldest first. Audited (POST_VIEW)."""
    access, post = access_post(request.user, post_id)
    comments = interactions.comments_of(post)
    _audit_posts(request, access, [post], view="comments", target=post)
    return [_comment(comment, post) for comment in comments]


@router.post("/posts/{post_id}/comments", response={201: CommentOut}, summary="コメントする")
def comment_add(request, post_id: str, payload: CommentIn):
    """A comment (返信) on the post (team members; 403 for an operator who only reads).
    `@ログインID` mentions a team member, who is notified. 409 for a retracted post."""
    access, post = _writer(request, post_id)
    with write_errors():
        _refuse_retracted(post)
        comment = interactions.comment_create(
            actor=request.user, access=access, post=post, body=payload.body, request=request
        )
    return Status(201, _comment(comment, post))


# --- attachments ----------------------------------------------------------------------------------
@router.get(
    "/attachments/{attachment_id}",
    url_name="attachment_download",
    summary="添付ファイル",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "ファイル本体（Content-Disposition: attachment）",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def attachment_download(request, attachment_id: str):
    """The file as stored (photos re-encoded without metadata), always as a download with
    its content-checked type and `nosniff`. 404 when the post is out of reach or retracted.
    Audited (ATTACHMENT_VIEW)."""
    access, found = access_attachment(request.user, attachment_id)
    open_stored(found.file)
    audit_api_read(
        request,
        action=Action.ATTACHMENT_VIEW,
        resident=access.resident,
        target=found,
        detail={"post": str(found.post.uuid)},
    )
    return file_download(
        found.file, content_type=found.content_type, filename=attachment_filename(found)
    )


@router.get(
    "/attachments/{attachment_id}/thumbnail",
    url_name="attachment_thumbnail",
    summary="添付ファイルのプレビュー",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "JPEGのプレビュー",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def attachment_thumbnail(request, attachment_id: str):
    """The JPEG preview made by the server (never the upload itself), for a photo or the
    first page of a PDF; 404 when there is none. Not audited, as on the pages (the post that
    shows it was)."""
    _, found = access_attachment(request.user, attachment_id)
    return file_download(found.thumbnail, content_type="image/jpeg", inline=True)
