"""Reads for the API, each starting from residents.access (never from a model manager of a
resident-owned model), with the joins the response needs done up front.

Query counts are part of the contract (see api/tests): none of these grows with the number
of rows returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from django.db.models import Count, Prefetch, Q
from django.db.models.query import prefetch_related_objects

from renrakucho.accounts.models import ApiToken, User
from renrakucho.audit.models import AuditEvent
from renrakucho.audit.selectors import AuditFilters, audit_events_in
from renrakucho.core.text import fold
from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.networks.models import Network
from renrakucho.notices.models import NoticeRecipient
from renrakucho.notifications.models import Notification
from renrakucho.residents.access import ResidentAccess, residents_visible_to
from renrakucho.residents.models import (
    CareTeamMember,
    Consent,
    Diagnosis,
    KeyPerson,
    Medication,
    Resident,
)
from renrakucho.timeline.models import Acknowledgement, Post, ReadReceipt

MAX_PAGE = 100


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


# --- residents -------------------------------------------------------------------------
def resident_page(user, *, q: str = "", limit: int, offset: int) -> tuple[list[Resident], int]:
    """One page of the residents `user` may reach, by kana order, optionally searched by name
    or kana (width- and kana-insensitive). Two queries: count, page."""
    qs = residents_visible_to(user)
    key = fold(q)
    if key:
        qs = qs.filter(search_key__contains=key)
    count = qs.count()
    page = list(qs.select_related("network").order_by("name_kana", "id")[offset : offset + limit])
    return page, count


def resident_key_persons(access: ResidentAccess) -> list[KeyPerson]:
    return list(access.resident.key_persons.all())


def team_members(access: ResidentAccess, *, include_ended: bool = False) -> list[CareTeamMember]:
    """Members of the resident's team: open ones (invited, active) unless `include_ended`,
    lead first. One query."""
    qs = access.resident.team_members.select_related("user")
    if not include_ended:
        qs = qs.filter(status__in=[CareTeamMember.Status.INVITED, CareTeamMember.Status.ACTIVE])
    return list(qs.order_by("-is_lead", "created_at", "id"))


def team_member(access: ResidentAccess, membership_id) -> CareTeamMember | None:
    """One membership row of this resident's team by its UUID, or None."""
    membership_uuid = _uuid_or_none(membership_id)
    if membership_uuid is None:
        return None
    return access.resident.team_members.select_related("user").filter(uuid=membership_uuid).first()


def pending_invitations(user) -> list[CareTeamMember]:
    """Open invitations addressed to `user`, for residents of Networks `user` may act in.

    The invitee sees the resident's name and kana before joining, to decide; nothing else."""
    return list(
        user.team_memberships.filter(
            status=CareTeamMember.Status.INVITED,
            resident__archived_at__isnull=True,
            resident__network_id__in=user.active_network_ids(),
        )
        .select_related("resident", "invited_by")
        .order_by("-created_at", "-id")
    )


def consents_of(access: ResidentAccess) -> list[Consent]:
    return list(
        access.resident.consents.select_related("recorded_by").order_by("-consented_on", "-id")
    )


def consent_of(access: ResidentAccess, consent_id) -> Consent | None:
    consent_uuid = _uuid_or_none(consent_id)
    if consent_uuid is None:
        return None
    return access.resident.consents.filter(uuid=consent_uuid).first()


# --- people and Networks ---------------------------------------------------------------
def networks_for_registration(user, ref: str) -> Network | None:
    """The Network named by UUID or slug `ref`, if `user` may register residents in it."""
    qs = Network.objects.filter(pk__in=user.active_network_ids())
    ref_uuid = _uuid_or_none(ref)
    return (qs.filter(uuid=ref_uuid) if ref_uuid else qs.filter(slug=ref)).first()


def network_professional(network_id: int, user_id) -> User | None:
    """A user with an active affiliation to an approved facility of the Network, by UUID."""
    user_uuid = _uuid_or_none(user_id)
    if user_uuid is None:
        return None
    return (
        User.objects.filter(
            uuid=user_uuid,
            is_active=True,
            affiliations__status=Affiliation.Status.ACTIVE,
            affiliations__facility__status=Facility.Status.APPROVED,
            affiliations__facility__network_id=network_id,
        )
        .distinct()
        .first()
    )


def user_by_uuid(user_id) -> User | None:
    user_uuid = _uuid_or_none(user_id)
    return User.objects.filter(uuid=user_uuid).first() if user_uuid else None


def me(user) -> dict:
    """The signed-in user's profile: occupations, facilities, Networks (those the user may
    act in: suspended ones are left out). Seven queries: the three of active_network_ids,
    affiliations (+facility, network), Networks, operator roles, occupations."""
    active_ids = user.active_network_ids()
    affiliations = (
        user.affiliations.filter(
            status=Affiliation.Status.ACTIVE,
            facility__status=Facility.Status.APPROVED,
            facility__network_id__in=active_ids,
        )
        .select_related("facility__network")
        .order_by("facility__network__name", "facility__name")
    )
    networks = list(Network.objects.filter(pk__in=active_ids).order_by("name"))
    operated = set(
        user.operator_roles.filter(is_active=True, network_id__in=active_ids).values_list(
            "network_id", flat=True
        )
    )
    return {
        "id": user.uuid,
        "username": user.username,
        "name": user.name,
        "name_kana": user.name_kana,
        "occupations": list(user.occupations.all()),
        "facilities": [a.facility for a in affiliations],
        "networks": networks,
        "operator_of": [n for n in networks if n.pk in operated],
    }


def my_tokens(user) -> list[ApiToken]:
    """The user's active tokens (accounts.services caps them at MAX_ACTIVE_API_TOKENS)."""
    return list(user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at", "-id"))


def my_token(user, token_id) -> ApiToken | None:
    """One of the user's active tokens by UUID, or None (someone else's is None too)."""
    token_uuid = _uuid_or_none(token_id)
    if token_uuid is None:
        return None
    return user.api_tokens.filter(uuid=token_uuid, revoked_at__isnull=True).first()


# --- audit -----------------------------------------------------------------------------
def audit_entries(
    *,
    network_ids: Collection[int],
    filters: AuditFilters,
    before_hash: str | None = None,
    limit: int,
) -> tuple[list[AuditEvent], str | None] | None:
    """The Networks' log (audit.selectors scope: their events, and Network-less events such
    as logins of their own users) matching `filters`, newest first, keyset-paged by the
    entry's hash. Returns (entries, next cursor), or None when `before_hash` is not an entry
    of this selection. The caller has checked that the user operates these Networks.

    One query (two when paging: the cursor's position)."""
    qs = audit_events_in(network_ids, filters)
    if before_hash:
        before_id = qs.filter(hash=before_hash).values_list("id", flat=True).first()
        if before_id is None:
            return None
        qs = qs.filter(id__lt=before_id)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].hash if more and rows else None)


# --- timeline ------------------------------------------------------------------------------
def with_post_extras(posts: list[Post], user) -> list[Post]:
    """Give each post (already access-checked, e.g. a page of timeline.selectors) what the
    API shows beside its content: `read_count` (readers other than the author), `read_by_me`
    and `ack_list` (acknowledgements, earliest first, with their users). Two queries
    whatever the number of posts (none for no posts)."""
    if not posts:
        return posts
    ids = [post.pk for post in posts]
    counts = {
        row["post_id"]: row
        for row in ReadReceipt.objects.filter(post_id__in=ids)
        .order_by()
        .values("post_id")
        .annotate(n=Count("id"), mine=Count("id", filter=Q(user_id=user.pk)))
    }
    prefetch_related_objects(
        posts,
        Prefetch(
            "acknowledgements",
            queryset=Acknowledgement.objects.select_related("user").order_by(
                "acknowledged_at", "id"
            ),
            to_attr="ack_list",
        ),
    )
    for post in posts:
        row = counts.get(post.pk)
        post.read_count = row["n"] if row else 0
        post.read_by_me = bool(row and row["mine"])
    return posts


def post_vitals(post: Post):
    """The post's vitals row or None; no query when it was joined (select_related)."""
    return getattr(post, "vitals", None)


# --- medication and disease lists --------------------------------------------------------
def clinical_entry_resident(
    model: type[Medication] | type[Diagnosis], entry_id
) -> uuid.UUID | None:
    """The UUID of the resident whose medication/diagnosis `entry_id` is, or None. Only the
    resident's UUID: the caller resolves access with residents.access and reads the entry
    through residents.medication_selectors. One query."""
    entry_uuid = _uuid_or_none(entry_id)
    if entry_uuid is None:
        return None
    return model.objects.filter(uuid=entry_uuid).values_list("resident__uuid", flat=True).first()


# --- notices and notifications -------------------------------------------------------------
def with_notice_attachments(rows: list[NoticeRecipient]) -> list[NoticeRecipient]:
    """Prefetch the attachments of the inbox rows' notices: one query (none for no rows)."""
    prefetch_related_objects([row.notice for row in rows], "attachments")
    return rows


def my_notifications(user, ids: Collection[uuid.UUID]) -> list[Notification]:
    """The user's own notifications among `ids` (others' are left out). One query."""
    return list(Notification.objects.filter(user=user, uuid__in=list(ids)).order_by("id"))
