"""Who may reach a notice.

- A recipient (an inbox row for the user) reads it, confirms it and downloads its files,
  while they act in the notice's Network (a suspension or the end of their affiliation there
  hides that Network's notices, and only those).
- An active operator of the notice's Network (not suspended there) sees it too, and is the
  only one who publishes, tracks and reminds (`/notices/manage/…`).
Anyone else gets Http404, for the notice and for its files: a stranger cannot tell a notice
exists. The manage pages do not exist (404) for a user who operates no Network.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import Http404

from renrakucho.networks.models import Network, OperatorRole, Suspension

from .models import Notice, NoticeRecipient
from .selectors import acting_in_network


def _parse(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404


@dataclass(frozen=True)
class NoticeAccess:
    notice: Notice
    recipient: NoticeRecipient | None  # None: an operator who was not among the recipients

    @property
    def is_recipient(self) -> bool:
        return self.recipient is not None


def _operating(user):
    return OperatorRole.objects.filter(network=OuterRef("network"), user=user, is_active=True)


def _suspended(user):
    return Suspension.objects.filter(network=OuterRef("network"), user=user, lifted_at__isnull=True)


def access_notice(user, notice_uuid) -> NoticeAccess:
    """The notice as `user` may see it, or Http404. One query for a recipient (the inbox row
    with its notice and Network); two for an operator who was not sent it."""
    if not user.is_authenticated:
        raise Http404
    wanted = _parse(notice_uuid)
    recipient = (
        NoticeRecipient.objects.select_related("notice", "notice__network")
        .filter(user=user, notice__uuid=wanted)
        .filter(acting_in_network(user))
        .first()
    )
    if recipient is not None:
        return NoticeAccess(notice=recipient.notice, recipient=recipient)
    notice = (
        Notice.objects.select_related("network")
        .filter(uuid=wanted)
        .filter(Exists(_operating(user)))
        .exclude(Exists(_suspended(user)))
        .first()
    )
    if notice is None:
        raise Http404
    return NoticeAccess(notice=notice, recipient=None)


def operated_networks(user) -> list[Network]:
    """The Networks `user` operates now, or Http404 (the manage pages do not exist for them).
    One query (the user's Network links) plus the Networks."""
    if not user.is_authenticated:
        raise Http404
    networks = list(Network.objects.filter(id__in=user.operated_network_ids()).order_by("name"))
    if not networks:
        raise Http404
    return networks


def managed_notice(networks: list[Network], notice_uuid) -> Notice:
    """A notice of one of the (already resolved) operated Networks, or Http404. One query."""
    wanted = _parse(notice_uuid)
    notice = (
        Notice.objects.select_related("network", "published_by")
        .filter(uuid=wanted, network__in=[n.id for n in networks])
        .first()
    )
    if notice is None:
        raise Http404
    return notice
