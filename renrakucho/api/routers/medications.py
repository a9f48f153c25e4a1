"""The medication and disease lists (服薬・病名) as JSON.

Access as on the pages (residents.medication_views): outsiders 404; the lists are details of
the resident, so without a team-sharing consent in force reading and writing are 403;
writing needs EDIT_RESIDENT too. Reads are audited (MEDICATION_VIEW); writes by
residents.medication_services (which keep every version). A change on a version that is no
longer the latest, or on an ended item, is 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from renrakucho.api import selectors
from renrakucho.api.bodies import reason_of
from renrakucho.api.errors import FieldErrors, write_errors
from renrakucho.api.schemas_clinical import (
    DiagnosisIn,
    DiagnosisLists,
    DiagnosisOut,
    DiagnosisPatchIn,
    MedicationIn,
    MedicationLists,
    MedicationOut,
    MedicationPatchIn,
)
from renrakucho.api.services import audit_api_read
from renrakucho.audit.models import Action
from renrakucho.residents import medication_selectors, medication_services
from renrakucho.residents.access import Permission, ResidentAccess, access_resident
from renrakucho.residents.models import Diagnosis, Medication

router = Router(tags=["medications"])


@dataclass(frozen=True)
class _List:
    model: type
    key: str  # the services' keyword and the audit detail
    find: Any
    add: Any
    edit: Any
    end: Any
    # Fields a PATCH may set to null (cleared); other nulls are "required".
    nullable: frozenset[str]
    blankable: frozenset[str]


MEDICATIONS = _List(
    model=Medication,
    key="medication",
    find=medication_selectors.medication_of,
    add=medication_services.medication_add,
    edit=medication_services.medication_edit,
    end=medication_services.medication_end,
    nullable=frozenset({"since", "until"}),
    blankable=frozenset({"dose", "note"}),
)
DIAGNOSES = _List(
    model=Diagnosis,
    key="diagnosis",
    find=medication_selectors.diagnosis_of,
    add=medication_services.diagnosis_add,
    edit=medication_services.diagnosis_edit,
    end=medication_services.diagnosis_end,
    nullable=frozenset({"since"}),
    blankable=frozenset({"note"}),
)


def entry_out(entry) -> dict[str, Any]:
    """An item version as the API shows it. `recorded_by` is joined by the selectors;
    `ended_by` is read only for ended items (joined for the ended list)."""
    out = {
        "id": entry.uuid,
        "lineage": entry.lineage,
        "name": entry.name,
        "since": entry.since,
        "note": entry.note,
        "recorded_by": entry.recorded_by,
        "recorded_at": entry.created_at,
        "first_recorded_at": entry.first_recorded_at,
        "ended": entry.is_ended,
        "ended_at": entry.ended_at,
        "ended_by": entry.ended_by if entry.ended_by_id else None,
        "end_reason": entry.end_reason,
    }
    if isinstance(entry, Medication):
        out.update(dose=entry.dose, until=entry.until)
    return out


def _read_access(request, resident_id: str) -> ResidentAccess:
    return access_resident(request.user, resident_id, permission=Permission.VIEW_DETAILS)


def _write_access(access: ResidentAccess) -> ResidentAccess:
    if not medication_services.may_edit_lists(access):
        raise PermissionDenied
    return access


def _entry(request, kind: _List, entry_id: str):
    """(access, entry) for a change of one version: 404 when it is unknown or its resident
    is out of reach, 403 without the right to edit the lists."""
    resident_uuid = selectors.clinical_entry_resident(kind.model, entry_id)
    if resident_uuid is None:
        raise Http404
    access = _write_access(_read_access(request, str(resident_uuid)))
    return access, kind.find(access, entry_id)


def _fields(kind: _List, sent: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    errors = []
    for name, value in sent.items():
        if value is None and name in kind.blankable:
            fields[name] = ""
        elif value is None and name not in kind.nullable:
            errors.append(
                {"loc": ["body", name], "msg": _("この項目は必須です。"), "type": "missing"}
            )
        else:
            fields[name] = value
    if errors:
        raise FieldErrors(errors)
    return fields


def _lists(request, kind: _List, resident_id: str) -> dict[str, Any]:
    access = _read_access(request, resident_id)
    lists = medication_selectors.clinical_lists(access)
    if kind is MEDICATIONS:
        current, ended = lists.medications, lists.past_medications
    else:
        current, ended = lists.diagnoses, lists.past_diagnoses
    audit_api_read(
        request,
        action=Action.MEDICATION_VIEW,
        resident=access.resident,
        detail={"view": f"{kind.key}_list", "current": len(current), "ended": len(ended)},
    )
    return {"current": [entry_out(e) for e in current], "ended": [entry_out(e) for e in ended]}


def _add(request, kind: _List, resident_id: str, payload) -> Status:
    access = _write_access(_read_access(request, resident_id))
    with write_errors():
        entry = kind.add(
            actor=request.user, access=access, fields=payload.model_dump(), request=request
        )
    return Status(201, entry_out(entry))


def _change(request, kind: _List, entry_id: str, payload) -> dict[str, Any]:
    access, entry = _entry(request, kind, entry_id)
    fields = _fields(kind, payload.model_dump(exclude_unset=True))
    with write_errors():
        version = kind.edit(
            actor=request.user, access=access, fields=fields, request=request, **{kind.key: entry}
        )
    return entry_out(version)


def _end(request, kind: _List, entry_id: str) -> dict[str, Any]:
    access, entry = _entry(request, kind, entry_id)
    reason = reason_of(request)
    with write_errors():
        ended = kind.end(
            actor=request.user, access=access, reason=reason, request=request, **{kind.key: entry}
        )
    return entry_out(ended)


_END_DOC = (
    '終了の理由（必須）は JSON の本文 {"reason": "…"} または ?reason= で指定します。'
    "項目は履歴として残ります。"
)


# --- 服薬 ---------------------------------------------------------------------------------------
@router.get("/residents/{resident_id}/medications", response=MedicationLists, summary="服薬の一覧")
def medication_list(request, resident_id: str):
    """Medicines in force, and the 50 most recently ended. Audited (MEDICATION_VIEW)."""
    return _lists(request, MEDICATIONS, resident_id)


@router.post(
    "/residents/{resident_id}/medications", response={201: MedicationOut}, summary="服薬の登録"
)
def medication_add(request, resident_id: str, payload: MedicationIn):
    return _add(request, MEDICATIONS, resident_id, payload)


@router.patch("/medications/{medication_id}", response=MedicationOut, summary="服薬の変更")
def medication_change(request, medication_id: str, payload: MedicationPatchIn):
    """Write a new version with the fields sent (the answer has the new version's `id`).
    409 when this version is no longer the latest or the item has ended; 422 when nothing
    changed."""
    return _change(request, MEDICATIONS, medication_id, payload)


@router.delete(
    "/medications/{medication_id}",
    response=MedicationOut,
    summary="服薬の終了",
    description=_END_DOC,
)
def medication_end(request, medication_id: str):
    return _end(request, MEDICATIONS, medication_id)


# --- 病名 ---------------------------------------------------------------------------------------
@router.get("/residents/{resident_id}/diagnoses", response=DiagnosisLists, summary="病名の一覧")
def diagnosis_list(request, resident_id: str):
    """Diagnoses in force, and the 50 most recently ended. Audited (MEDICATION_VIEW)."""
    return _lists(request, DIAGNOSES, resident_id)


@router.post(
    "/residents/{resident_id}/diagnoses", response={201: DiagnosisOut}, summary="病名の登録"
)
def diagnosis_add(request, resident_id: str, payload: DiagnosisIn):
    return _add(request, DIAGNOSES, resident_id, payload)


@router.patch("/diagnoses/{diagnosis_id}", response=DiagnosisOut, summary="病名の変更")
def diagnosis_change(request, diagnosis_id: str, payload: DiagnosisPatchIn):
    """Write a new version with the fields sent; see PATCH /medications/{id}."""
    return _change(request, DIAGNOSES, diagnosis_id, payload)


@router.delete(
    "/diagnoses/{diagnosis_id}", response=DiagnosisOut, summary="病名の終了", description=_END_DOC
)
def diagnosis_end(request, diagnosis_id: str):
    return _end(request, DIAGNOSES, diagnosis_id)
