"""Reads of the meeting screens, the API and the calendar feed. Every list starts from
`access.meetings_visible_to(user)`; one meeting is reached through `access.access_meeting`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from renrakucho.accounts.models import User
from renrakucho.networks.models import Network, OperatorRole, Suspension
from renrakucho.residents.access import residents_on_my_teams
from renrakucho.residents.models import CareTeamMember

from .access import meetings_visible_to, parse_uuid
from .groups_bridge import groups_to_meet
from .models import (
    FollowUp,
    Meeting,
    MeetingAttachment,
    MeetingInvitation,
    MeetingSettings,
    Minutes,
    Provider,
)

PAGE_SIZE = 30
FEED_PAST_DAYS = 90
FEED_LIMIT = 500


@dataclass
class MeetingPage:
    items: list[Meeting]
    next_cursor: str | None
    when: str


def _today_start() -> datetime.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def _with_list_fields(queryset: QuerySet[Meeting], user) -> QuerySet[Meeting]:
    mine = MeetingInvitation.objects.filter(meeting=OuterRef("pk"), user=user)
    return queryset.select_related("network", "organizer", "resident", "group").annotate(
        my_response=Subquery(mine.values("response")[:1]),
        invitee_count=Count("invitations", distinct=True),
        attend_count=Count(
            "invitations",
            filter=Q(invitations__response=MeetingInvitation.Response.ATTEND),
            distinct=True,
        ),
        has_minutes=Exists(Minutes.objects.filter(meeting=OuterRef("pk"))),
    )


def meeting_page(user, *, when: str = "upcoming", cursor: str | None = None) -> MeetingPage:
    """The user's meetings: `upcoming` (from the start of today, soonest first) or `past`
    (newest first), PAGE_SIZE at a time after `cursor` (a meeting UUID of the previous page).
    Three queries (the user's Networks, the cursor's row, the page with its counts)."""
    when = "past" if when == "past" else "upcoming"
    start = _today_start()
    queryset = meetings_visible_to(user)
    if when == "upcoming":
        queryset = queryset.filter(starts_at__gte=start).order_by("starts_at", "id")
    else:
        queryset = queryset.filter(starts_at__lt=start).order_by("-starts_at", "-id")
    if cursor:
        anchor = Meeting.objects.filter(uuid=parse_uuid(cursor)).values("starts_at", "id").first()
        if anchor is not None:
            at, pk = anchor["starts_at"], anchor["id"]
            if when == "upcoming":
                queryset = queryset.filter(Q(starts_at__gt=at) | Q(starts_at=at, id__gt=pk))
            else:
                queryset = queryset.filter(Q(starts_at__lt=at) | Q(starts_at=at, id__lt=pk))
    rows = list(_with_list_fields(queryset, user)[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return MeetingPage(items=rows, next_cursor=str(rows[-1].uuid) if more else None, when=when)


def invitations_of(meeting: Meeting) -> list[MeetingInvitation]:
    """Every invitation with its user and the user's occupations, organizer first then by
    kana. Two queries."""
    rows = list(
        MeetingInvitation.objects.filter(meeting=meeting)
        .select_related("user")
        .prefetch_related("user__occupations")
        .order_by("user__name_kana", "user_id")
    )
    rows.sort(key=lambda row: row.user_id != meeting.organizer_id)
    return rows


def attachments_of(meeting: Meeting) -> list[MeetingAttachment]:
    return list(MeetingAttachment.objects.filter(meeting=meeting).order_by("id"))


def minutes_of(meeting: Meeting) -> Minutes | None:
    """The minutes with their writer, follow-ups and the follow-ups' assignees (two queries),
    or None. Also cached on the meeting for `MeetingAccess.can_write_minutes`."""
    minutes = (
        Minutes.objects.filter(meeting=meeting)
        .select_related("written_by", "shared_post")
        .prefetch_related(
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("assignee"))
        )
        .first()
    )
    meeting._minutes_cache = minutes
    return minutes


def feed_events(user) -> list[tuple[Meeting, bool]]:
    """(meeting, declined) for the user's calendar feed: meetings of the last FEED_PAST_DAYS
    and every later one (cancelled ones too, marked so), at most FEED_LIMIT. One query."""
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    mine = MeetingInvitation.objects.filter(meeting=OuterRef("pk"), user=user)
    rows = (
        meetings_visible_to(user)
        .filter(starts_at__gte=since)
        .annotate(my_response=Subquery(mine.values("response")[:1]))
        .order_by("starts_at", "id")[:FEED_LIMIT]
    )
    return [(row, row.my_response == MeetingInvitation.Response.DECLINE) for row in rows]


# --- Who may be invited ------------------------------------------------------------------------


def team_user_queryset(resident) -> QuerySet[User]:
    """Active accounts on the resident's team, by kana."""
    return (
        User.objects.filter(
            is_active=True,
            team_memberships__resident=resident,
            team_memberships__status=CareTeamMember.Status.ACTIVE,
        )
        .distinct()
        .order_by("name_kana", "id")
    )


def team_users(resident) -> list[User]:
    """Active accounts on the resident's team, by kana. One query."""
    return list(team_user_queryset(resident))


def invitee_users(meeting: Meeting) -> QuerySet[User]:
    """The meeting's invitees (the choices of a follow-up request), by kana."""
    return User.objects.filter(meeting_invitations__meeting=meeting).order_by("name_kana", "id")


def network_users(network_id: int) -> QuerySet[User]:
    """Active accounts acting in the Network: an active affiliation with an approved facility
    there, or an operator role; not suspended there."""
    affiliated = Q(
        affiliations__status="active",
        affiliations__facility__status="approved",
        affiliations__facility__network_id=network_id,
    )
    operator = Exists(
        OperatorRole.objects.filter(user=OuterRef("pk"), network_id=network_id, is_active=True)
    )
    suspended = Exists(
        Suspension.objects.filter(
            user=OuterRef("pk"), network_id=network_id, lifted_at__isnull=True
        )
    )
    return (
        User.objects.filter(is_active=True)
        .filter(affiliated | Q(operator))
        .exclude(suspended)
        .distinct()
    )


def users_by_login(network_id: int, usernames: list[str]) -> tuple[list[User], list[str]]:
    """(users of the Network with these login IDs, login IDs not found among them)."""
    wanted = [name for name in dict.fromkeys(usernames) if name]
    found = list(network_users(network_id).filter(username__in=wanted).order_by("name_kana"))
    known = {user.username for user in found}
    return found, [name for name in wanted if name not in known]


def users_by_uuid(network_id: int, uuids: list) -> tuple[list[User], int]:
    """(users of the Network with these UUIDs, how many were not found among them)."""
    wanted = list(dict.fromkeys(parse_uuid(value) for value in uuids))
    found = list(network_users(network_id).filter(uuid__in=wanted))
    return found, len(wanted) - len(found)


CHOOSER_LIMIT = 100


def audiences(user) -> tuple[list, list]:
    """(residents on the user's teams, groups the user may schedule for), by kana / name, at
    most CHOOSER_LIMIT each: the choices of the scheduling page. Two queries."""
    residents = list(
        residents_on_my_teams(user)
        .only("uuid", "name", "name_kana")
        .order_by("name_kana", "id")[:CHOOSER_LIMIT]
    )
    return residents, groups_to_meet(user)[:CHOOSER_LIMIT]


# --- Settings ------------------------------------------------------------------------------------


def provider_of(network: Network) -> str:
    row = MeetingSettings.objects.filter(network=network).values("provider").first()
    return row["provider"] if row else Provider.JITSI


def operated_networks(user) -> list[Network]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Network.objects.filter(id__in=user.operated_network_ids()).order_by("name"))


def active_networks(user) -> list[Network]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Network.objects.filter(id__in=user.active_network_ids()).order_by("name"))
