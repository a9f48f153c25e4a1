"""Who may see and do what in a group: the one chokepoint of this app.

- A group's board (threads, replies, files, members, search, websocket) is for its ACTIVE
  members acting in the group's Network (`user.active_network_ids()`): a member whose
  affiliation ended or who is suspended cannot act. Everyone else gets 404 — the same answer
  as for a group that does not exist.
- A group's card (name, description, how to join) is also shown to people who may join it:
  eligible users of the Network for open and by-request groups, and the invitee of an open
  invitation. An invitation-only group is invisible (404) to everyone else.
- Posting a thread: members, or only owners in an announcement-only group. Pinning,
  closing, and managing members: owners.
- 広域連携 (cross-Network groups): a group `open_to_partners` is also reachable from the
  Networks that share an Agreement in force allowing groups (Allows.GROUPS, both parties
  accepted) with its Network. A user acting in such a partner Network may discover, join,
  request and be invited under the same policy and eligibility rules, and counts as a member
  only while that holds: `reachable()` states it as a filter with the Agreement part as a
  subquery (no query added, nothing cached), so when the Agreement ends, its party leaves or
  the group is closed to partners, external members get 404 at once on pages, API, files and
  websockets.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from renrakucho.agreements.models import Allows
from renrakucho.agreements.selectors import partner_networks_of

from .models import Group, GroupMembership, Policy, Thread


def partner_networks(network_ids):
    """Subquery of the ids of Networks sharing an Agreement in force that allows groups with
    one of `network_ids` (evaluated inside the caller's query)."""
    return partner_networks_of(network_ids, allows=Allows.GROUPS)


def reachable(network_ids, prefix: str = "") -> Q:
    """Groups (through `prefix`, e.g. "group__") a user acting in `network_ids` may reach:
    those of their Networks, and those open to partners of a Network in an Agreement in force
    allowing groups with one of theirs. No query of its own."""
    return Q(**{f"{prefix}network_id__in": network_ids}) | Q(
        **{
            f"{prefix}open_to_partners": True,
            f"{prefix}network_id__in": partner_networks(network_ids),
        }
    )


def _reaches(user, group: Group, network_ids) -> bool:
    """Whether `user` (acting in `network_ids`) reaches `group`: no query when the group is of
    one of their Networks, one when it is a partner's."""
    if group.network_id in network_ids:
        return True
    if not group.open_to_partners:
        return False
    return Group.objects.filter(pk=group.pk).filter(reachable(network_ids)).exists()


@dataclass(frozen=True)
class GroupAccess:
    group: Group
    membership: GroupMembership | None
    # The user acts in the group through a partner Network (広域連携), not in its own.
    external: bool = False

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.status == "active"

    @property
    def is_owner(self) -> bool:
        return self.membership is not None and self.membership.is_owner

    @property
    def is_invited(self) -> bool:
        return self.membership is not None and self.membership.status == "invited"

    @property
    def has_requested(self) -> bool:
        return self.membership is not None and self.membership.status == "requested"

    @property
    def can_post(self) -> bool:
        """May start a thread."""
        return self.is_member and (self.is_owner or not self.group.announcement_only)

    @property
    def can_reply(self) -> bool:
        return self.is_member

    @property
    def can_manage(self) -> bool:
        """Pin and close threads, approve requests, invite, remove members, name owners."""
        return self.is_owner


def uuid_or_none(value) -> uuid.UUID | None:
    """`value` as a UUID, or None when it is not one (a cursor or id from a URL)."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _uuid(value) -> uuid.UUID:
    found = uuid_or_none(value)
    if found is None:
        raise Http404
    return found


def is_eligible(user, group: Group) -> bool:
    """Whether `user` may belong to `group` now: acts in its Network (or, for a group open to
    partners, in a partner Network of an Agreement in force allowing groups), has one of the
    allowed occupations (if any are set) and an active affiliation with an approved facility
    of an allowed type in that Network — in one of their own Networks for an external user —
    (if types are set). Two to four queries."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    network_ids = user.active_network_ids()
    if not _reaches(user, group, network_ids):
        return False
    occupation_ids = [o.pk for o in group.allowed_occupations.all()]
    if occupation_ids and not user.occupations.filter(pk__in=occupation_ids).exists():
        return False
    types = list(group.allowed_facility_types or [])
    if types:
        where = (
            {"facility__network_id": group.network_id}
            if group.network_id in network_ids
            else {"facility__network_id__in": network_ids}
        )
        return user.affiliations.filter(
            status="active", facility__status="approved", facility__facility_type__in=types, **where
        ).exists()
    return True


def _membership(user, group: Group) -> GroupMembership | None:
    return (
        GroupMembership.objects.filter(
            group=group, user=user, status__in=GroupMembership.OPEN_STATUSES
        )
        .order_by("-id")
        .first()
    )


def group_access_for(user, group: Group) -> GroupAccess:
    """The member's access to a group already loaded (services take a Group from callers of
    other apps). Raises Http404 unless `user` is an active member acting in its Network."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404
    network_ids = user.active_network_ids()
    if not _reaches(user, group, network_ids):
        raise Http404
    membership = _membership(user, group)
    if membership is None or membership.status != "active":
        raise Http404
    return GroupAccess(
        group=group, membership=membership, external=group.network_id not in network_ids
    )


def access_group(user, group_uuid, *, board: bool = True) -> GroupAccess:
    """The group `group_uuid` as `user` may reach it.

    `board=True` (default): active members only (everything on the board).
    `board=False`: also someone who may see the group's card to join it — an eligible user
    for an open or by-request group, an invitee or requester for their own open membership.
    A group open to partners is reached from a partner Network too (see the module); the
    Agreement is checked inside the group's query. Raises Http404 otherwise (never 403: a
    stranger learns nothing). Queries: the user's Networks (1), the group (1), the
    membership (1), and for `board=False` non-members the eligibility check (2–4).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404
    network_ids = user.active_network_ids()
    group = (
        Group.objects.filter(reachable(network_ids), uuid=_uuid(group_uuid))
        .select_related("network")
        .first()
    )
    if group is None:
        raise Http404
    membership = _membership(user, group)
    access = GroupAccess(
        group=group, membership=membership, external=group.network_id not in network_ids
    )
    if access.is_member:
        return access
    if board:
        raise Http404
    if membership is not None:  # an open request or invitation: the card, to answer it
        return access
    if group.policy != Policy.INVITATION and is_eligible(user, group):
        return access
    raise Http404


def access_thread(user, thread_uuid) -> tuple[GroupAccess, Thread]:
    """A thread of a group `user` is an active member of, with its author; else Http404."""
    thread = (
        Thread.objects.filter(uuid=_uuid(thread_uuid))
        .select_related("group", "group__network", "author", "closed_by")
        .first()
    )
    if thread is None:
        raise Http404
    access = group_access_for(user, thread.group)
    return access, thread


def access_attachment(user, attachment_uuid):
    """(GroupAccess, BoardAttachment) of a file on a board `user` is an active member of;
    Http404 otherwise (a pharmacist cannot fetch the doctors' association's files)."""
    from .models import BoardAttachment

    found = (
        BoardAttachment.objects.filter(uuid=_uuid(attachment_uuid))
        .select_related("group", "thread", "reply")
        .first()
    )
    if found is None:
        raise Http404
    return group_access_for(user, found.group), found
