"""ホーム (the dashboard at "/"): my residents with my role and unread counts, requests (依頼)
asking me (overdue ones highlighted), urgent posts I have not acknowledged, and invitations
waiting for an answer.

A presentation layer over residents' and timeline's selectors; it writes only the audit row
naming the residents and posts it shows. Its query count does not grow with residents or
posts (tests/test_dashboard.py).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.residents import selectors as resident_selectors
from renrakucho.timeline import interactions

DASHBOARD_LIMIT = 100


def _audit(request, residents: list, posts: list) -> None:
    """One RESIDENT_LIST event per dashboard shown, naming the residents and posts on it (by
    UUID)."""
    network_ids = {r.network_id for r in residents}
    detail = {"view": "dashboard", "residents": [str(r.uuid) for r in residents]}
    if posts:
        detail["posts"] = [str(p.uuid) for p in posts]
    audit_record(
        action=Action.RESIDENT_LIST,
        actor=request.user,
        request=request,
        network_id=network_ids.pop() if len(network_ids) == 1 else None,
        detail=detail,
    )


@login_required
@require_GET
def dashboard(request):
    user = request.user
    mine = interactions.with_unread_counts(resident_selectors.my_residents(user), user)
    residents = list(mine[: DASHBOARD_LIMIT + 1])
    more = len(residents) > DASHBOARD_LIMIT
    residents = residents[:DASHBOARD_LIMIT]
    invitations = list(resident_selectors.pending_invitations(user))
    requests = interactions.requests_for_me(user)
    urgent = interactions.urgent_unacknowledged(user)
    today = timezone.localdate()
    overdue = [r for r in requests if r.due_on < today]
    shown = {r.pk: r for r in residents}
    for item in [*requests, *urgent]:
        shown.setdefault(item.resident_id, item.resident)
    if shown:
        _audit(request, list(shown.values()), [*(r.post for r in requests), *urgent])
    return render(
        request,
        "home/dashboard.html",
        {
            "residents": residents,
            "more": more,
            "invitations": invitations,
            "requests": requests,
            "overdue_count": len(overdue),
            "urgent_posts": urgent,
            "today": today,
            "unread_cap": interactions.UNREAD_CAP,
        },
    )
