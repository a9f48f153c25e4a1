"""Who may see and change a facility's operating status.

- The board of a Network and each approved facility's status page are visible to every user
  who may act in that Network (`user.active_network_ids()`: an active affiliation there or an
  operator role, not suspended). Anyone else gets Http404, for the board and for each
  facility: a user of another Network cannot tell a facility or its status exists.
- Any active staff member of the facility (an active affiliation, admin or not) may post a
  new status: in the pandemic the person on shift reported, not only the manager. A user of
  the Network who is not on the facility's staff (an operator included) sees the status
  and gets PermissionDenied (403) on a write.
- Only the operators of a Network (`user.operated_network_ids()`) ask its facilities to
  update and remind them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.networks.models import Network

from .models import StatusRequest


def _parse(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404


def visible_networks(user) -> list[Network]:
    """The Networks whose board `user` may read, by name, each with `is_operated` (the user
    operates it). Two queries (the user's Network links, the Networks)."""
    if not user.is_authenticated:
        return []
    # One query for both sets (active_network_ids and operated_network_ids would run it twice).
    affiliated, operated, suspended = user._network_links()
    networks = list(
        Network.objects.filter(id__in=(affiliated | operated) - suspended, is_active=True).order_by(
            "name"
        )
    )
    for network in networks:
        network.is_operated = network.pk in operated
    return networks


def choose_network(networks: list[Network], wanted: str | None) -> Network:
    """The Network named by slug or UUID `wanted` among `networks` (the first one when not
    given), or Http404 (not one of the user's, or the user has none)."""
    if not networks:
        raise Http404
    if not wanted:
        return networks[0]
    for network in networks:
        if wanted in (network.slug, str(network.uuid)):
            return network
    raise Http404


@dataclass(frozen=True)
class FacilityAccess:
    facility: Facility
    is_staff: bool  # an active affiliation: may post a new status
    is_operator: bool

    @property
    def can_update(self) -> bool:
        return self.is_staff


def access_facility(user, facility_uuid, *, write: bool = False) -> FacilityAccess:
    """The approved facility with UUID `facility_uuid` in one of `user`'s active Networks,
    or Http404. With `write`, PermissionDenied unless `user` is on its active staff. Two
    queries (the user's Network links, the facility with its Network and the user's
    affiliation)."""
    if not user.is_authenticated:
        raise Http404
    wanted = _parse(facility_uuid)
    # One query for both sets (active_network_ids and operated_network_ids would run it twice).
    affiliated, operated, suspended = user._network_links()
    active = (affiliated | operated) - suspended
    facility = (
        Facility.objects.select_related("network")
        .filter(
            uuid=wanted,
            status=Facility.Status.APPROVED,
            network_id__in=active,
            network__is_active=True,
        )
        .annotate(
            user_is_staff=Exists(
                Affiliation.objects.filter(
                    facility=OuterRef("pk"), user=user, status=Affiliation.Status.ACTIVE
                )
            )
        )
        .first()
    )
    if facility is None:
        raise Http404
    access = FacilityAccess(
        facility=facility,
        is_staff=facility.user_is_staff,
        is_operator=facility.network_id in (operated - suspended),
    )
    if write and not access.can_update:
        raise PermissionDenied
    return access


def operated_network(user, network: Network) -> Network:
    """`network` when `user` operates it now, else PermissionDenied (they can see its board,
    so the request button exists for them but refuses)."""
    if network.pk not in user.operated_network_ids():
        raise PermissionDenied
    return network


def access_status_request(user, request_uuid) -> StatusRequest:
    """A request to one of the Networks `user` can see, or Http404; PermissionDenied unless
    `user` operates its Network. Two queries."""
    if not user.is_authenticated:
        raise Http404
    affiliated, operated, suspended = user._network_links()
    found = (
        StatusRequest.objects.select_related("network")
        .filter(uuid=_parse(request_uuid), network_id__in=(affiliated | operated) - suspended)
        .first()
    )
    if found is None:
        raise Http404
    if found.network_id not in operated - suspended:
        raise PermissionDenied
    return found
