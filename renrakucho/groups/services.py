"""Writes of groups and boards.

Each function owns its transaction, writes an audit row (Action.GROUP_*, THREAD_*,
REPLY_CREATE), notifies (notifications.services.notify) and nudges open pages after commit
(group `group.<uuid>` ← `{"type": "thread.created" | "thread.updated" | "reply.created" |
"thread.read", "id": "<thread uuid>"}`).

Notifications: a new thread → GROUP_POST to every active member but the author; a reply →
GROUP_POST to the thread's author and earlier repliers (not the replier); a request to join
→ GROUP_REQUEST to the owners; an invitation → GROUP_REQUEST to the invitee (the kind reads
「グループへの参加申請があります」; it is the only kind about joining a group, and the link
opens the group's card with the invitation to answer).

Errors a person can fix are ValidationError with Japanese messages keyed by field ("name",
"title", "body", "files", "user", "successor", …). File errors keep the codes of
files.uploads.check_upload ("too_large", "bad_type", …) and "too_many_files" so the API can
answer 413/415. PermissionDenied for a write the actor may not do on something they can see;
Http404 when they cannot see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.accounts.models import Occupation
from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.core.realtime import publish_on_commit
from renrakucho.core.text import fold
from renrakucho.facilities.models import FacilityType
from renrakucho.files.thumbnails import make_thumbnail
from renrakucho.files.uploads import HEIC, JPEG, MOV, MP4, PDF, PNG, CheckedFile, check_upload
from renrakucho.notifications.models import Kind as NotificationKind
from renrakucho.notifications.services import notify

from .access import GroupAccess, group_access_for, is_eligible
from .models import (
    BoardAttachment,
    Group,
    GroupMembership,
    Policy,
    Reply,
    ReplyRead,
    Thread,
    ThreadRead,
)

Status = GroupMembership.Status
Role = GroupMembership.Role
ATTACHMENT_KINDS = (JPEG, PNG, HEIC, MP4, MOV, PDF)
# Read receipts written by one page view at most (the page shows at most this many posts).
READ_BATCH = 200


def group_channel(group: Group) -> str:
    return f"group.{group.uuid}"


def _push(group: Group, kind: str, thread: Thread | None = None) -> None:
    message = {"type": kind}
    if thread is not None:
        message["id"] = str(thread.uuid)
    publish_on_commit(group_channel(group), message)


def _audit(group: Group, *, actor, action, request=None, target=None, **detail) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        network_id=group.network_id,
        target=target if target is not None else group,
        detail={"group": str(group.uuid), **detail},
    )


def _group_url(group: Group) -> str:
    return reverse("groups:group", kwargs={"group_uuid": group.uuid})


def _thread_url(thread: Thread) -> str:
    return reverse("groups:thread", kwargs={"thread_uuid": thread.uuid})


# --- Attachments ------------------------------------------------------------------------


def _mb(value: float) -> int:
    return int(value * 1024 * 1024)


def check_files(files: Iterable) -> list[CheckedFile]:
    """The timeline's rules: content-checked types, size per kind, at most
    TIMELINE_MAX_FILES. Raises ValidationError under "files" naming each refused file by its
    position (never by its name)."""
    files = list(files)
    if len(files) > settings.TIMELINE_MAX_FILES:
        raise ValidationError(
            {
                "files": ValidationError(
                    _("添付できるファイルは1件の投稿につき%(n)d件までです。")
                    % {"n": settings.TIMELINE_MAX_FILES},
                    code="too_many_files",
                )
            }
        )
    photo = _mb(settings.TIMELINE_MAX_PHOTO_MB)
    video = _mb(settings.TIMELINE_MAX_VIDEO_MB)
    per_kind = {
        JPEG: photo,
        PNG: photo,
        HEIC: photo,
        PDF: _mb(settings.TIMELINE_MAX_PDF_MB),
        MP4: video,
        MOV: video,
    }
    checked, errors = [], []
    for number, upload in enumerate(files, start=1):
        try:
            checked.append(
                check_upload(
                    upload,
                    max_bytes=max(per_kind.values()),
                    kinds=ATTACHMENT_KINDS,
                    limits=per_kind,
                    match_name=True,
                )
            )
        except ValidationError as error:
            errors.append(
                ValidationError(
                    _("%(n)d件目のファイル: %(message)s")
                    % {"n": number, "message": error.messages[0]},
                    code=getattr(error, "code", None) or "invalid",
                )
            )
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _kind_of(content_type: str) -> str:
    if content_type.startswith("image/"):
        return BoardAttachment.Kind.PHOTO
    if content_type.startswith("video/"):
        return BoardAttachment.Kind.VIDEO
    return BoardAttachment.Kind.PDF


def _store(thread: Thread, reply: Reply | None, actor, checked: Sequence[CheckedFile]):
    stored = []
    for file in checked:
        thumbnail = make_thumbnail(file, file.content_type)
        attachment = BoardAttachment(
            group=thread.group,
            thread=thread,
            reply=reply,
            uploaded_by=actor,
            kind=_kind_of(file.content_type),
            content_type=file.content_type,
            size=file.size,
            width=thumbnail.source_width if thumbnail else None,
            height=thumbnail.source_height if thumbnail else None,
        )
        attachment.file.save(file.name, file, save=False)
        if thumbnail is not None:
            attachment.thumbnail.save(thumbnail.file.name, thumbnail.file, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


# --- Groups -------------------------------------------------------------------------------


def _clean_eligibility(occupation_codes, facility_types, errors) -> list[Occupation]:
    codes = sorted(set(occupation_codes or ()))
    occupations = list(Occupation.objects.filter(code__in=codes))
    if len(occupations) != len(codes):
        errors.setdefault("occupations", []).append(_("職種の指定が正しくありません。"))
    if set(facility_types or ()) - set(FacilityType.values):
        errors.setdefault("facility_types", []).append(_("事業所の種別の指定が正しくありません。"))
    return occupations


@transaction.atomic
def group_create(
    *,
    actor,
    network,
    name: str,
    description: str = "",
    policy: str = Policy.REQUEST,
    announcement_only: bool = False,
    occupation_codes: Iterable[str] = (),
    facility_types: Iterable[str] = (),
    request=None,
) -> Group:
    """Create a group in `network`; the actor becomes its first owner.

    Any active user of the Network creates by-request and invitation-only groups; only
    operators of the Network create open or announcement-only ones (PermissionDenied
    otherwise). The creator must be eligible for the group (ValidationError under
    "occupations"), except an operator setting a group up for others (they hand it over by
    inviting an eligible member, making them owner and leaving). Raises Http404-free ValidationError for a bad name, policy, or a name
    already used in the Network. Audits GROUP_CREATE.
    """
    if network.pk not in actor.active_network_ids():
        raise PermissionDenied
    is_operator = network.pk in actor.operated_network_ids()
    if (policy == Policy.OPEN or announcement_only) and not is_operator:
        raise PermissionDenied
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("グループ名を入力してください。"))
    elif Group.objects.filter(network=network, name=name).exists():
        errors.setdefault("name", []).append(_("同じ名前のグループが既にあります。"))
    if policy not in Policy.values:
        errors.setdefault("policy", []).append(_("参加方法を選択してください。"))
    facility_types = sorted(set(facility_types or ()))
    occupations = _clean_eligibility(occupation_codes, facility_types, errors)
    group = Group(
        network=network,
        name=name,
        description=(description or "").strip(),
        policy=policy,
        announcement_only=bool(announcement_only),
        allowed_facility_types=facility_types,
        created_by=actor,
    )
    try:
        group.full_clean(exclude=["network", "created_by"], validate_unique=False)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    group.save()
    group.allowed_occupations.set(occupations)
    # An operator may set up a group for others (a 医師会 by the municipality) without
    # meeting its conditions; anyone else must be able to belong to what they create.
    if not is_operator and not is_eligible(actor, group):
        raise ValidationError(
            {"occupations": _("参加条件にご自身が当てはまらないグループは作成できません。")}
        )
    now = timezone.now()
    GroupMembership.objects.create(
        group=group, user=actor, role=Role.OWNER, status=Status.ACTIVE, joined_at=now
    )
    _audit(
        group,
        actor=actor,
        action=Action.GROUP_CREATE,
        request=request,
        policy=policy,
        announcement_only=group.announcement_only,
        occupations=[o.code for o in occupations],
        facility_types=facility_types,
    )
    return group


@transaction.atomic
def group_update(
    *,
    actor,
    access: GroupAccess,
    name: str,
    description: str,
    policy: str,
    request=None,
) -> Group:
    """Owners change the name, description and policy. Opening a group to everyone stays an
    operator's choice (PermissionDenied). Audits GROUP_UPDATE with the changed fields."""
    if not access.can_manage:
        raise PermissionDenied
    group = Group.objects.select_for_update().get(pk=access.group.pk)
    opening = policy == Policy.OPEN and group.policy != Policy.OPEN
    if opening and group.network_id not in actor.operated_network_ids():
        raise PermissionDenied
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("グループ名を入力してください。"))
    elif Group.objects.filter(network_id=group.network_id, name=name).exclude(pk=group.pk).exists():
        errors.setdefault("name", []).append(_("同じ名前のグループが既にあります。"))
    if policy not in Policy.values:
        errors.setdefault("policy", []).append(_("参加方法を選択してください。"))
    if errors:
        raise ValidationError(errors)
    new = {"name": name, "description": (description or "").strip(), "policy": policy}
    changed = [key for key, value in new.items() if getattr(group, key) != value]
    if not changed:
        return group
    for key, value in new.items():
        setattr(group, key, value)
    group.full_clean(exclude=["network", "created_by"], validate_unique=False)
    group.save(update_fields=[*new, "updated_at"])
    _audit(group, actor=actor, action=Action.GROUP_UPDATE, request=request, changed=changed)
    return group


def _owners(group: Group):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        group_memberships__group=group,
        group_memberships__status=Status.ACTIVE,
        group_memberships__role=Role.OWNER,
        is_active=True,
    )


@transaction.atomic
def group_join(*, actor, access: GroupAccess, request=None) -> GroupMembership:
    """Join an open group (active at once), ask to join a by-request group (owners are
    notified, GROUP_REQUEST), or accept an open invitation. `access` comes from
    access_group(..., board=False). ValidationError when already a member or already asked,
    or when the actor is not eligible; PermissionDenied for an invitation-only group without
    an invitation. Audits GROUP_JOIN (status requested / active)."""
    group = access.group
    membership = access.membership
    if membership is not None and membership.status == Status.INVITED:
        return invitation_respond(actor=actor, membership=membership, accept=True, request=request)
    if membership is not None and membership.status == Status.ACTIVE:
        raise ValidationError(_("既にこのグループに参加しています。"), code="already_member")
    if membership is not None and membership.status == Status.REQUESTED:
        raise ValidationError(_("既に参加を申請しています。"), code="already_requested")
    if group.policy == Policy.INVITATION:
        raise PermissionDenied
    if not is_eligible(actor, group):
        raise ValidationError(
            _("このグループの参加条件（職種・事業所の種別）に当てはまりません。"),
            code="not_eligible",
        )
    now = timezone.now()
    if group.policy == Policy.OPEN:
        membership = GroupMembership(
            group=group, user=actor, status=Status.ACTIVE, joined_at=now, decided_at=now
        )
    else:
        membership = GroupMembership(group=group, user=actor, status=Status.REQUESTED)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ValidationError(_("既に参加または申請しています。"), code="already_requested")
    _audit(
        group,
        actor=actor,
        action=Action.GROUP_JOIN,
        request=request,
        target=membership,
        status=membership.status,
    )
    if membership.status == Status.REQUESTED:
        notify(
            users=list(_owners(group)),
            kind=NotificationKind.GROUP_REQUEST,
            url=reverse("groups:members", kwargs={"group_uuid": group.uuid}),
            target_uuid=group.uuid,
            exclude=actor,
        )
    else:
        _push(group, "member.changed")
    return membership


@transaction.atomic
def request_decide(
    *, actor, access: GroupAccess, membership: GroupMembership, approve: bool, request=None
) -> GroupMembership:
    """An owner approves or rejects a request to join. Eligibility is checked again on
    approval (ValidationError). Audits GROUP_MEMBER (approve / reject)."""
    if not access.can_manage:
        raise PermissionDenied
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.group_id != access.group.pk or membership.status != Status.REQUESTED:
        raise ValidationError(_("この申請は既に処理されています。"), code="decided")
    if approve and not is_eligible(membership.user, access.group):
        raise ValidationError(
            _("申請者はこのグループの参加条件に当てはまらないため承認できません。"),
            code="not_eligible",
        )
    now = timezone.now()
    membership.status = Status.ACTIVE if approve else Status.REJECTED
    membership.decided_by = actor
    membership.decided_at = now
    if approve:
        membership.joined_at = now
    else:
        membership.ended_at = now
    membership.save(
        update_fields=["status", "decided_by", "decided_at", "joined_at", "ended_at", "updated_at"]
    )
    _audit(
        access.group,
        actor=actor,
        action=Action.GROUP_MEMBER,
        request=request,
        target=membership,
        change="approve" if approve else "reject",
    )
    if approve:
        notify(
            users=[membership.user],
            kind=NotificationKind.GROUP_POST,
            url=_group_url(access.group),
            target_uuid=access.group.uuid,
        )
        _push(access.group, "member.changed")
    return membership


@transaction.atomic
def group_invite(*, actor, access: GroupAccess, invitee, request=None) -> GroupMembership:
    """An owner invites an eligible user of the group's Network (any policy). A pending
    request of the invitee is approved instead. ValidationError under "user" when not
    eligible or already a member or invited. The invitee is notified (GROUP_REQUEST).
    Audits GROUP_MEMBER (invite)."""
    if not access.can_manage:
        raise PermissionDenied
    group = access.group
    if invitee is None or not is_eligible(invitee, group):
        raise ValidationError(
            {"user": _("この方はこのグループの参加条件に当てはまらないため招待できません。")}
        )
    existing = (
        GroupMembership.objects.select_for_update()
        .filter(group=group, user=invitee, status__in=GroupMembership.OPEN_STATUSES)
        .first()
    )
    if existing is not None and existing.status == Status.REQUESTED:
        return request_decide(
            actor=actor, access=access, membership=existing, approve=True, request=request
        )
    if existing is not None:
        raise ValidationError({"user": _("この方は既に参加しているか、招待済みです。")})
    membership = GroupMembership.objects.create(
        group=group, user=invitee, status=Status.INVITED, invited_by=actor
    )
    _audit(
        group,
        actor=actor,
        action=Action.GROUP_MEMBER,
        request=request,
        target=membership,
        change="invite",
    )
    notify(
        users=[invitee],
        kind=NotificationKind.GROUP_REQUEST,
        url=_group_url(group),
        target_uuid=group.uuid,
        exclude=actor,
    )
    return membership


@transaction.atomic
def invitation_respond(
    *, actor, membership: GroupMembership, accept: bool, request=None
) -> GroupMembership:
    """The invitee accepts (eligibility checked again) or declines. Audits GROUP_JOIN
    (accept) or GROUP_MEMBER (decline)."""
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.user_id != actor.pk:
        raise PermissionDenied
    if membership.status != Status.INVITED:
        raise ValidationError(_("この招待は既に処理されています。"), code="decided")
    group = membership.group
    now = timezone.now()
    if accept:
        if not is_eligible(actor, group):
            raise ValidationError(
                _("このグループの参加条件（職種・事業所の種別）に当てはまりません。"),
                code="not_eligible",
            )
        membership.status = Status.ACTIVE
        membership.joined_at = now
    else:
        membership.status = Status.DECLINED
        membership.ended_at = now
    membership.decided_at = now
    membership.decided_by = actor
    membership.save(
        update_fields=["status", "joined_at", "ended_at", "decided_at", "decided_by", "updated_at"]
    )
    _audit(
        group,
        actor=actor,
        action=Action.GROUP_JOIN if accept else Action.GROUP_MEMBER,
        request=request,
        target=membership,
        status=membership.status,
    )
    if accept:
        _push(group, "member.changed")
    return membership


def _active_owner_count(group: Group) -> int:
    return GroupMembership.objects.filter(
        group=group, status=Status.ACTIVE, role=Role.OWNER
    ).count()


@transaction.atomic
def member_remove(*, actor, access: GroupAccess, membership: GroupMembership, request=None):
    """An owner removes a member, or cancels an invitation or rejects a request. The last
    owner cannot be removed (ValidationError). History is kept. Audits GROUP_MEMBER."""
    if not access.can_manage:
        raise PermissionDenied
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.group_id != access.group.pk or membership.status not in (
        GroupMembership.OPEN_STATUSES
    ):
        raise ValidationError(_("この方は既にメンバーではありません。"), code="ended")
    if membership.is_owner and _active_owner_count(access.group) <= 1:
        raise ValidationError(_("最後の管理者は外せません。"), code="last_owner")
    membership.status = Status.REMOVED
    membership.ended_at = timezone.now()
    membership.decided_by = actor
    membership.save(update_fields=["status", "ended_at", "decided_by", "updated_at"])
    _audit(
        access.group,
        actor=actor,
        action=Action.GROUP_MEMBER,
        request=request,
        target=membership,
        change="remove",
    )
    _push(access.group, "member.changed")
    return membership


@transaction.atomic
def member_set_role(
    *, actor, access: GroupAccess, membership: GroupMembership, owner: bool, request=None
) -> GroupMembership:
    """An owner makes an active member an owner, or an owner a member again (not the last
    owner). Audits GROUP_MEMBER (owner / member)."""
    if not access.can_manage:
        raise PermissionDenied
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.group_id != access.group.pk or membership.status != Status.ACTIVE:
        raise ValidationError(_("参加中のメンバーではありません。"), code="ended")
    role = Role.OWNER if owner else Role.MEMBER
    if membership.role == role:
        return membership
    if not owner and _active_owner_count(access.group) <= 1:
        raise ValidationError(_("最後の管理者は外せません。"), code="last_owner")
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    _audit(
        access.group,
        actor=actor,
        action=Action.GROUP_MEMBER,
        request=request,
        target=membership,
        change="owner" if owner else "member",
    )
    return membership


@transaction.atomic
def group_leave(
    *, actor, access: GroupAccess, successor: GroupMembership | None = None, request=None
) -> GroupMembership:
    """The actor leaves. The last owner names an active member as `successor` (who becomes
    owner) when anyone else is in the group; ValidationError under "successor" otherwise.
    An invitee or requester leaving withdraws. Audits GROUP_LEAVE."""
    membership = access.membership
    if membership is None:
        raise ValidationError(_("このグループのメンバーではありません。"), code="ended")
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    group = access.group
    if membership.is_owner and _active_owner_count(group) <= 1:
        others = GroupMembership.objects.filter(group=group, status=Status.ACTIVE).exclude(
            pk=membership.pk
        )
        if others.exists():
            if successor is None or not others.filter(pk=successor.pk).exists():
                raise ValidationError(
                    {"successor": _("退出する前に、次の管理者をメンバーから選んでください。")}
                )
            GroupMembership.objects.filter(pk=successor.pk).update(
                role=Role.OWNER, updated_at=timezone.now()
            )
    membership.status = Status.LEFT
    membership.ended_at = timezone.now()
    membership.save(update_fields=["status", "ended_at", "updated_at"])
    _audit(
        group,
        actor=actor,
        action=Action.GROUP_LEAVE,
        request=request,
        target=membership,
        successor=str(successor.uuid) if successor is not None else None,
    )
    _push(group, "member.changed")
    return membership


# --- Threads and replies ------------------------------------------------------------------


def _text_errors(*, title: str | None, body: str, has_files: bool, errors: dict) -> None:
    if title is not None:
        if not title:
            errors.setdefault("title", []).append(_("件名を入力してください。"))
        elif len(title) > Thread._meta.get_field("title").max_length:
            errors.setdefault("title", []).append(
                _("件名は%(n)d文字以内で入力してください。")
                % {"n": Thread._meta.get_field("title").max_length}
            )
    if not body and not has_files and title is None:
        errors.setdefault("body", []).append(_("本文を入力してください。"))
    if len(body) > 20000:
        errors.setdefault("body", []).append(_("本文は20000文字以内で入力してください。"))


@transaction.atomic
def thread_create(*, actor, group: Group, title: str, body: str, files=(), request=None) -> Thread:
    """Start a thread on `group`'s board as `actor`.

    Stable contract (meetings posts minutes through it): Http404 unless the actor is an
    active member acting in the group's Network; PermissionDenied in an announcement-only
    group for a non-owner; ValidationError under "title", "body", "files" (codes of
    check_upload, "too_many_files"). Nothing is saved when anything is refused. Audits
    THREAD_CREATE (with the attachments' UUIDs); notifies every other active member
    (GROUP_POST); pushes `thread.created`.
    """
    access = group_access_for(actor, group)
    if not access.can_post:
        raise PermissionDenied
    title = (title or "").strip()
    body = (body or "").strip()
    errors: dict[str, list] = {}
    checked: list[CheckedFile] = []
    try:
        checked = check_files(files)
    except ValidationError as error:
        errors.update(error.error_dict)
    _text_errors(title=title, body=body, has_files=bool(files), errors=errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    thread = Thread.objects.create(
        group=group,
        author=actor,
        title=title,
        body=body,
        last_activity_at=now,
        search_key=fold(f"{title} {body}"),
    )
    attachments = _store(thread, None, actor, checked)
    _audit(
        group,
        actor=actor,
        action=Action.THREAD_CREATE,
        request=request,
        target=thread,
        attachments=[str(a.uuid) for a in attachments],
    )
    from .selectors import member_users

    notify(
        users=member_users(group),
        kind=NotificationKind.GROUP_POST,
        url=_thread_url(thread),
        target_uuid=thread.uuid,
        exclude=actor,
    )
    _push(group, "thread.created", thread)
    return thread


@transaction.atomic
def reply_create(
    *, actor, access: GroupAccess, thread: Thread, body: str, files=(), request=None
) -> Reply:
    """Reply to `thread` as a member. A closed thread refuses with
    「このスレッドは締め切られているため返信できません。」 (ValidationError code "closed").
    Audits REPLY_CREATE; notifies the thread's author and earlier repliers (GROUP_POST);
    pushes `reply.created` with the thread's UUID."""
    if not access.can_reply or thread.group_id != access.group.pk:
        raise PermissionDenied
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    thread.group = access.group
    if thread.is_closed:
        raise ValidationError(
            _("このスレッドは締め切られているため返信できません。"), code="closed"
        )
    body = (body or "").strip()
    errors: dict[str, list] = {}
    checked: list[CheckedFile] = []
    try:
        checked = check_files(files)
    except ValidationError as error:
        errors.update(error.error_dict)
    _text_errors(title=None, body=body, has_files=bool(files), errors=errors)
    if errors:
        raise ValidationError(errors)
    reply = Reply.objects.create(thread=thread, author=actor, body=body, search_key=fold(body))
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=F("reply_count") + 1, last_activity_at=reply.created_at
    )
    attachments = _store(thread, reply, actor, checked)
    _audit(
        access.group,
        actor=actor,
        action=Action.REPLY_CREATE,
        request=request,
        target=reply,
        thread=str(thread.uuid),
        attachments=[str(a.uuid) for a in attachments],
    )
    from .selectors import thread_participants

    notify(
        users=thread_participants(thread),
        kind=NotificationKind.GROUP_POST,
        url=_thread_url(thread),
        target_uuid=thread.uuid,
        exclude=actor,
    )
    _push(access.group, "reply.created", thread)
    return reply


@transaction.atomic
def thread_set_pinned(*, actor, access: GroupAccess, thread: Thread, pinned: bool, request=None):
    """Owners pin or unpin a thread (pinned threads head the board). Audits THREAD_UPDATE."""
    return _thread_update(actor, access, thread, {"pinned": bool(pinned)}, request)


@transaction.atomic
def thread_set_closed(*, actor, access: GroupAccess, thread: Thread, closed: bool, request=None):
    """Owners (or the thread's author) close a thread — replies are refused from then on — or
    reopen it. Audits THREAD_UPDATE."""
    if not (access.can_manage or thread.author_id == actor.pk):
        raise PermissionDenied
    values = {
        "closed_at": timezone.now() if closed else None,
        "closed_by": actor if closed else None,
    }
    if bool(closed) == thread.is_closed:
        return thread
    return _thread_update(actor, access, thread, values, request, check=False)


def _thread_update(actor, access, thread, values, request, check=True):
    if check and not access.can_manage:
        raise PermissionDenied
    if thread.group_id != access.group.pk:
        raise PermissionDenied
    changed = [key for key, value in values.items() if getattr(thread, key) != value]
    if not changed:
        return thread
    for key, value in values.items():
        setattr(thread, key, value)
    thread.save(update_fields=[*values, "updated_at"])
    _audit(
        access.group,
        actor=actor,
        action=Action.THREAD_UPDATE,
        request=request,
        target=thread,
        changed=changed,
        pinned=thread.pinned,
        closed=thread.is_closed,
    )
    _push(access.group, "thread.updated", thread)
    return thread


# --- Read receipts ------------------------------------------------------------------------


def mark_read(*, user, thread: Thread, replies: Iterable[Reply] = ()) -> int:
    """Record that `user` opened `thread` and saw `replies` (already access-checked; at most
    READ_BATCH of them). Own posts are skipped. Two queries when nothing is new (the receipts
    that exist); otherwise one insert per model more, whatever the number of replies, in a
    savepoint (a concurrent reader's insert is ignored). Pushes `thread.read` once when
    anything was new. Returns how many receipts were written."""
    now = timezone.now()
    written = 0
    with transaction.atomic():
        if (
            thread.author_id != user.pk
            and not ThreadRead.objects.filter(thread=thread, user=user).exists()
        ):
            ThreadRead.objects.bulk_create(
                [ThreadRead(thread=thread, user=user, read_at=now)], ignore_conflicts=True
            )
            written += 1
        candidates = [r.pk for r in list(replies)[:READ_BATCH] if r.author_id != user.pk]
        if candidates:
            existing = set(
                ReplyRead.objects.filter(user=user, reply_id__in=candidates).values_list(
                    "reply_id", flat=True
                )
            )
            new = [pk for pk in candidates if pk not in existing]
            if new:
                ReplyRead.objects.bulk_create(
                    [ReplyRead(reply_id=pk, thread=thread, user=user, read_at=now) for pk in new],
                    ignore_conflicts=True,
                )
                written += len(new)
    if written:
        _push(thread.group, "thread.read", thread)
    return written
