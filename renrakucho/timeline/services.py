"""Writes on the timeline: posting, editing and retracting posts.

Each function owns its transaction, writes an audit row, notifies the team
(notifications.services.notify) and nudges open timeline pages after commit
(`resident.<uuid>` ← `{"type": "post.created" | "post.updated", "id": "<post uuid>"}`).

Errors a person can fix are ValidationError with Japanese messages, keyed by field ("kind",
"body", "visited_at", "visibility", "files", "reason", "vitals" or a vital's key such as
"temperature"). File errors keep the code of files.uploads.check_upload ("too_large",
"bad_type", "empty", "name_mismatch", …) and "too_many_files", so the API can answer 413/415.
Nothing is saved when anything is refused.

Clinical history is append-only: an edit keeps the previous content in a PostVersion; a
retraction leaves a marker with the reason and who retracted (the content and files stay
stored, no longer shown or served).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.core.realtime import publish_on_commit
from renrakucho.core.text import fold
from renrakucho.files.attachments import check_files, store_attachment
from renrakucho.files.uploads import CheckedFile
from renrakucho.notifications.models import Kind as NotificationKind
from renrakucho.notifications.services import notify
from renrakucho.residents.access import Permission, ResidentAccess

from . import interactions, selectors
from .access import is_medical
from .models import Attachment, Post, PostKind, PostVersion, Visibility, VitalSigns
from .vitals import abnormal_keys, clean_vitals

# A visit time a few minutes ahead is a clock difference between phones, not the future.
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


# --- Attachments ------------------------------------------------------------------------


def _store_attachments(post: Post, actor, checked: list[CheckedFile]) -> list[Attachment]:
    return [
        store_attachment(Attachment(post=post, resident=post.resident, uploaded_by=actor), file)
        for file in checked
    ]


# --- Validation shared by create and edit ---------------------------------------------------


def _validate(
    *,
    actor,
    kind: str,
    body: str,
    visited_at: datetime.datetime | None,
    vitals: Mapping | None,
    visibility: str,
    has_files: bool = False,
    errors: dict | None = None,
) -> dict[str, Any]:
    """Check a post's content; returns the cleaned vitals or raises ValidationError with every
    problem at once (together with `errors` found by the caller)."""
    errors = dict(errors or {})
    values: dict[str, Any] = {}
    try:
        values = clean_vitals(vitals)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if kind not in PostKind.values:
        errors.setdefault("kind", []).append(_("記事の種類を選択してください。"))
    if visibility not in Visibility.values:
        errors.setdefault("visibility", []).append(_("公開範囲を選択してください。"))
    elif visibility == Visibility.MEDICAL and not is_medical(actor):
        errors.setdefault("visibility", []).append(
            _("「医療・看護職のみ」は、医療・看護職の方だけが選べます。")
        )
    if kind == PostKind.VISIT and visited_at is None:
        errors.setdefault("visited_at", []).append(_("訪問記録には訪問日時を入力してください。"))
    if visited_at is not None:
        if timezone.is_naive(visited_at):
            errors.setdefault("visited_at", []).append(_("訪問日時を正しく入力してください。"))
        elif visited_at > timezone.now() + FUTURE_TOLERANCE:
            errors.setdefault("visited_at", []).append(_("訪問日時に未来の日時は入力できません。"))
    typed_vitals = bool(values) or any(key in errors for key in (*VitalSigns.FIELDS, "vitals"))
    if kind == PostKind.VITALS and not typed_vitals:
        errors.setdefault("vitals", []).append(_("バイタルを1項目以上入力してください。"))
    elif not body.strip() and not typed_vitals and not has_files:
        errors.setdefault("body", []).append(_("本文を入力してください。"))
    if errors:
        raise ValidationError(errors)
    return values


def _vitals_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """Vitals for PostVersion.vitals: decimals as strings so nothing is rounded."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def _save_vitals(post: Post, values: Mapping[str, Any]) -> VitalSigns | None:
    """Create, replace or (when `values` is empty) delete the post's vitals row."""
    existing = VitalSigns.objects.filter(post=post).first()
    if not values:
        if existing is not None:
            existing.delete()
        return None
    row = existing or VitalSigns(post=post, resident=post.resident)
    for key in VitalSigns.FIELDS:
        setattr(row, key, values.get(key))
    row.measured_at = post.visited_at or post.created_at or timezone.now()
    row.abnormal = abnormal_keys(values, post.resident.network.vital_thresholds)
    row.full_clean(exclude=["post", "resident"])
    row.save()
    return row


def _require_details(access: ResidentAccess) -> None:
    # Services trust `access` to be the actor's; without details the timeline is not theirs.
    if not access.can(Permission.VIEW_DETAILS):
        raise PermissionDenied


def _author_network_id(actor, resident) -> int | None:
    networks = actor.active_network_ids()
    if resident.network_id in networks:
        return resident.network_id
    return min(networks) if networks else None


def _post_url(post: Post) -> str:
    return reverse("timeline:post_detail", kwargs={"post_uuid": post.uuid})


def _audit(post: Post, *, actor, action, request=None, **detail) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        network_id=post.resident.network_id,
        target=post,
        resident_uuid=post.resident.uuid,
        detail=detail or None,
    )


def _notify_team(post: Post, *, actor, kind: str, urgent: bool) -> None:
    # A medical-only post is announced only to those who may open it.
    users = selectors.team_recipients(
        post.resident, medical_only=post.visibility == Visibility.MEDICAL
    )
    notify(
        users=users,
        kind=kind,
        url=_post_url(post),
        resident_uuid=post.resident.uuid,
        target_uuid=post.uuid,
        urgent=urgent,
        exclude=actor,
    )


def _push(post: Post, event: str) -> None:
    publish_on_commit(f"resident.{post.resident.uuid}", {"type": event, "id": str(post.uuid)})


# --- Services -----------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    actor,
    access: ResidentAccess,
    kind: str,
    body: str,
    visited_at: datetime.datetime | None = None,
    vitals: Mapping[str, Any] | None = None,
    visibility: str = Visibility.TEAM,
    urgent: bool = False,
    files: Iterable = (),
    request=None,
) -> Post:
    """Post on the resident's timeline as `actor` (an active member of its team).

    Rules: a visit report (visit) needs `visited_at`; a vitals post at least one vital; every
    post some content (body, vitals or a file); `medical` visibility only for medical staff.
    Vitals are checked against plausible ranges (vitals.clean_vitals) and flagged against the
    Network's thresholds. Files: see `files.attachments.check_files`; photos are stored
    re-encoded without metadata, with JPEG previews for photos and PDFs.

    Raises PermissionDenied when `actor` is not on the team (an operator reads only),
    ValidationError as described in the module docstring. Audits POST_CREATE; notifies every
    other team member once (`urgent_post` with urgent=True for an urgent post, otherwise
    `abnormal_vitals` when a value is outside the thresholds, otherwise `new_post`; a medical
    post only to medical members); records and notifies @mentions of team members;
    pushes `post.created`.
    """
    _require_details(access)
    if not access.is_member:
        raise PermissionDenied
    resident = access.resident
    errors: dict[str, list] = {}
    checked: list[CheckedFile] = []
    try:
        checked = check_files(
            files, too_many=_("添付できるファイルは1件の記事につき%(n)d件までです。")
        )
    except ValidationError as error:
        errors.update(error.error_dict)
    values = _validate(
        actor=actor,
        kind=kind,
        body=body or "",
        visited_at=visited_at,
        vitals=vitals,
        visibility=visibility,
        has_files=bool(checked) or bool(errors.get("files")),
        errors=errors,
    )
    body = (body or "").strip()
    post = Post(
        resident=resident,
        author=actor,
        author_network_id=_author_network_id(actor, resident),
        kind=kind,
        body=body,
        visited_at=visited_at,
        visibility=visibility,
        urgent=bool(urgent),
        search_key=fold(body),
    )
    post.full_clean(exclude=["search_key"])
    post.save()
    vital_signs = _save_vitals(post, values)
    attachments = _store_attachments(post, actor, checked)
    abnormal = vital_signs.abnormal if vital_signs else []
    _audit(
        post,
        actor=actor,
        action=Action.POST_CREATE,
        request=request,
        kind=kind,
        visibility=visibility,
        urgent=post.urgent,
        vitals=sorted(values),
        abnormal=abnormal,
        attachments=[str(a.uuid) for a in attachments],
    )
    if post.urgent:
        _notify_team(post, actor=actor, kind=NotificationKind.URGENT_POST, urgent=True)
    elif abnormal:
        _notify_team(post, actor=actor, kind=NotificationKind.ABNORMAL_VITALS, urgent=False)
    else:
        _notify_team(post, actor=actor, kind=NotificationKind.NEW_POST, urgent=False)
    interactions.mentions_for_post(post, actor)
    _push(post, "post.created")
    return post


@transaction.atomic
def post_edit(
    *,
    actor,
    access: ResidentAccess,
    post: Post,
    kind: str = UNCHANGED,
    body: str = UNCHANGED,
    visited_at: datetime.datetime | None = UNCHANGED,
    vitals: Mapping[str, Any] | None = UNCHANGED,
    visibility: str = UNCHANGED,
    urgent: bool = UNCHANGED,
    request=None,
) -> Post:
    """Edit `post` as its author. Arguments left UNCHANGED keep their value (the API's PATCH);
    `vitals={}` removes the vitals.

    The previous content and vitals are kept in a PostVersion (編集履歴); `version` goes up
    and `edited_at` is set. Nothing happens when nothing changed. Same rules as post_create.
    Raises PermissionDenied unless `actor` is the author; ValidationError for a retracted post
    (「取り消された記事は編集できません。」) or bad content. Audits POST_EDIT (the names of the
    changed fields); notifies the team when the edit makes the post urgent (`urgent_post`) or
    adds an abnormal value (`abnormal_vitals`); pushes `post.updated`.
    """
    _require_details(access)
    if post.author_id != actor.pk:
        raise PermissionDenied
    # Re-read under a lock: two edits at once must not write the same version twice.
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.resident = access.resident
    if post.is_retracted:
        raise ValidationError(_("取り消された記事は編集できません。"), code="retracted")
    current_vitals = VitalSigns.objects.filter(post=post).first()
    previous_values = current_vitals.recorded() if current_vitals else {}
    previous_abnormal = set(current_vitals.abnormal) if current_vitals else set()
    new = {
        "kind": post.kind if kind is UNCHANGED else kind,
        "body": post.body if body is UNCHANGED else (body or "").strip(),
        "visited_at": post.visited_at if visited_at is UNCHANGED else visited_at,
        "visibility": post.visibility if visibility is UNCHANGED else visibility,
        "urgent": post.urgent if urgent is UNCHANGED else bool(urgent),
    }
    values = _validate(
        actor=actor,
        kind=new["kind"],
        body=new["body"],
        visited_at=new["visited_at"],
        vitals=previous_values if vitals is UNCHANGED else vitals,
        visibility=new["visibility"],
        has_files=post.attachments.exists(),
    )
    changed = [name for name, value in new.items() if getattr(post, name) != value]
    if values != previous_values:
        changed.append("vitals")
    if not changed:
        return post
    PostVersion.objects.create(
        post=post,
        version=post.version,
        kind=post.kind,
        body=post.body,
        visited_at=post.visited_at,
        visibility=post.visibility,
        urgent=post.urgent,
        vitals=_vitals_json(previous_values),
        edited_by=actor,
    )
    became_urgent = new["urgent"] and not post.urgent
    for name, value in new.items():
        setattr(post, name, value)
    post.version += 1
    post.edited_at = timezone.now()
    post.search_key = fold(post.body)
    post.full_clean(exclude=["search_key"])
    post.save(
        update_fields=[*new, "version", "edited_at", "search_key", "updated_at"],
    )
    vital_signs = _save_vitals(post, values)
    new_abnormal = set(vital_signs.abnormal if vital_signs else []) - previous_abnormal
    _audit(
        post,
        actor=actor,
        action=Action.POST_EDIT,
        request=request,
        version=post.version,
        changed=changed,
        abnormal=sorted(vital_signs.abnormal) if vital_signs else [],
    )
    if became_urgent:
        _notify_team(post, actor=actor, kind=NotificationKind.URGENT_POST, urgent=True)
    elif new_abnormal:
        _notify_team(post, actor=actor, kind=NotificationKind.ABNORMAL_VITALS, urgent=False)
    if "body" in changed:
        interactions.mentions_for_post(post, actor)  # only the newly mentioned are notified
    _push(post, "post.updated")
    return post


@transaction.atomic
def post_retract(*, actor, access: ResidentAccess, post: Post, reason: str, request=None) -> Post:
    """Retract `post` (取り消し) with a reason, as its author, the team's lead or an operator.

    The post stays as a marker 「この記事は取り消されました（理由: …）」; its content, vitals and
    files stay stored but are no longer shown, graphed or served. Raises PermissionDenied for
    anyone else; ValidationError under "reason" when the reason is missing or too long, or
    when the post is already retracted. Audits POST_RETRACT; pushes `post.updated`; notifies
    nobody (the marker replaces the post on every open page).
    """
    _require_details(access)
    if not (post.author_id == actor.pk or access.is_lead or access.is_operator):
        raise PermissionDenied
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.resident = access.resident
    if post.is_retracted:
        raise ValidationError(_("この記事は既に取り消されています。"), code="retracted")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("取り消しの理由を入力してください。")})
    limit = Post._meta.get_field("retraction_reason").max_length
    if len(reason) > limit:
        raise ValidationError(
            {"reason": _("取り消しの理由は%(n)d文字以内で入力してください。") % {"n": limit}}
        )
    post.retracted_at = timezone.now()
    post.retracted_by = actor
    post.retraction_reason = reason
    post.save(update_fields=["retracted_at", "retracted_by", "retraction_reason", "updated_at"])
    _audit(post, actor=actor, action=Action.POST_RETRACT, request=request)
    _push(post, "post.updated")
    return post
