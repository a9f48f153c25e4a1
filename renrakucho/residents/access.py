"""THE chokepoint for resident data: who may see which resident, and how.

A user reaches a resident only as
- an active member of the resident's care team (支援チーム), or
- an active operator of the resident's Network,
and never while suspended in that Network. Anything else (missing, archived, another team,
another Network) raises Http404 — a stranger cannot tell "forbidden" from "absent".

Without a consent in force for team sharing, access is limited to the basic card.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from renrakucho.networks.models import OperatorRole, Suspension

from .models import CareTeamMember, Consent, Resident


class Permission(enum.Enum):
    VIEW_CARD = "view_card"  # name, kana, age, sex, care level, team
    VIEW_DETAILS = "view_details"  # address, phone, flags, key persons … (needs consent)
    EDIT_RESIDENT = "edit_resident"
    MANAGE_CONSENT = "manage_consent"
    INVITE_MEMBER = "invite_member"
    REMOVE_MEMBER = "remove_member"
    VIEW_ACCESS_HISTORY = "view_access_history"


class Via(enum.Enum):
    TEAM = "team"
    OPERATOR = "operator"


_MEMBER = {
    Permission.VIEW_CARD,
    Permission.VIEW_DETAILS,
    Permission.EDIT_RESIDENT,
    Permission.MANAGE_CONSENT,
    Permission.INVITE_MEMBER,
}
_LEAD = _MEMBER | {Permission.REMOVE_MEMBER}
_OPERATOR = _LEAD | {Permission.VIEW_ACCESS_HISTORY}
# Shown whatever the consent says; everything else needs team-sharing consent in force.
_WITHOUT_CONSENT = {
    Permission.VIEW_CARD,
    Permission.EDIT_RESIDENT,
    Permission.MANAGE_CONSENT,
    Permission.INVITE_MEMBER,
    Permission.REMOVE_MEMBER,
    Permission.VIEW_ACCESS_HISTORY,
}
WRITE_PERMISSIONS = {
    Permission.EDIT_RESIDENT,
    Permission.MANAGE_CONSENT,
    Permission.INVITE_MEMBER,
    Permission.REMOVE_MEMBER,
}


@dataclass(frozen=True)
class ResidentAccess:
    resident: Resident
    is_member: bool
    is_lead: bool
    is_operator: bool
    has_team_consent: bool

    @property
    def via(self) -> Via:
        return Via.TEAM if self.is_member else Via.OPERATOR

    @property
    def permissions(self) -> frozenset[Permission]:
        granted = set()
        if self.is_member:
            granted |= _LEAD if self.is_lead else _MEMBER
        if self.is_operator:
            granted |= _OPERATOR
        if not self.has_team_consent:
            granted &= _WITHOUT_CONSENT
        return frozenset(granted)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


def _active_membership(user):
    return CareTeamMember.objects.filter(
        resident=OuterRef("pk"), user=user, status=CareTeamMember.Status.ACTIVE
    )


def _operator_role(user):
    return OperatorRole.objects.filter(network=OuterRef("network"), user=user, is_active=True)


def _suspension(user):
    return Suspension.objects.filter(network=OuterRef("network"), user=user, lifted_at__isnull=True)


def residents_visible_to(user) -> QuerySet[Resident]:
    """Every resident `user` may reach; the start of every resident-owned query."""
    if not user.is_authenticated:
        return Resident.objects.none()
    return (
        Resident.objects.active()
        .filter(Q(Exists(_active_membership(user))) | Q(Exists(_operator_role(user))))
        .exclude(Exists(_suspension(user)))
    )


def residents_on_my_teams(user) -> QuerySet[Resident]:
    """Residents whose care team `user` is an active member of (not operator reach)."""
    if not user.is_authenticated:
        return Resident.objects.none()
    return (
        Resident.objects.active()
        .filter(Exists(_active_membership(user)))
        .exclude(Exists(_suspension(user)))
    )


def access_resident(
    user, resident_uuid: uuid.UUID | str, *, permission: Permission = Permission.VIEW_CARD
) -> ResidentAccess:
    """Resolve `user`'s access to one resident in a single query.

    Raises Http404 when the resident is missing or not reachable. Raises PermissionDenied
    (403) only when the user may see the resident but lacks `permission` for a write.
    Callers audit the read (audit.services.audit_record) with what they show.
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    try:
        resident_uuid = uuid.UUID(str(resident_uuid))
    except (ValueError, ValidationError):
        raise Http404
    resident = (
        residents_visible_to(user)
        .select_related("network", "primary_doctor")
        .annotate(
            _is_member=Exists(_active_membership(user)),
            _is_lead=Exists(_active_membership(user).filter(is_lead=True)),
            _is_operator=Exists(_operator_role(user)),
            _has_consent=Exists(
                Consent.objects.in_force().filter(resident=OuterRef("pk"), scope_team=True)
            ),
        )
        .filter(uuid=resident_uuid)
        .first()
    )
    if resident is None:
        raise Http404
    access = ResidentAccess(
        resident=resident,
        is_member=resident._is_member,
        is_lead=resident._is_lead,
        is_operator=resident._is_operator,
        has_team_consent=resident._has_consent,
    )
    if not access.can(permission):
        raise PermissionDenied
    return access
