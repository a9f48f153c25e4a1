"""Who may use the operator console (運営): users with an active OperatorRole, scoped to the
Networks they operate and are not suspended in. Everyone else gets Http404, as does any
object outside those Networks."""

from __future__ import annotations

import uuid

from django.http import Http404

from renrakucho.networks.models import Network


def operated_networks(user) -> list[Network]:
    """The Networks `user` operates, or Http404 when none (the console does not exist for
    them)."""
    if not user.is_authenticated:
        raise Http404
    networks = list(Network.objects.filter(id__in=user.operated_network_ids()).order_by("name"))
    if not networks:
        raise Http404
    return networks


def operated_network(networks: list[Network], network_uuid) -> Network:
    """One of the already-resolved operated Networks, by UUID, or Http404."""
    try:
        wanted = uuid.UUID(str(network_uuid))
    except ValueError:
        raise Http404
    for network in networks:
        if network.uuid == wanted:
            return network
    raise Http404
