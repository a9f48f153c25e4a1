"""GET /audit: the access log (アクセスログ), for the operators of a Network only."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router

from renrakucho.api import selectors
from renrakucho.api.errors import field_error
from renrakucho.api.schemas import AuditPage
from renrakucho.api.services import audit_api_read
from renrakucho.audit.models import Action
from renrakucho.audit.selectors import AuditFilters
from renrakucho.residents.access import Permission, access_resident

router = Router(tags=["audit"])


@router.get("", response=AuditPage, summary="アクセスログ")
def audit_list(
    request,
    resident: str | None = Query(None, description="支援対象者のID（省略時はネットワーク全体）"),
    # ninja reads parameters from their defaults (B008 does not know Query is inert).
    action: Action | None = Query(None, description="操作の種類"),  # noqa: B008
    actor: str = Query("", max_length=64, description="操作した利用者のログインID"),
    date_from: datetime.date | None = Query(None, description="この日から（含む）"),  # noqa: B008
    date_to: datetime.date | None = Query(None, description="この日まで（含む）"),  # noqa: B008
    before: str | None = Query(None, max_length=64, description="前のページの next の値"),
    limit: int = Query(50, ge=1, le=selectors.MAX_PAGE),
):
    """Newest first. With `resident`, that resident's entries (the caller must operate the
    resident's Network); without, the log of the Networks the caller operates. Anyone else
    gets 404. Audited (AUDIT_VIEW, with the filters)."""
    target = None
    if resident is not None:
        access = access_resident(request.user, resident)
        if not access.can(Permission.VIEW_ACCESS_HISTORY):
            raise Http404
        target = access.resident
        network_ids = {target.network_id}
    else:
        network_ids = request.user.operated_network_ids()
        if not network_ids:
            raise Http404
    filters = AuditFilters(
        action=action.value if action else "",
        actor_username=actor.strip(),
        resident_uuid=target.uuid if target is not None else None,
        date_from=date_from,
        date_to=date_to,
    )
    result = selectors.audit_entries(
        network_ids=network_ids, filters=filters, before_hash=before, limit=limit
    )
    if result is None:
        raise field_error("before", _("指定されたページ位置が見つかりません。"), source="query")
    entries, next_cursor = result
    audit_api_read(
        request,
        action=Action.AUDIT_VIEW,
        resident=target,
        # One row per read; with several Networks operated it is not tied to one of them.
        network_id=next(iter(network_ids)) if len(network_ids) == 1 else None,
        detail={"returned": len(entries), "paged": bool(before), **filters.as_detail()},
    )
    return {"items": entries, "next": next_cursor}
