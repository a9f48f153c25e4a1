"""GET /audit: the access log (アクセスログ), for the operators of a Network only."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router

from renrakucho.api import selectors
from renrakucho.api.errors import field_error
from renrakucho.api.schemas import AuditPage
from renrakucho.api.services import audit_api_read
from renrakucho.audit.models import Action
from renrakucho.residents.access import Permission, access_resident

router = Router(tags=["audit"])


@router.get("", response=AuditPage, summary="アクセスログ")
def audit_list(
    request,
    resident: str | None = Query(None, description="支援対象者のID（省略時はネットワーク全体）"),
    before: str | None = Query(None, max_length=64, description="前のページの next の値"),
    limit: int = Query(50, ge=1, le=selectors.MAX_PAGE),
):
    """Newest first. With `resident`, that resident's entries (the caller must operate the
    resident's Network); without, every entry of the Networks the caller operates. Anyone
    else gets 404. Audited (AUDIT_VIEW)."""
    target = None
    if resident is not None:
        access = access_resident(request.user, resident)
        if not access.can(Permission.VIEW_ACCESS_HISTORY):
            raise Http404
        target = access.resident
        result = selectors.audit_entries(resident_uuid=target.uuid, before_hash=before, limit=limit)
        network_id = target.network_id
    else:
        operated = request.user.operated_network_ids()
        if not operated:
            raise Http404
        result = selectors.audit_entries(network_ids=operated, before_hash=before, limit=limit)
        network_id = next(iter(operated)) if len(operated) == 1 else None
    if result is None:
        raise field_error("before", _("指定されたページ位置が見つかりません。"), source="query")
    entries, next_cursor = result
    audit_api_read(
        request,
        action=Action.AUDIT_VIEW,
        resident=target,
        network_id=network_id,
        detail={"returned": len(entries), "paged": bool(before)},
    )
    return {"items": entries, "next": next_cursor}
