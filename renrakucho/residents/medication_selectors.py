"""Reads of a resident's medication and disease lists (服薬・病名), from a resolved
`ResidentAccess`. The lists are details of the resident: every function here refuses
(PermissionDenied) an access without VIEW_DETAILS (a team-sharing consent in force), so a
caller cannot show them by mistake. Each function states its query count."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .access import Permission, ResidentAccess
from .models import ClinicalListEntry, Diagnosis, Medication

# Ended items shown under 「終了したもの」; older ones are on each item's history page only.
PAST_LIMIT = 50


def _check(access: ResidentAccess) -> None:
    if not access.can(Permission.VIEW_DETAILS):
        raise PermissionDenied


def _rows(access: ResidentAccess, model):
    return model.objects.filter(resident=access.resident).select_related("recorded_by")


def current_medications(access: ResidentAccess) -> list[Medication]:
    """Medicines in force (latest versions, not ended, not past `until`), in the order they
    were first recorded, with the recorder. One query."""
    _check(access)
    return list(_rows(access, Medication).current().order_by("first_recorded_at", "id"))


def current_diagnoses(access: ResidentAccess) -> list[Diagnosis]:
    """Diagnoses in force, in the order first recorded, with the recorder. One query."""
    _check(access)
    return list(_rows(access, Diagnosis).current().order_by("first_recorded_at", "id"))


@dataclass
class ClinicalLists:
    medications: list[Medication]
    diagnoses: list[Diagnosis]
    past_medications: list[Medication]
    past_diagnoses: list[Diagnosis]


def clinical_lists(access: ResidentAccess) -> ClinicalLists:
    """Everything the 服薬・病名 page shows: current and (the PAST_LIMIT most recently
    ended) past items of both lists. Four queries whatever the number of items."""
    _check(access)
    past = ("-ended_at", "-id")
    return ClinicalLists(
        medications=current_medications(access),
        diagnoses=current_diagnoses(access),
        past_medications=list(
            _rows(access, Medication).past().select_related("ended_by").order_by(*past)[:PAST_LIMIT]
        ),
        past_diagnoses=list(
            _rows(access, Diagnosis).past().select_related("ended_by").order_by(*past)[:PAST_LIMIT]
        ),
    )


def _entry_of(access: ResidentAccess, model, entry_uuid) -> ClinicalListEntry:
    _check(access)
    try:
        parsed = uuid.UUID(str(entry_uuid))
    except ValueError:
        raise Http404
    entry = _rows(access, model).filter(uuid=parsed).first()
    if entry is None:
        raise Http404
    return entry


def medication_of(access: ResidentAccess, medication_uuid) -> Medication:
    """One version of one of this resident's medicines, or Http404. One query."""
    return _entry_of(access, Medication, medication_uuid)


def diagnosis_of(access: ResidentAccess, diagnosis_uuid) -> Diagnosis:
    """One version of one of this resident's diagnoses, or Http404. One query."""
    return _entry_of(access, Diagnosis, diagnosis_uuid)


def history_of(access: ResidentAccess, entry: ClinicalListEntry) -> list[ClinicalListEntry]:
    """Every version of `entry`'s item, oldest first, with who recorded, superseded and
    ended each. One query."""
    _check(access)
    return list(
        type(entry)
        .objects.filter(resident=access.resident, lineage=entry.lineage)
        .select_related("recorded_by", "superseded_by", "ended_by")
        .order_by("created_at", "id")
    )
