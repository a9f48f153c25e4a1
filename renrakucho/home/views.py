"""ホーム (the dashboard at "/"): my residents, invitations waiting for an answer.

A presentation layer over residents' (and later timeline's) selectors; it writes only the
audit row naming the residents it shows.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.residents import selectors as resident_selectors

DASHBOARD_LIMIT = 100


def _audit_list(request, residents: list) -> None:
    """One RESIDENT_LIST event per dashboard shown, naming the residents on it (by UUID)."""
    network_ids = {r.network_id for r in residents}
    audit_record(
        action=Action.RESIDENT_LIST,
        actor=request.user,
        request=request,
        network_id=network_ids.pop() if len(network_ids) == 1 else None,
        detail={"view": "dashboard", "residents": [str(r.uuid) for r in residents]},
    )


@login_required
@require_GET
def dashboard(request):
    residents = list(resident_selectors.my_residents(request.user)[: DASHBOARD_LIMIT + 1])
    more = len(residents) > DASHBOARD_LIMIT
    residents = residents[:DASHBOARD_LIMIT]
    invitations = list(resident_selectors.pending_invitations(request.user))
    if residents:
        _audit_list(request, residents)
    return render(
        request,
        "home/dashboard.html",
        {"residents": residents, "more": more, "invitations": invitations},
    )
