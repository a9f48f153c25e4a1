"""Writes on a resident's medication and disease lists (服薬・病名).

The lists are clinical history and append-only (see `ClinicalListEntry`): adding writes a
row; editing writes a new version that replaces the latest one; ending marks the latest
version with a reason. Each function owns its transaction and audit row (the names of the
changed fields are recorded, never their values).

Who may write: a user whose access grants EDIT_RESIDENT *and* VIEW_DETAILS (a team member or
operator, with a team-sharing consent in force: the lists are details of the resident).
Otherwise PermissionDenied. Errors a person can fix are ValidationError in Japanese.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record

from .access import Permission, ResidentAccess
from .models import ClinicalListEntry, Diagnosis, Medication

_ACTIONS = {
    Medication: (Action.MEDICATION_ADD, Action.MEDICATION_EDIT, Action.MEDICATION_END),
    Diagnosis: (Action.DIAGNOSIS_ADD, Action.DIAGNOSIS_EDIT, Action.DIAGNOSIS_END),
}


def may_edit_lists(access: ResidentAccess) -> bool:
    return access.can(Permission.EDIT_RESIDENT) and access.can(Permission.VIEW_DETAILS)


def _check(access: ResidentAccess) -> None:
    if not may_edit_lists(access):
        raise PermissionDenied


def _audit(access, *, actor, action, entry, request=None, **detail):
    audit_record(
        action=action,
        actor=actor,
        request=request,
        network_id=access.resident.network_id,
        target=entry,
        resident_uuid=access.resident.uuid,
        detail={"lineage": str(entry.lineage), **detail},
    )


def _only_editable(model, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(model.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("変更できない項目が含まれています: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    return dict(fields)


def _add(model, *, actor, access: ResidentAccess, fields: dict[str, Any], request=None):
    _check(access)
    entry = model(resident=access.resident, recorded_by=actor, **_only_editable(model, fields))
    entry.full_clean()
    entry.save()
    _audit(access, actor=actor, action=_ACTIONS[model][0], entry=entry, request=request)
    return entry


def _latest_locked(model, access: ResidentAccess, entry: ClinicalListEntry):
    """The row again, locked; refused unless it is the latest, not ended version of an item
    of this resident (someone else may have edited or ended it since the page was shown)."""
    if entry.resident_id != access.resident.pk:
        raise PermissionDenied
    locked = model.objects.select_for_update().get(pk=entry.pk)
    if locked.superseded_at is not None:
        raise ValidationError(
            _("この項目はすでに別の内容に更新されています。最新の内容を確認してください。"),
            code="superseded",
        )
    if locked.ended_at is not None:
        raise ValidationError(_("この項目はすでに終了しています。"), code="ended")
    return locked


def _edit(model, *, actor, access: ResidentAccess, entry, fields: dict[str, Any], request=None):
    _check(access)
    fields = _only_editable(model, fields)
    previous = _latest_locked(model, access, entry)
    changed = sorted(name for name, value in fields.items() if getattr(previous, name) != value)
    if not changed:
        raise ValidationError(_("変更された項目がありません。"), code="unchanged")
    values = {name: getattr(previous, name) for name in model.EDITABLE_FIELDS}
    values.update(fields)
    version = model(
        resident=access.resident,
        lineage=previous.lineage,
        first_recorded_at=previous.first_recorded_at,
        recorded_by=actor,
        replaces=previous,
        **values,
    )
    # Validate everything but the one-latest-version constraint, which holds only once the
    # previous version is marked superseded below.
    version.full_clean(validate_constraints=False)
    previous.superseded_at = timezone.now()
    previous.superseded_by = actor
    previous.save(update_fields=["superseded_at", "superseded_by", "updated_at"])
    version.save()
    _audit(
        access,
        actor=actor,
        action=_ACTIONS[model][1],
        entry=version,
        request=request,
        fields=changed,
        replaces=str(previous.uuid),
    )
    return version


def _end(model, *, actor, access: ResidentAccess, entry, reason: str, request=None):
    _check(access)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("終了の理由を入力してください。")})
    latest = _latest_locked(model, access, entry)
    latest.ended_at = timezone.now()
    latest.ended_by = actor
    latest.end_reason = reason
    latest.full_clean()
    latest.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
    _audit(access, actor=actor, action=_ACTIONS[model][2], entry=latest, request=request)
    return latest


# --- Medication (服薬) ----------------------------------------------------------------------


@transaction.atomic
def medication_add(
    *, actor, access: ResidentAccess, fields: dict[str, Any], request=None
) -> Medication:
    """Add a medicine (fields: name, dose, since, until, note). Audited MEDICATION_ADD."""
    return _add(Medication, actor=actor, access=access, fields=fields, request=request)


@transaction.atomic
def medication_edit(
    *, actor, access: ResidentAccess, medication: Medication, fields: dict[str, Any], request=None
) -> Medication:
    """Write a new version of `medication` (which must be the latest, not ended). Returns the
    new version. ValidationError when nothing changed or the item moved on meanwhile.
    Audited MEDICATION_EDIT with the changed field names."""
    return _edit(
        Medication, actor=actor, access=access, entry=medication, fields=fields, request=request
    )


@transaction.atomic
def medication_end(
    *, actor, access: ResidentAccess, medication: Medication, reason: str, request=None
) -> Medication:
    """End `medication` (中止・削除) with a reason; the row stays as history. Audited."""
    return _end(
        Medication, actor=actor, access=access, entry=medication, reason=reason, request=request
    )


# --- Diagnosis (病名) -----------------------------------------------------------------------


@transaction.atomic
def diagnosis_add(
    *, actor, access: ResidentAccess, fields: dict[str, Any], request=None
) -> Diagnosis:
    """Add a diagnosis (fields: name, since, note). Audited DIAGNOSIS_ADD."""
    return _add(Diagnosis, actor=actor, access=access, fields=fields, request=request)


@transaction.atomic
def diagnosis_edit(
    *, actor, access: ResidentAccess, diagnosis: Diagnosis, fields: dict[str, Any], request=None
) -> Diagnosis:
    """New version of `diagnosis`; see `medication_edit`. Audited DIAGNOSIS_EDIT."""
    return _edit(
        Diagnosis, actor=actor, access=access, entry=diagnosis, fields=fields, request=request
    )


@transaction.atomic
def diagnosis_end(
    *, actor, access: ResidentAccess, diagnosis: Diagnosis, reason: str, request=None
) -> Diagnosis:
    """End `diagnosis` (治癒・誤登録など) with a reason. Audited DIAGNOSIS_END."""
    return _end(
        Diagnosis, actor=actor, access=access, entry=diagnosis, reason=reason, request=request
    )
