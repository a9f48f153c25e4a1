"""Writes for facilities (事業所) and their staff (所属).

Every function is keyword-only, owns its transaction, validates with `full_clean()` and writes
one audit row. Failures are `ValidationError`s with Japanese messages keyed by field where a
form field is to blame, so a view can put them back on the form.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.accounts.models import Occupation, User
from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.core.text import is_kana, to_katakana
from renrakucho.networks.models import Network, Suspension

from .models import Affiliation, Facility, StaffInvitation

if TYPE_CHECKING:
    from django.http import HttpRequest


FACILITY_FIELDS = (
    "name",
    "name_kana",
    "facility_type",
    "facility_number",
    "postal_code",
    "address",
    "phone",
)


class InvitationUnusable(Exception):
    """The invitation link is unknown, used, revoked or expired (the page answers 410)."""


@dataclass
class NewAccount:
    """A new professional's account, as typed on the application or invitation form."""

    username: str
    password: str
    name: str
    name_kana: str
    email: str = ""
    occupations: list[Occupation] = field(default_factory=list)


def _duplicate_username_error() -> ValidationError:
    return ValidationError({"username": _("このログインIDは既に使われています。")})


def _create_user(account: NewAccount) -> User:
    """Create the user of a NewAccount. Raises ValidationError keyed by field."""
    kana = to_katakana(account.name_kana)
    if not is_kana(kana):
        raise ValidationError(
            {"name_kana": _("氏名（カナ）はカタカナまたはひらがなで入力してください。")}
        )
    if User.objects.filter(username__iexact=account.username).exists():
        raise _duplicate_username_error()
    user = User(
        username=account.username,
        name=account.name.strip(),
        name_kana=kana,
        email=account.email,
    )
    try:
        password_validation.validate_password(account.password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages})
    user.set_password(account.password)
    user.full_clean()
    try:
        # A savepoint, so a concurrent registration of the same ID fails cleanly here.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise _duplicate_username_error()
    user.occupations.set(account.occupations)
    return user


def _suspended(user: User, network: Network) -> bool:
    return Suspension.objects.filter(network=network, user=user, lifted_at__isnull=True).exists()


@transaction.atomic
def facility_apply(
    *,
    network: Network,
    facility: dict,
    applicant: User | None = None,
    account: NewAccount | None = None,
    request: HttpRequest | None = None,
) -> Facility:
    """A facility applies to `network` (事業所の登録申請).

    The applicant becomes the facility's admin, pending with the facility: either the signed-in
    `applicant`, or a new user made from `account`. Creates Facility(pending), the user when
    new, and Affiliation(is_admin, pending) together. Audits FACILITY_APPLY.
    Raises ValidationError (field-keyed) on bad input; nothing is saved then.
    """
    if (applicant is None) == (account is None):
        raise ValueError("give exactly one of applicant or account")
    if not network.is_active:
        raise ValidationError(_("このネットワークは現在、申請を受け付けていません。"))
    if applicant is not None and _suspended(applicant, network):
        raise ValidationError(_("このネットワークでは利用停止中のため、申請できません。"))
    values = {key: facility.get(key, "") for key in FACILITY_FIELDS}
    values["name_kana"] = to_katakana(values["name_kana"])
    if values["name_kana"] and not is_kana(values["name_kana"]):
        raise ValidationError(
            {"name_kana": _("事業所名（カナ）はカタカナまたはひらがなで入力してください。")}
        )
    new_facility = Facility(network=network, status=Facility.Status.PENDING, **values)
    new_facility.full_clean()
    user = applicant if applicant is not None else _create_user(account)
    new_facility.save()
    affiliation = Affiliation(
        user=user, facility=new_facility, is_admin=True, status=Affiliation.Status.PENDING
    )
    affiliation.full_clean()
    affiliation.save()
    audit_record(
        action=Action.FACILITY_APPLY,
        actor=user,
        request=request,
        network_id=network.id,
        target=new_facility,
        detail={"new_user": account is not None},
    )
    return new_facility


def _decide(facility: Facility) -> Facility:
    # Lock the row so two operators deciding at once cannot both succeed.
    locked = Facility.objects.select_for_update().get(pk=facility.pk)
    if locked.status != Facility.Status.PENDING:
        raise ValidationError(_("この事業所の申請は既に処理されています。"))
    return locked


@transaction.atomic
def facility_approve(
    *, actor: User, facility: Facility, request: HttpRequest | None = None
) -> Facility:
    """The operator approves a pending facility; its pending admin affiliations become active,
    so the applicant can log in. The caller has checked that `actor` operates the Network.
    Raises ValidationError when the facility was already decided. Audits FACILITY_APPROVE."""
    facility = _decide(facility)
    now = timezone.now()
    facility.status = Facility.Status.APPROVED
    facility.decided_by = actor
    facility.decided_at = now
    facility.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    activated = facility.affiliations.filter(
        is_admin=True, status=Affiliation.Status.PENDING
    ).update(status=Affiliation.Status.ACTIVE, approved_by=actor, approved_at=now, updated_at=now)
    audit_record(
        action=Action.FACILITY_APPROVE,
        actor=actor,
        request=request,
        network_id=facility.network_id,
        target=facility,
        detail={"admins_activated": activated},
    )
    return facility


@transaction.atomic
def facility_reject(
    *, actor: User, facility: Facility, reason: str, request: HttpRequest | None = None
) -> Facility:
    """The operator rejects a pending facility with a reason; its pending affiliations are
    rejected too. Raises ValidationError (reason missing, already decided).
    Audits FACILITY_REJECT with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("却下の理由を入力してください。")})
    facility = _decide(facility)
    now = timezone.now()
    facility.status = Facility.Status.REJECTED
    facility.decided_by = actor
    facility.decided_at = now
    facility.rejection_reason = reason
    facility.full_clean()
    facility.save(
        update_fields=["status", "decided_by", "decided_at", "rejection_reason", "updated_at"]
    )
    facility.affiliations.filter(status=Affiliation.Status.PENDING).update(
        status=Affiliation.Status.REJECTED, updated_at=now
    )
    audit_record(
        action=Action.FACILITY_REJECT,
        actor=actor,
        request=request,
        network_id=facility.network_id,
        target=facility,
        reason=reason[:300],
    )
    return facility


# --- Staff invitations ------------------------------------------------------------------


@transaction.atomic
def staff_invite(
    *, actor: User, facility: Facility, note: str = "", request: HttpRequest | None = None
) -> tuple[StaffInvitation, str]:
    """Create a one-time invitation link for `facility`. Returns the invitation and the raw
    token, which is stored only hashed and must be shown to the admin once.
    The caller has checked that `actor` administers the facility. Audits STAFF_INVITE."""
    raw = StaffInvitation.new_token()
    invitation = StaffInvitation(
        facility=facility,
        token_hash=StaffInvitation.hash_token(raw),
        note=note.strip(),
        created_by=actor,
        expires_at=timezone.now() + datetime.timedelta(hours=settings.STAFF_INVITATION_TTL_HOURS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        action=Action.STAFF_INVITE,
        actor=actor,
        request=request,
        network_id=facility.network_id,
        target=invitation,
    )
    return invitation, raw


@transaction.atomic
def staff_invitation_revoke(
    *, actor: User, invitation: StaffInvitation, request: HttpRequest | None = None
) -> StaffInvitation:
    """Revoke an unused invitation link. Raises ValidationError when it was already used or
    revoked. Audits STAFF_INVITE with detail {"revoked": true}."""
    invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise ValidationError(_("この招待リンクは既に使用済みか、取り消されています。"))
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = actor
    invitation.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        action=Action.STAFF_INVITE,
        actor=actor,
        request=request,
        network_id=invitation.facility.network_id,
        target=invitation,
        detail={"revoked": True},
    )
    return invitation


def invitation_find(raw_token: str, *, for_update: bool = False) -> StaffInvitation:
    """The usable invitation behind a raw token. Raises InvitationUnusable otherwise (unknown,
    used, revoked, expired, or its facility no longer approved)."""
    queryset = StaffInvitation.objects.select_related("facility__network")
    if for_update:
        queryset = queryset.select_for_update()
    invitation = queryset.filter(token_hash=StaffInvitation.hash_token(raw_token or "")).first()
    if (
        invitation is None
        or not invitation.is_usable
        or invitation.facility.status != Facility.Status.APPROVED
        or not invitation.facility.network.is_active
    ):
        raise InvitationUnusable
    return invitation


def _join(
    *, invitation: StaffInvitation, user: User, new_user: bool, request: HttpRequest | None
) -> Affiliation:
    facility = invitation.facility
    if Affiliation.objects.filter(
        user=user,
        facility=facility,
        status__in=[Affiliation.Status.PENDING, Affiliation.Status.ACTIVE],
    ).exists():
        raise ValidationError(_("既にこの事業所に所属しているか、承認待ちです。"))
    affiliation = Affiliation(user=user, facility=facility, status=Affiliation.Status.PENDING)
    affiliation.full_clean()
    affiliation.save()
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by", "updated_at"])
    audit_record(
        action=Action.STAFF_JOIN,
        actor=user,
        request=request,
        network_id=facility.network_id,
        target=affiliation,
        detail={"invitation": str(invitation.uuid), "new_user": new_user},
    )
    return affiliation


@transaction.atomic
def staff_register(
    *, raw_token: str, account: NewAccount, request: HttpRequest | None = None
) -> Affiliation:
    """A new professional registers through an invitation link: creates the user and a pending
    affiliation, and uses up the link. Raises InvitationUnusable (nothing created) or a
    field-keyed ValidationError. Audits STAFF_JOIN."""
    invitation = invitation_find(raw_token, for_update=True)
    user = _create_user(account)
    return _join(invitation=invitation, user=user, new_user=True, request=request)


@transaction.atomic
def staff_join(*, raw_token: str, user: User, request: HttpRequest | None = None) -> Affiliation:
    """A signed-in professional joins the facility of an invitation link (pending approval).
    Raises InvitationUnusable, or ValidationError when already (applying to be) a member or
    suspended in the facility's Network. Audits STAFF_JOIN."""
    invitation = invitation_find(raw_token, for_update=True)
    if _suspended(user, invitation.facility.network):
        raise ValidationError(_("このネットワークでは利用停止中のため、参加できません。"))
    return _join(invitation=invitation, user=user, new_user=False, request=request)


# --- Staff decisions ----------------------------------------------------------------------


def _lock(affiliation: Affiliation) -> Affiliation:
    return Affiliation.objects.select_for_update().select_related("facility").get(pk=affiliation.pk)


def _has_other_admin(affiliation: Affiliation) -> bool:
    # The facility's admin rows are locked so two admins cannot demote or end each other at
    # once and leave the facility unmanaged.
    others = (
        Affiliation.objects.select_for_update()
        .filter(facility_id=affiliation.facility_id, is_admin=True)
        .filter(status=Affiliation.Status.ACTIVE)
        .exclude(pk=affiliation.pk)
    )
    return bool(list(others))


def _audit_staff(action, *, actor, affiliation: Affiliation, request, detail=None) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        network_id=affiliation.facility.network_id,
        target=affiliation,
        detail=detail,
    )


@transaction.atomic
def staff_approve(
    *, actor: User, affiliation: Affiliation, request: HttpRequest | None = None
) -> Affiliation:
    """A facility admin approves a pending staff member. Raises ValidationError when the
    affiliation is not pending. Audits STAFF_APPROVE."""
    affiliation = _lock(affiliation)
    if affiliation.status != Affiliation.Status.PENDING:
        raise ValidationError(_("この職員は承認待ちではありません。"))
    affiliation.status = Affiliation.Status.ACTIVE
    affiliation.approved_by = actor
    affiliation.approved_at = timezone.now()
    affiliation.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    _audit_staff(Action.STAFF_APPROVE, actor=actor, affiliation=affiliation, request=request)
    return affiliation


@transaction.atomic
def staff_reject(
    *, actor: User, affiliation: Affiliation, request: HttpRequest | None = None
) -> Affiliation:
    """A facility admin rejects a pending staff member. Raises ValidationError when the
    affiliation is not pending. Audits STAFF_REJECT."""
    affiliation = _lock(affiliation)
    if affiliation.status != Affiliation.Status.PENDING:
        raise ValidationError(_("この職員は承認待ちではありません。"))
    affiliation.status = Affiliation.Status.REJECTED
    affiliation.save(update_fields=["status", "updated_at"])
    _audit_staff(Action.STAFF_REJECT, actor=actor, affiliation=affiliation, request=request)
    return affiliation


@transaction.atomic
def affiliation_end(
    *, actor: User, affiliation: Affiliation, request: HttpRequest | None = None
) -> Affiliation:
    """End an active affiliation when someone leaves (所属の終了); the row is kept as history.

    A user with no other active affiliation (and no operator role) can no longer log in.
    Raises ValidationError when it is not active, or when it is the facility's last active
    admin (the facility would be left unmanaged). Audits STAFF_END.
    """
    affiliation = _lock(affiliation)
    if affiliation.status != Affiliation.Status.ACTIVE:
        raise ValidationError(_("この職員は所属中ではありません。"))
    if affiliation.is_admin and not _has_other_admin(affiliation):
        raise ValidationError(
            _(
                "この事業所の管理者はこの方だけのため、所属を終了できません。"
                "先に別の職員を管理者にしてください。"
            )
        )
    affiliation.status = Affiliation.Status.ENDED
    affiliation.ended_at = timezone.now()
    affiliation.ended_by = actor
    affiliation.save(update_fields=["status", "ended_at", "ended_by", "updated_at"])
    _audit_staff(Action.STAFF_END, actor=actor, affiliation=affiliation, request=request)
    return affiliation


@transaction.atomic
def affiliation_set_admin(
    *, actor: User, affiliation: Affiliation, is_admin: bool, request: HttpRequest | None = None
) -> Affiliation:
    """Give or take a facility admin's rights (管理者権限) to an active staff member.

    Raises ValidationError when the affiliation is not active or when it would leave the
    facility without an admin. Audited as STAFF_ROLE with detail {"is_admin": …}.
    """
    affiliation = _lock(affiliation)
    if affiliation.status != Affiliation.Status.ACTIVE:
        raise ValidationError(_("この職員は所属中ではありません。"))
    if affiliation.is_admin == is_admin:
        return affiliation
    if not is_admin and not _has_other_admin(affiliation):
        raise ValidationError(_("管理者が一人もいなくなるため、管理者権限を外せません。"))
    affiliation.is_admin = is_admin
    affiliation.save(update_fields=["is_admin", "updated_at"])
    _audit_staff(
        Action.STAFF_ROLE,
        actor=actor,
        affiliation=affiliation,
        request=request,
        detail={"is_admin": is_admin},
    )
    return affiliation
