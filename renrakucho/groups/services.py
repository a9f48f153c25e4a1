"""Writes of groups and their membership: creating and editing a group, joining and asking
to join, invitations, approving and rejecting requests, owners, leaving and removing members.
The board's writes (threads, replies, attachments, pin/close, read receipts) are in board.py,
which shares this module's audit and push helpers.

Each function owns its transaction, writes an audit row (Action.GROUP_CREATE, GROUP_UPDATE,
GROUP_JOIN, GROUP_MEMBER, GROUP_LEAVE), notifies (notifications.services.notify) and nudges
open pages after commit (group `group.<uuid>` ← `{"type": "member.changed"}`).

Notifications: a request to join → GROUP_REQUEST to the owners; an invitation →
GROUP_REQUEST to the invitee (the kind reads 「グループへの参加申請があります」; it is the only
kind about joining a group, and the link opens the group's card with the invitation to
answer); an approved request → GROUP_POST to the new member.

Errors a person can fix are ValidationError with Japanese messages keyed by field ("name",
"policy", "occupations", "facility_types", "user", "successor", …) or with a code
("already_member", "already_requested", "not_eligible", "decided", "ended", "last_owner").
PermissionDenied for a write the actor may not do on something they can see; Http404 when
they cannot see it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.accounts.models import Occupation
from renrakucho.agreements.models import Allows
from renrakucho.agreements.selectors import partner_network_ids
from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.core.realtime import publish_on_commit
from renrakucho.facilities.models import FacilityType
from renrakucho.notifications.models import Kind as NotificationKind
from renrakucho.notifications.services import notify

from .access import GroupAccess, is_eligible
from .models import Group, GroupMembership, Policy, Thread

Status = GroupMembership.Status
Role = GroupMembership.Role


def group_channel(group: Group) -> str:
    return f"group.{group.uuid}"


def push_to_group(group: Group, kind: str, thread: Thread | None = None) -> None:
    """Nudge the group's open pages after commit: `{"type": kind, "id": <thread uuid>}`."""
    message = {"type": kind}
    if thread is not None:
        message["id"] = str(thread.uuid)
    publish_on_commit(group_channel(group), message)


def audit_group(group: Group, *, actor, action, request=None, target=None, **detail) -> None:
    """An audit row in the group's Network about `target` (the group by default), its detail
    naming the group."""
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
    audit_group(
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
    open_to_partners: bool | None = None,
    request=None,
) -> Group:
    """Owners change the name, description and policy. Opening a group to everyone stays an
    operator's choice (PermissionDenied).

    `open_to_partners` (None: unchanged) opens the group to the Networks sharing an
    Agreement in force that allows groups with its Network (広域連携), or closes it: only an
    owner who operates the group's Network changes it (PermissionDenied), and opening needs
    such an Agreement (ValidationError under "open_to_partners"). Closing it ends external
    members' access at once (their memberships stay, and count again if it reopens). Audits
    GROUP_UPDATE with the changed fields."""
    if not access.can_manage:
        raise PermissionDenied
    group = Group.objects.select_for_update().get(pk=access.group.pk)
    opening = policy == Policy.OPEN and group.policy != Policy.OPEN
    is_operator = group.network_id in actor.operated_network_ids()
    if opening and not is_operator:
        raise PermissionDenied
    if open_to_partners is None:
        open_to_partners = group.open_to_partners
    open_to_partners = bool(open_to_partners)
    if open_to_partners != group.open_to_partners and not is_operator:
        raise PermissionDenied
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("グループ名を入力してください。"))
    elif Group.objects.filter(network_id=group.network_id, name=name).exclude(pk=group.pk).exists():
        errors.setdefault("name", []).append(_("同じ名前のグループが既にあります。"))
    if policy not in Policy.values:
        errors.setdefault("policy", []).append(_("参加方法を選択してください。"))
    if (
        open_to_partners
        and not group.open_to_partners
        and not partner_network_ids([group.network_id], allows=Allows.GROUPS)
    ):
        errors.setdefault("open_to_partners", []).append(
            _(
                "ネットワークをまたぐグループを認める広域連携協定が結ばれていないため、"
                "他のネットワークに公開できません。"
            )
        )
    if errors:
        raise ValidationError(errors)
    new = {
        "name": name,
        "description": (description or "").strip(),
        "policy": policy,
        "open_to_partners": open_to_partners,
    }
    changed = [key for key, value in new.items() if getattr(group, key) != value]
    if not changed:
        return group
    for key, value in new.items():
        setattr(group, key, value)
    group.full_clean(exclude=["network", "created_by"], validate_unique=False)
    group.save(update_fields=[*new, "updated_at"])
    audit_group(group, actor=actor, action=Action.GROUP_UPDATE, request=request, changed=changed)
    if "open_to_partners" in changed:
        push_to_group(group, "member.changed")
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
    audit_group(
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
        push_to_group(group, "member.changed")
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
    audit_group(
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
        push_to_group(access.group, "member.changed")
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
    audit_group(
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
    audit_group(
        group,
        actor=actor,
        action=Action.GROUP_JOIN if accept else Action.GROUP_MEMBER,
        request=request,
        target=membership,
        status=membership.status,
    )
    if accept:
        push_to_group(group, "member.changed")
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
    audit_group(
        access.group,
        actor=actor,
        action=Action.GROUP_MEMBER,
        request=request,
        target=membership,
        change="remove",
    )
    push_to_group(access.group, "member.changed")
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
    audit_group(
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
    audit_group(
        group,
        actor=actor,
        action=Action.GROUP_LEAVE,
        request=request,
        target=membership,
        successor=str(successor.uuid) if successor is not None else None,
    )
    push_to_group(group, "member.changed")
    return membership
