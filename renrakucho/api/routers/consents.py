"""Consent (情報共有同意) as JSON. The scanned form is uploaded and viewed on the web page."""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Status

from renrakucho.api import selectors
from renrakucho.api.errors import service_errors
from renrakucho.api.schemas import ConsentIn, ConsentOut, ConsentRevokeIn
from renrakucho.api.services import audit_api_read
from renrakucho.audit.models import Action
from renrakucho.residents.access import Permission, access_resident
from renrakucho.residents.services import consent_record, consent_revoke

router = Router(tags=["consents"])


@router.get("/residents/{resident_id}/consents", response=list[ConsentOut], summary="同意の一覧")
def consent_list(request, resident_id: str):
    """Every consent recorded for the resident, newest first, revoked ones included (the
    team needs to see why nothing but the card is shown). Audited (CONSENT_VIEW)."""
    access = access_resident(request.user, resident_id)
    consents = selectors.consents_of(access)
    audit_api_read(request, action=Action.CONSENT_VIEW, resident=access.resident)
    return consents


@router.post("/residents/{resident_id}/consents", response={201: ConsentOut}, summary="同意の登録")
def consent_add(request, resident_id: str, payload: ConsentIn):
    """Record a consent (the scanned form can be added on the web page). 422 with field
    errors: future date, proxy without name or relation, no scope."""
    access = access_resident(request.user, resident_id, permission=Permission.MANAGE_CONSENT)
    fields = payload.model_dump()
    fields["consenter"] = payload.consenter.value
    with service_errors():
        consent = consent_record(actor=request.user, access=access, fields=fields, request=request)
    return Status(201, consent)


@router.post(
    "/residents/{resident_id}/consents/{consent_id}/revoke",
    response=ConsentOut,
    summary="同意の撤回",
)
def consent_withdraw(request, resident_id: str, consent_id: str, payload: ConsentRevokeIn):
    """Revoke a consent from `revoked_on` (not in the future, not before it was given)."""
    access = access_resident(request.user, resident_id, permission=Permission.MANAGE_CONSENT)
    consent = selectors.consent_of(access, consent_id)
    if consent is None:
        raise Http404
    with service_errors():
        return consent_revoke(
            actor=request.user,
            access=access,
            consent=consent,
            revoked_on=payload.revoked_on,
            reason=payload.reason,
            request=request,
        )
