"""The 服薬・病名 screens: the lists with add forms, edit (a new version), end with a reason,
and each item's history.

Thin function views: access (VIEW_DETAILS to read; EDIT_RESIDENT as well to write — without a
team-sharing consent in force both are 403, outsiders 404) → form → service → render. Every
page showing the lists writes a MEDICATION_VIEW audit row; writes are audited by the services.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record

from . import medication_selectors as selectors
from . import medication_services as services
from .access import Permission, ResidentAccess, access_resident
from .forms import add_service_errors
from .medication_forms import DiagnosisForm, EndForm, MedicationForm


@dataclass(frozen=True)
class ListKind:
    """What differs between the two lists; the views below are shared."""

    key: str  # "medication" | "diagnosis": url names and the service keyword
    label: str
    form_class: type
    find: object  # selector: (access, uuid) -> entry
    add: object
    edit: object
    end: object
    added: str
    edited: str
    ended: str


MEDICATION = ListKind(
    key="medication",
    label=gettext_lazy("服薬"),
    form_class=MedicationForm,
    find=selectors.medication_of,
    add=services.medication_add,
    edit=services.medication_edit,
    end=services.medication_end,
    added=gettext_lazy("服薬を登録しました。"),
    edited=gettext_lazy("服薬の内容を更新しました。以前の内容は履歴に残っています。"),
    ended=gettext_lazy("服薬を終了にしました。"),
)
DIAGNOSIS = ListKind(
    key="diagnosis",
    label=gettext_lazy("病名"),
    form_class=DiagnosisForm,
    find=selectors.diagnosis_of,
    add=services.diagnosis_add,
    edit=services.diagnosis_edit,
    end=services.diagnosis_end,
    added=gettext_lazy("病名を登録しました。"),
    edited=gettext_lazy("病名の内容を更新しました。以前の内容は履歴に残っています。"),
    ended=gettext_lazy("病名を終了にしました。"),
)


def _audit_view(request, access: ResidentAccess, **detail) -> None:
    audit_record(
        action=Action.MEDICATION_VIEW,
        actor=request.user,
        request=request,
        network_id=access.resident.network_id,
        target=access.resident,
        resident_uuid=access.resident.uuid,
        detail=detail,
    )


def _read_access(request, resident_uuid) -> ResidentAccess:
    return access_resident(request.user, resident_uuid, permission=Permission.VIEW_DETAILS)


def _write_access(request, resident_uuid) -> ResidentAccess:
    access = _read_access(request, resident_uuid)
    if not services.may_edit_lists(access):
        raise PermissionDenied
    return access


def _initial(entry) -> dict:
    return {name: getattr(entry, name) for name in type(entry).EDITABLE_FIELDS}


def _render_lists(request, access, *, medication_form=None, diagnosis_form=None, status=200):
    lists = selectors.clinical_lists(access)
    _audit_view(request, access, view="lists")
    return render(
        request,
        "residents/medications/lists.html",
        {
            "access": access,
            "resident": access.resident,
            "lists": lists,
            "can_edit": services.may_edit_lists(access),
            "medication_form": medication_form or MedicationForm(auto_id="med-%s"),
            "diagnosis_form": diagnosis_form or DiagnosisForm(auto_id="dx-%s"),
        },
        status=status,
    )


@login_required
@require_GET
def lists(request, resident_uuid):
    return _render_lists(request, _read_access(request, resident_uuid))


def _add(request, resident_uuid, kind: ListKind):
    access = _write_access(request, resident_uuid)
    prefix = "med" if kind is MEDICATION else "dx"
    form = kind.form_class(request.POST, auto_id=f"{prefix}-%s")
    if form.is_valid():
        try:
            kind.add(
                actor=request.user, access=access, fields=form.service_fields(), request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, kind.added)
            return redirect("residents:medications", resident_uuid=access.resident.uuid)
    forms = {f"{kind.key}_form": form}
    return _render_lists(request, access, **forms)


def _render_edit(request, access, kind: ListKind, entry, *, form=None, end_form=None):
    _audit_view(request, access, view="edit", item=str(entry.lineage))
    return render(
        request,
        "residents/medications/edit.html",
        {
            "access": access,
            "resident": access.resident,
            "kind": kind,
            "entry": entry,
            "form": form or kind.form_class(initial=_initial(entry)),
            "end_form": end_form or EndForm(),
        },
    )


def _edit(request, resident_uuid, entry_uuid, kind: ListKind):
    access = _write_access(request, resident_uuid)
    entry = kind.find(access, entry_uuid)
    if not entry.is_latest or entry.is_ended:
        messages.error(request, _("この項目は最新の内容ではないため変更できません。"))
        return redirect(f"residents:{kind.key}_history", access.resident.uuid, entry.uuid)
    form = None
    if request.method == "POST":
        form = kind.form_class(request.POST, initial=_initial(entry))
        if form.is_valid():
            try:
                kind.edit(
                    actor=request.user,
                    access=access,
                    fields=form.service_fields(),
                    request=request,
                    **{kind.key: entry},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, kind.edited)
                return redirect("residents:medications", resident_uuid=access.resident.uuid)
    return _render_edit(request, access, kind, entry, form=form)


def _end(request, resident_uuid, entry_uuid, kind: ListKind):
    access = _write_access(request, resident_uuid)
    entry = kind.find(access, entry_uuid)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            kind.end(
                actor=request.user,
                access=access,
                reason=form.cleaned_data["reason"],
                request=request,
                **{kind.key: entry},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, kind.ended)
            return redirect("residents:medications", resident_uuid=access.resident.uuid)
    return _render_edit(request, access, kind, entry, end_form=form)


def _history(request, resident_uuid, entry_uuid, kind: ListKind):
    access = _read_access(request, resident_uuid)
    entry = kind.find(access, entry_uuid)
    versions = selectors.history_of(access, entry)
    _audit_view(request, access, view="history", item=str(entry.lineage))
    return render(
        request,
        "residents/medications/history.html",
        {
            "access": access,
            "resident": access.resident,
            "kind": kind,
            "versions": list(reversed(versions)),  # newest first
            "latest": versions[-1],
            "can_edit": services.may_edit_lists(access),
        },
    )


# --- Medication (服薬) ----------------------------------------------------------------------


@login_required
@require_POST
def medication_add(request, resident_uuid):
    return _add(request, resident_uuid, MEDICATION)


@login_required
@require_http_methods(["GET", "POST"])
def medication_edit(request, resident_uuid, medication_uuid):
    return _edit(request, resident_uuid, medication_uuid, MEDICATION)


@login_required
@require_POST
def medication_end(request, resident_uuid, medication_uuid):
    return _end(request, resident_uuid, medication_uuid, MEDICATION)


@login_required
@require_GET
def medication_history(request, resident_uuid, medication_uuid):
    return _history(request, resident_uuid, medication_uuid, MEDICATION)


# --- Diagnosis (病名) -----------------------------------------------------------------------


@login_required
@require_POST
def diagnosis_add(request, resident_uuid):
    return _add(request, resident_uuid, DIAGNOSIS)


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis_edit(request, resident_uuid, diagnosis_uuid):
    return _edit(request, resident_uuid, diagnosis_uuid, DIAGNOSIS)


@login_required
@require_POST
def diagnosis_end(request, resident_uuid, diagnosis_uuid):
    return _end(request, resident_uuid, diagnosis_uuid, DIAGNOSIS)


@login_required
@require_GET
def diagnosis_history(request, resident_uuid, diagnosis_uuid):
    return _history(request, resident_uuid, diagnosis_uuid, DIAGNOSIS)
