"""The audit rows of reads made through the API.

Changes go through the services of their apps (residents.services, accounts.services); the
API layer writes nothing else itself.
"""

from __future__ import annotations

from typing import Any

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record


def audit_api_read(
    request,
    *,
    action: Action,
    resident=None,
    network_id: int | None = None,
    target=None,
    detail: dict[str, Any] | None = None,
):
    """Record a read made through the API (who, what, from where). `target` is the record
    read (default: the resident). `detail` never holds personal data: counts, page
    positions, UUIDs of the records shown, which view of the record was shown."""
    return audit_record(
        action=action,
        actor=request.user,
        request=request,
        network_id=resident.network_id if resident is not None else network_id,
        target=target if target is not None else resident,
        resident_uuid=resident.uuid if resident is not None else None,
        detail={"channel": "api", **(detail or {})},
    )
