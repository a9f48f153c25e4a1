"""Writing the audit log. Every read and change of resident data goes through `audit_record`."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from .models import GENESIS_HASH, Action, AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    # Behind the reverse proxy REMOTE_ADDR is set from X-Forwarded-For by the server
    # (uvicorn --forwarded-allow-ips); the header itself is never trusted here.
    return request.META.get("REMOTE_ADDR") if request is not None else None


@transaction.atomic
def audit_record(
    *,
    action: Action | str,
    actor=None,
    request: HttpRequest | None = None,
    network_id: int | None = None,
    target: Any = None,
    resident_uuid: uuid.UUID | None = None,
    reason: str = "",
    detail: dict | None = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event to the hash chain. Runs in the caller's transaction, so a change and
    its audit row commit or roll back together."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH}
    )
    event = AuditEvent(
        at=timezone.now().replace(microsecond=timezone.now().microsecond // 1000 * 1000),
        actor=actor,
        actor_username=actor_username or (actor.username if actor is not None else ""),
        network_id=network_id,
        action=str(action),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "uuid", "")) if target is not None else "",
        resident_uuid=resident_uuid,
        ip=client_ip(request),
        reason=reason,
        detail=detail or {},
        prev_hash=head.last_hash,
    )
    event.hash = event.compute_hash()
    event.save()
    head.last_hash = event.hash
    head.save(update_fields=["last_hash"])
    return event


def audit_verify() -> tuple[int, int | None]:
    """Recompute the chain in id order. Returns (rows checked, id of the first broken row)."""
    prev = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev or event.compute_hash() != event.hash:
            return checked, event.id
        prev = event.hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and checked and head.last_hash != prev:
        return checked, -1
    return checked, None
