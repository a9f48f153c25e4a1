"""Writes on residents, consents and care teams. Each function owns its transaction and audit row.

Errors a user can fix are raised as ValidationError with Japanese messages (field-keyed where
a field is at fault); the forms and the API show them as they are.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renrakucho.agreements.models import Allows
from renrakucho.agreements.selectors import partner_network_ids
from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.core.text import is_kana, to_katakana
from renrakucho.networks.models import Network, Suspension

from .access import Permission, ResidentAccess
from .models import CareTeamMember, Consent, KeyPerson, Resident, TeamRole

RESIDENT_EDITABLE_FIELDS = (
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "postal_code",
    "address",
    "latitude",
    "longitude",
    "phone",
    "care_level",
    *Resident.FLAG_FIELDS,
    "primary_doctor",
    "primary_doctor_note",
    "note",
)


def _check_kana(fields: dict[str, Any], *names: str) -> None:
    errors = {
        name: _("フリガナはカタカナまたはひらがなで入力してください。")
        for name in names
        if fields.get(name) and not is_kana(fields[name])
    }
    if errors:
        raise ValidationError(errors)
    for name in names:
        if fields.get(name):
            fields[name] = to_katakana(fields[name])


def user_may_act_in(user, network: Network) -> bool:
    """Whether `user` is affiliated with (or operates) `network` and not suspended there."""
    return network.pk in user.active_network_ids()


def _audit(access_or_resident, *, actor, action, request=None, target=None, **kwargs):
    resident = getattr(access_or_resident, "resident", access_or_resident)
    return audit_record(
        action=action,
        actor=actor,
        request=request,
        network_id=resident.network_id,
        target=target if target is not None else resident,
        resident_uuid=resident.uuid,
        **kwargs,
    )


def _build_key_persons(resident: Resident, people: list[dict[str, Any]]) -> list[KeyPerson]:
    """Validated, unsaved KeyPerson rows. Errors are raised under "key_persons" (with the row
    number) so that a form for the resident does not show them on its own fields."""
    built = []
    for number, person in enumerate(people, start=1):
        person = dict(person)
        try:
            _check_kana(person, "name_kana")
            key_person = KeyPerson(resident=resident, **person)
            key_person.full_clean()
        except ValidationError as error:
            messages = [
                _("キーパーソン%(n)d人目: %(m)s") % {"n": number, "m": message}
                for message in error.messages
            ]
            raise ValidationError({"key_persons": messages})
        built.append(key_person)
    return built


@transaction.atomic
def resident_create(
    *,
    actor,
    network: Network,
    fields: dict[str, Any],
    team_role: str | None = None,
    key_persons: list[dict[str, Any]] | None = None,
    request=None,
) -> Resident:
    """Register a resident in `network`, with `key_persons` (dicts of KeyPerson fields) if given.

    An operator of the Network may register without joining; a professional becomes the
    first team member and lead, with `team_role`. Raises ValidationError (field-keyed; key
    person errors under "key_persons") on bad input, PermissionDenied when `actor` may not
    act in `network`. Nothing is saved when anything is refused.
    """
    is_operator = network.pk in actor.operated_network_ids()
    if not (is_operator or user_may_act_in(actor, network)):
        raise PermissionDenied
    fields = dict(fields)
    _check_kana(fields, "name_kana")
    resident = Resident(network=network, created_by=actor, **fields)
    resident.full_clean()
    resident.save()
    if not is_operator or team_role:
        role = team_role or TeamRole.OTHER
        if role not in TeamRole.values:
            raise ValidationError({"team_role": _("役割を選択してください。")})
        CareTeamMember.objects.create(
            resident=resident,
            user=actor,
            role=role,
            is_lead=True,
            status=CareTeamMember.Status.ACTIVE,
            invited_by=actor,
            joined_at=timezone.now(),
        )
    if key_persons:
        KeyPerson.objects.bulk_create(_build_key_persons(resident, key_persons))
    _audit(resident, actor=actor, action=Action.RESIDENT_CREATE, request=request)
    return resident


@transaction.atomic
def resident_update(
    *,
    actor,
    access: ResidentAccess,
    fields: dict[str, Any],
    key_persons: list[dict[str, Any]] | None = None,
    request=None,
) -> Resident:
    """Change a resident's record; only RESIDENT_EDITABLE_FIELDS are accepted. Audited with
    the names (not the values) of the changed fields. With `key_persons` (not None) the key
    persons are replaced too, in the same transaction (see `key_persons_replace`)."""
    if not access.can(Permission.EDIT_RESIDENT):
        raise PermissionDenied
    unknown = set(fields) - set(RESIDENT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("変更できない項目が含まれています: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    fields = dict(fields)
    _check_kana(fields, "name_kana")
    resident = Resident.objects.select_for_update().get(pk=access.resident.pk)
    changed = [name for name, value in fields.items() if getattr(resident, name) != value]
    for name, value in fields.items():
        setattr(resident, name, value)
    resident.full_clean()
    if changed:
        resident.save(update_fields=[*changed, "updated_at"])
        _audit(
            resident,
            actor=actor,
            action=Action.RESIDENT_UPDATE,
            request=request,
            detail={"fields": sorted(changed)},
        )
    if key_persons is not None:
        key_persons_replace(actor=actor, access=access, people=key_persons, request=request)
    return resident


@transaction.atomic
def key_persons_replace(
    *, actor, access: ResidentAccess, people: list[dict[str, Any]], request=None
) -> list[KeyPerson]:
    """Replace the resident's key persons with `people` (the edit form's whole list).

    Key persons are details: replacing them needs a team-sharing consent in force (VIEW_DETAILS)
    as well as EDIT_RESIDENT, since the form shows the current list. Raises ValidationError
    under "key_persons" naming the row at fault."""
    if not (access.can(Permission.EDIT_RESIDENT) and access.can(Permission.VIEW_DETAILS)):
        raise PermissionDenied
    resident = access.resident
    created = _build_key_persons(resident, people)
    resident.key_persons.all().delete()
    KeyPerson.objects.bulk_create(created)
    _audit(
        resident,
        actor=actor,
        action=Action.RESIDENT_UPDATE,
        request=request,
        detail={"fields": ["key_persons"]},
    )
    return created


@transaction.atomic
def consent_record(
    *, actor, access: ResidentAccess, fields: dict[str, Any], form_file=None, request=None
) -> Consent:
    """Record a consent (情報共有同意). `form_file` must already be content-checked
    (renrakucho.files.uploads.check_upload, which also gives it a random name and its
    `content_type`)."""
    if not access.can(Permission.MANAGE_CONSENT):
        raise PermissionDenied
    consent = Consent(resident=access.resident, recorded_by=actor, **fields)
    if form_file is not None:
        consent.form_file = form_file
        consent.form_content_type = getattr(form_file, "content_type", "")
    consent.full_clean()
    consent.save()
    _audit(access, actor=actor, action=Action.CONSENT_CREATE, request=request, target=consent)
    return consent


@transaction.atomic
def consent_revoke(
    *, actor, access: ResidentAccess, consent: Consent, revoked_on, reason: str = "", request=None
) -> Consent:
    if not access.can(Permission.MANAGE_CONSENT):
        raise PermissionDenied
    if consent.resident_id != access.resident.pk:
        raise PermissionDenied
    if consent.revoked_on is not None:
        raise ValidationError({"revoked_on": _("この同意は既に撤回されています。")})
    if revoked_on < consent.consented_on:
        raise ValidationError({"revoked_on": _("撤回日は同意日以降の日付にしてください。")})
    if revoked_on > timezone.localdate():
        raise ValidationError({"revoked_on": _("撤回日に未来の日付は指定できません。")})
    consent.revoked_on = revoked_on
    consent.revocation_reason = reason
    consent.revoked_by = actor
    consent.save(update_fields=["revoked_on", "revocation_reason", "revoked_by", "updated_at"])
    _audit(access, actor=actor, action=Action.CONSENT_REVOKE, request=request, target=consent)
    return consent


@transaction.atomic
def team_invite(
    *, actor, access: ResidentAccess, invitee, role: str, message: str = "", request=None
) -> CareTeamMember:
    """Invite a professional to the team (accept/decline follows): of the resident's Network,
    or of a partner Network (広域連携) when the resident's consent covers cross-Network sharing.

    Raises ValidationError when the invitee is neither, is suspended in the resident's
    Network, or is already on (or invited to) the team.
    """
    if not access.can(Permission.INVITE_MEMBER):
        raise PermissionDenied
    resident = access.resident
    if role not in TeamRole.values:
        raise ValidationError({"role": _("役割を選択してください。")})
    _check_may_join(resident, invitee, has_cross_network_consent=access.has_cross_network_consent)
    if resident.team_members.filter(
        user=invitee, status__in=[CareTeamMember.Status.INVITED, CareTeamMember.Status.ACTIVE]
    ).exists():
        raise ValidationError({"invitee": _("この方は既にチームのメンバーか招待中です。")})
    member = CareTeamMember.objects.create(
        resident=resident, user=invitee, role=role, invited_by=actor, message=message
    )
    _audit(
        access,
        actor=actor,
        action=Action.TEAM_INVITE,
        request=request,
        target=member,
        detail={"invitee": str(invitee.uuid), "role": role},
    )
    return member


NOT_INVITABLE = gettext_lazy(
    "この方は招待できません（このネットワーク、または広域連携協定を結んでいるネットワークの"
    "専門職ではありません）。"
)
NO_CROSS_NETWORK_CONSENT = gettext_lazy(
    "本人の同意（ネットワークをまたぐ共有）がないため、他のネットワークの方は招待できません。"
)


def _check_may_join(resident: Resident, user, *, has_cross_network_consent: bool) -> None:
    """Raise ValidationError (under "invitee") unless `user` may be on `resident`'s team: an
    active professional of the resident's Network, or of a partner Network (an Agreement in
    force allowing care teams, agreements.selectors.partner_network_ids) while the resident's
    consent covers cross-Network sharing. Never while suspended in the resident's Network."""
    if user is None or not user.is_active:
        raise ValidationError({"invitee": NOT_INVITABLE})
    if Suspension.objects.filter(
        network_id=resident.network_id, user=user, lifted_at__isnull=True
    ).exists():
        raise ValidationError({"invitee": _("この利用者は利用停止中のため招待できません。")})
    networks = user.active_network_ids()
    if resident.network_id in networks:
        return
    if not networks & partner_network_ids([resident.network_id], allows=Allows.TEAMS):
        raise ValidationError({"invitee": NOT_INVITABLE})
    if not has_cross_network_consent:
        raise ValidationError({"invitee": NO_CROSS_NETWORK_CONSENT})


def _pending_invitation(*, user, membership_uuid) -> CareTeamMember:
    from django.http import Http404

    member = (
        CareTeamMember.objects.select_for_update()
        .select_related("resident")
        .filter(uuid=membership_uuid, user=user)
        .first()
    )
    if member is None:
        raise Http404
    if member.status != CareTeamMember.Status.INVITED:
        raise ValidationError(_("この招待は既に処理されているか、取り消されています。"))
    return member


@transaction.atomic
def team_invitation_accept(*, actor, membership_uuid, request=None) -> CareTeamMember:
    """The invitee joins the team. Only the invitee can accept (others get 404)."""
    member = _pending_invitation(user=actor, membership_uuid=membership_uuid)
    resident = member.resident
    try:
        _check_may_join(
            resident,
            actor,
            has_cross_network_consent=Consent.objects.in_force()
            .filter(resident=resident, scope_cross_network=True)
            .exists(),
        )
    except ValidationError:
        raise ValidationError(_("このネットワークで現在利用できないため参加できません。"))
    member.status = CareTeamMember.Status.ACTIVE
    member.joined_at = timezone.now()
    has_lead = member.resident.team_members.active().filter(is_lead=True).exists()
    # A team without a lead (e.g. registered by the operator) gets its care manager as lead.
    member.is_lead = not has_lead and member.role == TeamRole.CARE_MANAGER
    member.save(update_fields=["status", "joined_at", "is_lead", "updated_at"])
    _audit(member.resident, actor=actor, action=Action.TEAM_ACCEPT, request=request, target=member)
    return member


@transaction.atomic
def team_invitation_decline(*, actor, membership_uuid, reason: str = "", request=None):
    member = _pending_invitation(user=actor, membership_uuid=membership_uuid)
    member.status = CareTeamMember.Status.DECLINED
    member.ended_at = timezone.now()
    member.ended_by = actor
    member.end_reason = reason
    member.save(update_fields=["status", "ended_at", "ended_by", "end_reason", "updated_at"])
    _audit(member.resident, actor=actor, action=Action.TEAM_DECLINE, request=request, target=member)
    return member


def _end_membership(member: CareTeamMember, *, actor, status, reason: str) -> None:
    member.status = status
    member.ended_at = timezone.now()
    member.ended_by = actor
    member.end_reason = reason
    member.is_lead = False
    member.save(
        update_fields=["status", "ended_at", "ended_by", "end_reason", "is_lead", "updated_at"]
    )


@transaction.atomic
def team_leave(
    *,
    actor,
    access: ResidentAccess,
    successor: CareTeamMember | None = None,
    reason: str = "",
    request=None,
) -> CareTeamMember:
    """`actor` leaves the team. A lead must name an active member as successor when anyone
    else is on the team (ValidationError otherwise)."""
    member = (
        access.resident.team_members.select_for_update()
        .filter(user=actor, status=CareTeamMember.Status.ACTIVE)
        .first()
    )
    if member is None:
        from django.http import Http404

        raise Http404
    others = access.resident.team_members.active().exclude(pk=member.pk)
    successor_ok = successor is not None and others.filter(pk=successor.pk).exists()
    if member.is_lead and others.exists() and not successor_ok:
        raise ValidationError(
            {
                "successor": _(
                    "チームリーダーが退出するには、後任のリーダーをメンバーから指定してください。"
                )
            }
        )
    was_lead = member.is_lead
    _end_membership(member, actor=actor, status=CareTeamMember.Status.LEFT, reason=reason)
    if was_lead and successor_ok:
        successor.is_lead = True
        successor.save(update_fields=["is_lead", "updated_at"])
    _audit(access, actor=actor, action=Action.TEAM_LEAVE, request=request, target=member)
    return member


@transaction.atomic
def team_remove(
    *, actor, access: ResidentAccess, member: CareTeamMember, reason: str = "", request=None
) -> CareTeamMember:
    """The lead or the operator removes a member (or cancels an open invitation)."""
    if not access.can(Permission.REMOVE_MEMBER):
        raise PermissionDenied
    if member.resident_id != access.resident.pk:
        from django.http import Http404

        raise Http404
    if member.user_id == actor.pk:
        raise ValidationError(
            _("ご自身はこの操作では外せません。「チームから退出」を使ってください。")
        )
    if member.status == CareTeamMember.Status.INVITED:
        status = CareTeamMember.Status.CANCELLED
    elif member.status == CareTeamMember.Status.ACTIVE:
        status = CareTeamMember.Status.REMOVED
    else:
        raise ValidationError(_("このメンバーは既にチームにいません。"))
    if member.is_lead and not access.is_operator:
        raise ValidationError(_("チームリーダーは除外できません。"))
    _end_membership(member, actor=actor, status=status, reason=reason)
    _audit(access, actor=actor, action=Action.TEAM_REMOVE, request=request, target=member)
    return member


@transaction.atomic
def team_set_lead(*, actor, access: ResidentAccess, member: CareTeamMember, request=None) -> None:
    """Hand the lead to another active member (the lead or the operator)."""
    if not access.can(Permission.REMOVE_MEMBER):
        raise PermissionDenied
    if member.resident_id != access.resident.pk or member.status != CareTeamMember.Status.ACTIVE:
        raise ValidationError(_("参加中のメンバーを選んでください。"))
    # Two statements in order: the "one active lead" constraint holds after each.
    access.resident.team_members.filter(is_lead=True, status=CareTeamMember.Status.ACTIVE).update(
        is_lead=False
    )
    member.is_lead = True
    member.save(update_fields=["is_lead", "updated_at"])
    _audit(access, actor=actor, action=Action.TEAM_LEAD, request=request, target=member)
