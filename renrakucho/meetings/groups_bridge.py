"""The meetings app's use of groups (groups sits below meetings): membership of a group
meeting's group, its members as invitees, and sharing minutes to its board, through the
groups app's stable functions (groups.access.group_access_for, groups.selectors.member_users,
groups.services.thread_create). Kept in one place so that a page, a list and a service apply
the same rule."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from renrakucho.groups.access import GroupAccess, access_group, group_access_for
from renrakucho.groups.board import thread_create
from renrakucho.groups.models import Group, GroupMembership
from renrakucho.groups.selectors import member_users

THREAD_TITLE_MAX = 200


def member_group_ids_q(user) -> Q:
    """Meetings with no group, or whose group `user` is an active member of."""
    active = GroupMembership.objects.filter(user=user, status=GroupMembership.Status.ACTIVE).values(
        "group_id"
    )
    return Q(group__isnull=True) | Q(group_id__in=active)


def check_group_member(user, meeting) -> None:
    """Http404 unless `user` is an active member of the meeting's group acting in its Network
    (nothing to check without a group)."""
    if meeting.group_id is not None:
        group_access_for(user, meeting.group)


def group_for_organizer(actor, group_uuid) -> GroupAccess:
    """The group a meeting is scheduled for: Http404 unless the actor is an active member;
    PermissionDenied unless they may post on its board (owners only in an announcement-only
    group)."""
    access = access_group(actor, group_uuid)
    if not access.can_post:
        raise PermissionDenied
    return access


def check_group_organizer(actor, group, network) -> None:
    if group.network_id != network.pk:
        raise PermissionDenied
    if not group_access_for(actor, group).can_post:
        raise PermissionDenied


def group_member_users(group) -> list:
    return list(member_users(group).order_by("name_kana", "id"))


def group_member_queryset(group):
    return member_users(group).distinct().order_by("name_kana", "id")


def set_group(meeting, group) -> None:
    meeting.group = group


def share_to_board(*, actor, meeting, title: str, body: str, request=None):
    """Post the minutes as a thread on the meeting's group board; returns the thread's UUID,
    or None when the writer may not start a thread there (an announcement-only group whose
    owner did not write them): the minutes stay on the meeting page."""
    heading = f"【議事録】{title}"[:THREAD_TITLE_MAX]
    try:
        thread = thread_create(
            actor=actor, group=meeting.group, title=heading, body=body, request=request
        )
    except PermissionDenied:
        return None
    return thread.uuid


def groups_to_meet(user):
    """Groups of the user's active Networks where they are an active member (the choices of
    the scheduling page; the service checks who may post), by name."""
    return Group.objects.filter(
        network_id__in=user.active_network_ids(),
        memberships__user=user,
        memberships__status=GroupMembership.Status.ACTIVE,
    ).order_by("name", "id")
