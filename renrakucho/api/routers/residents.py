"""Residents (支援対象者): list and search, one record, register, change."""

from __future__ import annotations

import enum
from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from renrakucho.api import selectors
from renrakucho.api.errors import FieldErrors, field_error, service_errors
from renrakucho.api.schemas import (
    ResidentCardOut,
    ResidentCreateIn,
    ResidentDetailOut,
    ResidentPage,
    ResidentPatchIn,
)
from renrakucho.api.services import audit_api_read
from renrakucho.audit.models import Action
from renrakucho.residents.access import Permission, ResidentAccess, access_resident
from renrakucho.residents.services import resident_create, resident_update

router = Router(tags=["residents"])

ResidentOut = ResidentDetailOut | ResidentCardOut

# Optional text fields: JSON null means "clear", stored as an empty string.
_BLANKABLE = {"postal_code", "address", "phone", "care_level", "primary_doctor_note", "note"}
_NULLABLE = {"latitude", "longitude", "primary_doctor"}


def resident_out(access: ResidentAccess) -> ResidentDetailOut | ResidentCardOut:
    """The record as `access` allows: the full record with a consent for team sharing in
    force, else the basic card with `consent_required: true`. One query (key persons) for
    the full record, none for the card."""
    resident = access.resident
    card: dict[str, Any] = {
        "id": resident.uuid,
        "name": resident.name,
        "name_kana": resident.name_kana,
        "age": resident.age,
        "sex": resident.sex,
        "sex_label": str(resident.get_sex_display()),
        "care_level": resident.care_level or None,
        "care_level_label": str(resident.get_care_level_display()) if resident.care_level else "",
        "network": resident.network,
        "consent_required": not access.has_team_consent,
        "permissions": sorted(p.value for p in access.permissions),
    }
    if not access.can(Permission.VIEW_DETAILS):
        return ResidentCardOut(**card)
    return ResidentDetailOut(
        **card,
        birth_date=resident.birth_date,
        postal_code=resident.postal_code,
        address=resident.address,
        latitude=resident.latitude,
        longitude=resident.longitude,
        phone=resident.phone,
        **{flag: getattr(resident, flag) for flag in resident.FLAG_FIELDS},
        primary_doctor=resident.primary_doctor,
        primary_doctor_note=resident.primary_doctor_note,
        note=resident.note,
        key_persons=selectors.resident_key_persons(access),
        created_at=resident.created_at,
        updated_at=resident.updated_at,
    )


def _model_fields(data: dict[str, Any], *, network_id: int) -> dict[str, Any]:
    """API input (already type-checked) → model field values for the services."""
    fields: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name, value in data.items():
        if value is None:
            if name in _BLANKABLE:
                fields[name] = ""
            elif name in _NULLABLE:
                fields[name] = None
            else:
                errors.append(
                    {"loc": ["body", name], "msg": _("この項目は必須です。"), "type": "missing"}
                )
        elif name == "primary_doctor":
            doctor = selectors.network_professional(network_id, value)
            if doctor is None:
                errors.append(
                    {
                        "loc": ["body", name],
                        "msg": _("このネットワークに所属する利用者を指定してください。"),
                        "type": "invalid",
                    }
                )
            fields[name] = doctor
        else:
            fields[name] = value.value if isinstance(value, enum.Enum) else value
    if errors:
        raise FieldErrors(errors)
    return fields


@router.get("", response=ResidentPage, summary="支援対象者の一覧・検索")
def resident_list(
    request,
    q: str = Query(
        "", max_length=100, description="氏名・フリガナの一部（全角半角・かなカナ区別なし）"
    ),
    limit: int = Query(50, ge=1, le=selectors.MAX_PAGE),
    offset: int = Query(0, ge=0),
):
    """Residents the caller may reach (their teams; an operator's whole Network), by kana.
    Audited as RESIDENT_LIST (with counts, not the search words)."""
    page, count = selectors.resident_page(request.user, q=q, limit=limit, offset=offset)
    audit_api_read(
        request,
        action=Action.RESIDENT_LIST,
        detail={"count": count, "offset": offset, "returned": len(page), "searched": bool(q)},
    )
    return {"items": page, "count": count}


@router.post("", response={201: ResidentOut}, summary="支援対象者の登録")
def resident_register(request, payload: ResidentCreateIn):
    """Register a resident in `network` (UUID or slug of a Network the caller belongs to). A
    professional becomes the first team member and lead, with `team_role`; an operator
    joins only when `team_role` is given."""
    network = selectors.networks_for_registration(request.user, payload.network)
    if network is None:
        raise field_error("network", _("登録できるネットワークを指定してください。"))
    data = payload.model_dump(exclude={"network", "team_role", "key_persons"})
    fields = _model_fields(data, network_id=network.pk)
    with service_errors():
        resident = resident_create(
            actor=request.user,
            network=network,
            fields=fields,
            team_role=payload.team_role.value if payload.team_role else None,
            key_persons=[person.model_dump() for person in payload.key_persons],
            request=request,
        )
    return Status(201, resident_out(access_resident(request.user, resident.uuid)))


@router.get("/{resident_id}", response=ResidentOut, summary="支援対象者の情報")
def resident_detail(request, resident_id: str):
    """The full record when a consent for team sharing is in force, else the basic card with
    `consent_required: true`. 404 when missing or out of reach. Audited (RESIDENT_VIEW)."""
    access = access_resident(request.user, resident_id)
    out = resident_out(access)
    audit_api_read(
        request,
        action=Action.RESIDENT_VIEW,
        resident=access.resident,
        detail={"view": "details" if isinstance(out, ResidentDetailOut) else "card"},
    )
    return out


@router.patch("/{resident_id}", response=ResidentOut, summary="支援対象者の情報の変更")
def resident_change(request, resident_id: str, payload: ResidentPatchIn):
    """Change the fields sent (others stay); `key_persons`, when sent, replaces the whole list
    (403 while no consent for team sharing is in force). 403 without the right to edit; 422
    with field errors (nothing is saved). Audited by the service with the names of changed
    fields."""
    access = access_resident(request.user, resident_id, permission=Permission.EDIT_RESIDENT)
    data = payload.model_dump(exclude_unset=True)
    # Key persons are replaced as a whole list; `null` (or leaving them out) keeps them.
    people = data.pop("key_persons", None)
    fields = _model_fields(data, network_id=access.resident.network_id)
    with service_errors():
        resident_update(
            actor=request.user, access=access, fields=fields, key_persons=people, request=request
        )
    return resident_out(access_resident(request.user, resident_id))
