"""Reads for the resident screens and the API, access-filtered and with their joins done.

Every queryset here starts from `residents.access` (or from a `ResidentAccess` already
resolved), so a selector can never return a resident the user may not reach. Each function
documents how many queries it costs; the page tests pin those numbers at two data sizes.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404

from renrakucho.accounts.models import User
from renrakucho.agreements.models import Allows
from renrakucho.agreements.selectors import partner_network_ids
from renrakucho.audit.models import AuditEvent
from renrakucho.core.text import fold
from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.networks.models import Network, Suspension

from .access import (
    ResidentAccess,
    acting_networks,
    cross_network_consent,
    partner_networks,
    residents_on_my_teams,
    residents_visible_to,
    with_network_mark,
)
from .models import CareLevel, CareTeamMember, Consent, KeyPerson, Resident

PAGE_SIZE = 50


def _parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _my_membership(user):
    return CareTeamMember.objects.filter(
        resident=OuterRef("pk"), user=user, status=CareTeamMember.Status.ACTIVE
    )


def _with_my_role(queryset: QuerySet[Resident], user) -> QuerySet[Resident]:
    """Annotate `my_role` (TeamRole value or None) and `i_am_lead` without extra queries."""
    return queryset.annotate(
        my_role=Subquery(_my_membership(user).values("role")[:1], output_field=CharField()),
        i_am_lead=Exists(_my_membership(user).filter(is_lead=True)),
        has_consent=Exists(
            Consent.objects.in_force().filter(resident=OuterRef("pk"), scope_team=True)
        ),
    )


# --- Residents --------------------------------------------------------------------------


def my_residents(user) -> QuerySet[Resident]:
    """Residents on `user`'s care teams in every Network (their own and partner Networks),
    with `my_role`, `i_am_lead`, `has_consent` and `in_my_network` (False: the resident's
    Network is shown). One query, whatever the number of Networks."""
    return with_network_mark(_with_my_role(residents_on_my_teams(user), user), user).select_related(
        "network"
    )


@dataclass(frozen=True)
class ResidentFilters:
    """Filters of the resident list: care levels (any of), flags (all of), only my teams."""

    care_levels: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    mine: bool = False

    @classmethod
    def from_query(cls, query) -> ResidentFilters:
        """From request.GET (a QueryDict) or a plain dict; unknown values are ignored."""
        getlist = query.getlist if hasattr(query, "getlist") else (lambda k: query.get(k) or [])
        return cls(
            care_levels=tuple(v for v in getlist("care_level") if v in CareLevel.values),
            flags=tuple(v for v in getlist("flag") if v in Resident.FLAG_FIELDS),
            mine=str(query.get("mine", "")) in {"1", "true", "on"},
        )

    @property
    def is_empty(self) -> bool:
        return not (self.care_levels or self.flags or self.mine)


def resident_list(user, q: str = "", filters: ResidentFilters | dict | None = None):
    """Residents visible to `user` (team members: their teams; operators: their Network),
    matching `q` on name/kana (width- and kana-insensitive) and `filters`.

    Ordered by kana then id; annotated like `my_residents`. Lazy: one query when evaluated.
    """
    if isinstance(filters, dict):
        filters = ResidentFilters.from_query(filters)
    filters = filters or ResidentFilters()
    queryset = residents_on_my_teams(user) if filters.mine else residents_visible_to(user)
    key = fold(q or "")
    if key:
        queryset = queryset.filter(search_key__contains=key)
    if filters.care_levels:
        queryset = queryset.filter(care_level__in=filters.care_levels)
    for flag in filters.flags:
        queryset = queryset.filter(**{flag: True})
    return (
        with_network_mark(_with_my_role(queryset, user), user)
        .select_related("network")
        .order_by("name_kana", "id")
    )


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    is_first: bool


def resident_list_page(
    user,
    q: str = "",
    filters: ResidentFilters | dict | None = None,
    *,
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One keyset page of `resident_list`, continuing after the resident with UUID `after`.

    The cursor is the last row's UUID (no integer ids in URLs); its (kana, id) position is read
    in a subquery, so a page is always ONE query whatever the offset.
    """
    queryset = resident_list(user, q, filters)
    after_uuid = _parse_uuid(after) if after else None
    if after_uuid is not None:
        cursor = residents_visible_to(user).filter(uuid=after_uuid)
        kana = Subquery(cursor.values("name_kana")[:1])
        pk = Subquery(cursor.values("id")[:1])
        queryset = queryset.filter(Q(name_kana__gt=kana) | Q(name_kana=kana, id__gt=pk))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(
        items=rows,
        next_cursor=str(rows[-1].uuid) if more else None,
        is_first=after_uuid is None,
    )


def key_persons_of(access: ResidentAccess) -> list[KeyPerson]:
    """Key persons (only call with VIEW_DETAILS). One query."""
    return list(access.resident.key_persons.order_by("id"))


# --- Consent ----------------------------------------------------------------------------


def consents_of(access: ResidentAccess) -> list[Consent]:
    """The resident's consent history, newest first, with recorder/revoker. One query."""
    return list(
        access.resident.consents.select_related("recorded_by", "revoked_by").order_by(
            "-consented_on", "-id"
        )
    )


def consent_of(access: ResidentAccess, consent_uuid) -> Consent:
    """One consent of this resident, or Http404."""
    parsed = _parse_uuid(consent_uuid)
    consent = access.resident.consents.filter(uuid=parsed).first() if parsed else None
    if consent is None:
        raise Http404
    return consent


# --- Care team --------------------------------------------------------------------------


@dataclass
class Team:
    active: list[CareTeamMember] = field(default_factory=list)
    invited: list[CareTeamMember] = field(default_factory=list)
    history: list[CareTeamMember] = field(default_factory=list)

    @property
    def lead(self) -> CareTeamMember | None:
        return next((m for m in self.active if m.is_lead), None)

    def member_for(self, user) -> CareTeamMember | None:
        return next((m for m in self.active if m.user_id == user.pk), None)

    def find(self, member_uuid) -> CareTeamMember | None:
        parsed = _parse_uuid(member_uuid)
        return next((m for m in (*self.active, *self.invited) if parsed and m.uuid == parsed), None)


def team_of(access: ResidentAccess, *, with_history: bool = True) -> Team:
    """The resident's team: active members (lead first), open invitations and (optionally)
    history (left, removed, declined, cancelled; newest first).

    Each member comes with `user.occupations`, `user.network_affiliations` (facilities in the
    resident's Network; for a member of another Network, their facilities there) and
    `external_networks` (names of the member's Networks when none is the resident's: shown
    as 外部). Three queries: members, occupations, affiliations+facilities+Networks.
    """
    statuses = [CareTeamMember.Status.ACTIVE, CareTeamMember.Status.INVITED]
    members = access.resident.team_members.select_related("user", "invited_by", "ended_by")
    if not with_history:
        members = members.filter(status__in=statuses)
    members = members.prefetch_related(
        "user__occupations",
        Prefetch(
            "user__affiliations",
            queryset=Affiliation.objects.filter(
                status=Affiliation.Status.ACTIVE, facility__status=Facility.Status.APPROVED
            )
            .select_related("facility__network")
            .order_by("facility__name"),
            to_attr="active_affiliations",
        ),
    )
    network_id = access.resident.network_id
    team = Team()
    for member in members.order_by("-is_lead", "created_at", "id"):
        affiliations = member.user.active_affiliations
        local = [a for a in affiliations if a.facility.network_id == network_id]
        # A member of a partner Network (外部) is shown with their facilities and Network;
        # a local member with their facilities in the resident's Network only.
        member.user.network_affiliations = local or affiliations
        member.external_networks = (
            [] if local else sorted({a.facility.network.name for a in affiliations})
        )
        if member.status == CareTeamMember.Status.ACTIVE:
            team.active.append(member)
        elif member.status == CareTeamMember.Status.INVITED:
            team.invited.append(member)
        else:
            team.history.append(member)
    team.history.sort(key=lambda m: m.ended_at or m.updated_at, reverse=True)
    return team


def agreement_network_ids(access: ResidentAccess) -> set[int]:
    """The resident's Network and its partner Networks (Agreements in force allowing care
    teams), whatever the consent says. One query."""
    network_id = access.resident.network_id
    return {network_id} | partner_network_ids([network_id], allows=Allows.TEAMS)


def invitable_network_ids(access: ResidentAccess) -> set[int]:
    """Networks whose professionals may be invited to the resident's team: its own, plus the
    partner Networks when the resident's consent covers cross-Network sharing. One query
    (none without that consent)."""
    if not access.has_cross_network_consent:
        return {access.resident.network_id}
    return agreement_network_ids(access)


def _directory_affiliations(network_ids) -> Prefetch:
    return Prefetch(
        "affiliations",
        queryset=Affiliation.objects.filter(
            status=Affiliation.Status.ACTIVE,
            facility__status=Facility.Status.APPROVED,
            facility__network_id__in=list(network_ids),
        )
        .select_related("facility__network")
        .order_by("facility__network__name", "facility__name"),
        to_attr="network_affiliations",
    )


def invitable_professionals(
    access: ResidentAccess,
    q: str = "",
    *,
    occupation: str | None = None,
    facility: str = "",
    limit: int | None = None,
    network_ids: set[int] | None = None,
) -> QuerySet[User]:
    """The directory of professionals `access`'s user may invite: an active affiliation with
    an approved facility of an invitable Network (`invitable_network_ids`), not suspended in
    the resident's Network nor in the Network of that affiliation, active account, not
    already on or invited to the team. Filtered by name/kana (`q`), occupation code and
    facility name (`facility`, width- and kana-insensitive).

    Comes with `occupations` and `network_affiliations` (facility and Network) prefetched:
    three queries, plus one for the partner Networks unless `network_ids` is given.
    """
    resident_network = access.resident.network_id
    if network_ids is None:
        network_ids = invitable_network_ids(access)
    open_membership = CareTeamMember.objects.filter(
        resident=access.resident,
        user=OuterRef("pk"),
        status__in=[CareTeamMember.Status.ACTIVE, CareTeamMember.Status.INVITED],
    )
    affiliated = Affiliation.objects.filter(
        user=OuterRef("pk"),
        status=Affiliation.Status.ACTIVE,
        facility__status=Facility.Status.APPROVED,
        facility__network_id__in=list(network_ids),
    ).exclude(
        Exists(
            Suspension.objects.filter(
                user=OuterRef("user"),
                network=OuterRef("facility__network"),
                lifted_at__isnull=True,
            )
        )
    )
    facility_key = fold(facility or "")
    if facility_key:
        affiliated = affiliated.filter(facility__search_key__contains=facility_key)
    suspended = Suspension.objects.filter(
        user=OuterRef("pk"), network_id=resident_network, lifted_at__isnull=True
    )
    queryset = (
        User.objects.filter(is_active=True)
        .filter(Exists(affiliated))
        .exclude(Exists(suspended))
        .exclude(Exists(open_membership))
    )
    key = fold(q or "")
    if key:
        queryset = queryset.filter(search_key__contains=key)
    if occupation:
        queryset = queryset.filter(occupations__code=occupation)
    queryset = queryset.prefetch_related(
        "occupations", _directory_affiliations(network_ids)
    ).order_by("name_kana", "username")
    return queryset[:limit] if limit else queryset


def registered_doctors(network_ids) -> QuerySet[User]:
    """Doctors and dentists with an active affiliation in one of `network_ids` (the choices
    for a resident's 主治医). One query when evaluated."""
    affiliated = Affiliation.objects.filter(
        user=OuterRef("pk"),
        status=Affiliation.Status.ACTIVE,
        facility__status=Facility.Status.APPROVED,
        facility__network_id__in=list(network_ids),
    )
    return (
        User.objects.filter(is_active=True, occupations__code__in=["doctor", "dentist"])
        .filter(Exists(affiliated))
        .distinct()
        .order_by("name_kana", "username")
    )


def doctor_in_network(doctor: User, network: Network) -> bool:
    return Affiliation.objects.filter(
        user=doctor,
        status=Affiliation.Status.ACTIVE,
        facility__status=Facility.Status.APPROVED,
        facility__network=network,
    ).exists()


def pending_invitations(user) -> QuerySet[CareTeamMember]:
    """Open invitations addressed to `user`, newest first, for residents not archived, in
    Networks `user` may act in now (an active affiliation or operator role there, and no
    suspension) or in a partner Network (広域連携) while the resident's cross-Network consent
    is in force. With resident, network and inviter: one query.

    The invitee is not on the team yet, so only the resident's name and kana are shown.
    """
    if not user.is_authenticated:
        return CareTeamMember.objects.none()
    # The invitee may act for the resident once joined (access.residents_visible_to's rule):
    # the resident's Network is theirs, or a partner one with cross-Network consent.
    external = Q(resident__network_id__in=partner_networks(user)) & Q(
        Exists(cross_network_consent("resident"))
    )
    return (
        CareTeamMember.objects.filter(
            user=user, status=CareTeamMember.Status.INVITED, resident__archived_at__isnull=True
        )
        .filter(Q(resident__network_id__in=acting_networks(user)) | external)
        .select_related("resident", "resident__network", "invited_by")
        .order_by("-created_at", "-id")
    )


# --- Access history (アクセスログ) -----------------------------------------------------------


def access_history_page(
    access: ResidentAccess, *, before: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """This resident's audit events, newest first, with the actor. Keyset by the event's hash
    (no integer ids in URLs), resolved in a subquery: one query per page."""
    events = AuditEvent.objects.filter(resident_uuid=access.resident.uuid).select_related("actor")
    if before:
        events = events.filter(
            id__lt=Subquery(
                AuditEvent.objects.filter(hash=before, resident_uuid=access.resident.uuid).values(
                    "id"
                )[:1]
            )
        )
    rows = list(events.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next_cursor=rows[-1].hash if more else None, is_first=not before)


# --- Teams in other Networks (for the home operator) -----------------------------------------


def teams_elsewhere(user, *, outside: Collection[int]) -> list[dict]:
    """How many care teams `user` is an active member of in each Network not in `outside`
    (the home operator's console: that the user works on teams elsewhere, 広域連携). Counts and
    Network names only — never which residents. One query."""
    return list(
        CareTeamMember.objects.filter(
            user=user, status=CareTeamMember.Status.ACTIVE, resident__archived_at__isnull=True
        )
        .exclude(resident__network_id__in=list(outside))
        .values("resident__network__name")
        .annotate(teams=Count("id"))
        .values("resident__network__name", "teams")
        .order_by("resident__network__name")
    )
