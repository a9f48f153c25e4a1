"""THE chokepoint for resident data: who may see which resident, and how.

A user reaches a resident only as
- an active member of the resident's care team (支援チーム) who may act for that resident:
  active in the resident's Network (an active affiliation or operator role there), or active
  in a partner Network — one sharing an Agreement in force that allows care teams
  (agreements.selectors.partner_networks_of) — while the resident has a consent in force
  covering cross-Network sharing (Consent.scope_cross_network); or
- an active operator of the resident's Network,
and never while suspended in that Network. Anything else (missing, archived, another team,
another Network, an external member whose Agreement ended) raises Http404 — a stranger cannot
tell "forbidden" from "absent".

The membership row is not touched when the member stops qualifying (an affiliation ends, the
Agreement ends, the resident's Network leaves it, the cross-Network consent is revoked): the
membership simply stops counting, at once, for every read that comes through here (pages,
API, timeline files, websockets), and counts again if the condition returns.

Without a consent in force for team sharing, access is limited to the basic card.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from renrakucho.agreements.models import Allows
from renrakucho.agreements.selectors import partner_networks_of
from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.networks.models import Network, OperatorRole, Suspension

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
    # A member acting from a partner Network (広域連携): same team rights as a local member.
    is_external: bool = False
    # A consent in force covering cross-Network sharing (partner Networks may be invited).
    has_cross_network_consent: bool = False

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


# The user's Networks as subqueries, not Python sets: every resident query stays one query
# (no query count of any page grows), and nothing is cached, so a websocket or a long-lived
# object sees an Agreement end, an affiliation end or a suspension at once.


def _suspended_networks(user):
    return Suspension.objects.filter(user=user, lifted_at__isnull=True).values("network_id")


def _operated_networks(user):
    """Networks `user` operates, not suspended there."""
    return (
        OperatorRole.objects.filter(user=user, is_active=True)
        .exclude(network_id__in=_suspended_networks(user))
        .values("network_id")
    )


def acting_networks(user):
    """Networks `user` may act in (= User.active_network_ids(), as a subquery): an active
    affiliation with an approved facility there or an active operator role, not suspended."""
    affiliated = Affiliation.objects.filter(
        user=user, status=Affiliation.Status.ACTIVE, facility__status=Facility.Status.APPROVED
    ).values("facility__network_id")
    operating = OperatorRole.objects.filter(user=user, is_active=True).values("network_id")
    return (
        Network.objects.filter(Q(pk__in=affiliated) | Q(pk__in=operating))
        .exclude(pk__in=_suspended_networks(user))
        .values("pk")
    )


def partner_networks(user):
    """Networks sharing an Agreement in force that allows care teams with a Network `user`
    acts in, both parties accepted (agreements.selectors.partner_networks_of over the user's
    Networks, a subquery), minus any the user is suspended in. May include the user's own."""
    return partner_networks_of(acting_networks(user), allows=Allows.TEAMS).exclude(
        network_id__in=_suspended_networks(user)
    )


def _active_membership(user):
    return CareTeamMember.objects.filter(
        resident=OuterRef("pk"), user=user, status=CareTeamMember.Status.ACTIVE
    )


def cross_network_consent(resident_ref="pk"):
    """Consents in force covering cross-Network sharing of the outer resident."""
    return Consent.objects.in_force().filter(
        resident=OuterRef(resident_ref), scope_cross_network=True
    )


def _local(user) -> Q:
    return Q(network_id__in=acting_networks(user))


def _acting_member(user) -> Q:
    """An active membership that counts: the member acts in the resident's Network, or in a
    partner Network while the resident's cross-Network consent is in force.

    Building these nested subqueries costs more Python time than running them (about 9 ms
    against well under 1 ms of SQL on the dashboard), and a page asks several times: the Q is
    kept on the user object for the day. It holds no result, only the lazy subqueries, which
    Django copies whenever a query uses them, so every query still reads the database as it
    is then (an Agreement ending still stops access at once)."""
    today = timezone.localdate()
    cached = getattr(user, "_acting_member_q", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    external = Q(network_id__in=partner_networks(user)) & Q(Exists(cross_network_consent()))
    built = Q(Exists(_active_membership(user))) & (_local(user) | external)
    user._acting_member_q = (today, built)
    return built


def residents_visible_to(user) -> QuerySet[Resident]:
    """Every resident `user` may reach; the start of every resident-owned query. Lazy."""
    if not user.is_authenticated:
        return Resident.objects.none()
    return Resident.objects.active().filter(
        _acting_member(user) | Q(network_id__in=_operated_networks(user))
    )


def residents_on_my_teams(user) -> QuerySet[Resident]:
    """Residents whose care team `user` is an acting member of (not operator reach), in every
    Network: their own and partner Networks. Lazy."""
    if not user.is_authenticated:
        return Resident.objects.none()
    return Resident.objects.active().filter(_acting_member(user))


def with_network_mark(queryset: QuerySet[Resident], user) -> QuerySet[Resident]:
    """Annotate `in_my_network`: whether the resident's Network is one `user` acts in (False:
    shown as 「他のネットワーク」 with its name). No extra query."""
    return queryset.annotate(in_my_network=ExpressionWrapper(_local(user), BooleanField()))


def access_resident(
    user, resident_uuid: uuid.UUID | str, *, permission: Permission = Permission.VIEW_CARD
) -> ResidentAccess:
    """Resolve `user`'s access to one resident in a single query (membership and whether it
    counts, lead, operator role, team-sharing and cross-Network consent).

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
            _is_local=ExpressionWrapper(_local(user), BooleanField()),
            _is_operator=ExpressionWrapper(
                Q(network_id__in=_operated_networks(user)), BooleanField()
            ),
            _has_consent=Exists(
                Consent.objects.in_force().filter(resident=OuterRef("pk"), scope_team=True)
            ),
            _cross_network=Exists(cross_network_consent()),
        )
        .filter(uuid=resident_uuid)
        .first()
    )
    if resident is None:
        raise Http404
    # The queryset admitted the row; the membership counts only as _acting_member says.
    is_member = resident._is_member and (resident._is_local or resident._cross_network)
    access = ResidentAccess(
        resident=resident,
        is_member=is_member,
        is_lead=is_member and resident._is_lead,
        is_operator=resident._is_operator,
        has_team_consent=resident._has_consent,
        is_external=is_member and not resident._is_local,
        has_cross_network_consent=resident._cross_network,
    )
    if not access.can(permission):
        raise PermissionDenied
    return access
