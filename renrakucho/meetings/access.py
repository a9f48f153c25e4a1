"""Who may reach a meeting, its files and minutes, and whose calendar a feed token opens.

A meeting is reached by a user who
- is invited to it (the organizer is an invitee too),
- is active in the meeting's Network (affiliated or operator, not suspended there), and
- for a resident-team meeting, still reaches the resident's timeline
  (`timeline.access.access_timeline`: on the team or operator, consent in force);
- for a group meeting, is still a member of the group.
Missing and not-allowed are both Http404; PermissionDenied (403) only for a write the reader
may not do on a meeting they see.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from renrakucho.residents.access import residents_visible_to
from renrakucho.residents.models import Consent
from renrakucho.timeline.access import TimelineAccess, access_timeline

from .groups_bridge import check_group_member, member_group_ids_q
from .models import CalendarFeedToken, Meeting, MeetingAttachment, MeetingInvitation


def parse_uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError, ValidationError):
        raise Http404


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    invitation: MeetingInvitation
    user: object
    # The reader's access to the resident's timeline (resident-team meetings only).
    timeline: TimelineAccess | None = None

    @property
    def is_organizer(self) -> bool:
        return self.meeting.organizer_id == self.user.pk

    @property
    def resident(self):
        return self.timeline.resident if self.timeline else None

    @property
    def can_manage(self) -> bool:
        """Cancel the meeting, add files: the organizer."""
        return self.is_organizer and not self.meeting.is_cancelled

    def can_write_minutes(self, now=None) -> bool:
        """Minutes are written once the meeting has started, by the organizer or an invitee
        who attends; for a resident-team meeting only by a team member (the minutes become
        a post on the timeline). Once written, only their writer edits them."""
        meeting = self.meeting
        if meeting.is_cancelled or not meeting.has_started(now):
            return False
        if self.timeline is not None and not self.timeline.is_member:
            return False
        minutes = getattr(meeting, "_minutes_cache", None)
        if minutes is not None:
            return minutes.written_by_id == self.user.pk
        return self.is_organizer or self.invitation.response == MeetingInvitation.Response.ATTEND


def _resident_reachable(user) -> Q:
    consent = Consent.objects.in_force().filter(resident=OuterRef("pk"), scope_team=True)
    return Q(resident__isnull=True) | Q(
        resident__in=residents_visible_to(user).filter(Exists(consent)).values("pk")
    )


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Every meeting `user` reaches (the rule of the module docstring, set-wise): the start of
    every list and feed."""
    if not getattr(user, "is_authenticated", False):
        return Meeting.objects.none()
    invited = MeetingInvitation.objects.filter(meeting=OuterRef("pk"), user=user)
    return (
        Meeting.objects.filter(Exists(invited), network_id__in=user.active_network_ids())
        .filter(_resident_reachable(user))
        .filter(member_group_ids_q(user))
    )


def access_meeting(user, meeting_uuid) -> MeetingAccess:
    """(The reader's invitation to) a meeting `user` reaches, or Http404. Two queries (the
    invitation with its meeting, the user's Networks), two more for a resident-team meeting
    (the resident's access, the reader's occupations), one for a group meeting."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    wanted = parse_uuid(meeting_uuid)
    invitation = (
        MeetingInvitation.objects.select_related(
            "meeting",
            "meeting__network",
            "meeting__organizer",
            "meeting__resident",
            "meeting__group",
        )
        .filter(user=user, meeting__uuid=wanted)
        .first()
    )
    if invitation is None:
        raise Http404
    meeting = invitation.meeting
    if meeting.network_id not in user.active_network_ids():
        raise Http404
    timeline = None
    if meeting.resident_id is not None:
        # The resident is read again through the chokepoint, which decides.
        timeline = access_timeline(user, meeting.resident.uuid)
        meeting.resident = timeline.resident
    check_group_member(user, meeting)
    return MeetingAccess(meeting=meeting, invitation=invitation, user=user, timeline=timeline)


def access_attachment(
    user, meeting_uuid, attachment_uuid
) -> tuple[MeetingAccess, MeetingAttachment]:
    """A file of a meeting `user` reaches, or Http404."""
    access = access_meeting(user, meeting_uuid)
    wanted = parse_uuid(attachment_uuid)
    found = MeetingAttachment.objects.filter(meeting=access.meeting, uuid=wanted).first()
    if found is None:
        raise Http404
    return access, found


def feed_owner(raw_token: str):
    """The user whose calendar feed `raw_token` opens, or Http404 (unknown or revoked token,
    or an owner who can no longer log in). One query (two for the owner's Networks)."""
    if not raw_token or not raw_token.startswith(CalendarFeedToken.PREFIX):
        raise Http404
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(key_hash=CalendarFeedToken.hash_of(raw_token), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.can_log_in():
        raise Http404
    return token.user
