"""Resident screens: list and search, card, edit, consent, team, access history.

Thin function views: decorators → access (residents.access) → form → service → render.
Every page that shows resident data writes an audit row (reads here, writes in services).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renrakucho.audit.models import Action
from renrakucho.audit.services import audit_record
from renrakucho.files.serving import extension_of, file_download, open_stored
from renrakucho.networks.models import Network

from . import selectors, services
from .access import Permission, ResidentAccess, access_resident
from .forms import (
    ConsentForm,
    ConsentRevokeForm,
    InviteForm,
    KeyPersonFormSet,
    LeaveForm,
    ProfessionalSearchForm,
    ReasonForm,
    ResidentCreateForm,
    ResidentForm,
    ResidentSearchForm,
    add_service_errors,
    key_person_initial,
)

CANDIDATE_LIMIT = 30


def _audit_read(request, access: ResidentAccess, action: Action, *, target=None, **detail):
    audit_record(
        action=action,
        actor=request.user,
        request=request,
        network_id=access.resident.network_id,
        target=target if target is not None else access.resident,
        resident_uuid=access.resident.uuid,
        detail=detail or None,
    )


def _audit_list(request, residents: list, *, view: str, **detail):
    """One RESIDENT_LIST event per page shown, naming the residents on it (by UUID)."""
    network_ids = {r.network_id for r in residents}
    audit_record(
        action=Action.RESIDENT_LIST,
        actor=request.user,
        request=request,
        network_id=network_ids.pop() if len(network_ids) == 1 else None,
        detail={"view": view, "residents": [str(r.uuid) for r in residents], **detail},
    )


# --- List ---------------------------------------------------------------------------


@login_required
@require_GET
def resident_list(request):
    search = ResidentSearchForm(request.GET)
    search.is_valid()  # every field is optional; invalid values are simply dropped
    q = search.cleaned_data.get("q", "")
    filters = selectors.ResidentFilters.from_query(request.GET)
    page = selectors.resident_list_page(request.user, q, filters, after=request.GET.get("after"))
    _audit_list(request, page.items, view="list", searched=bool(q), filtered=not filters.is_empty)
    next_query = None
    if page.next_cursor:
        query = request.GET.copy()
        query["after"] = page.next_cursor
        next_query = query.urlencode()
    first_query = request.GET.copy()
    first_query.pop("after", None)
    context = {
        "search": search,
        "page": page,
        "next_query": next_query,
        "first_query": first_query.urlencode(),
        "can_create": bool(request.user.active_network_ids()),
    }
    if request.headers.get("HX-Request"):
        return render(request, "residents/list.html#results", context)
    return render(request, "residents/list.html", context)


# --- Registration and editing -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request):
    network_ids = request.user.active_network_ids()
    if not network_ids:
        raise PermissionDenied
    networks = Network.objects.filter(id__in=network_ids, is_active=True)
    form_kwargs = {
        "user": request.user,
        "networks": networks,
        "doctors": selectors.registered_doctors(network_ids),
    }
    if request.method == "POST":
        form = ResidentCreateForm(request.POST, **form_kwargs)
        formset = KeyPersonFormSet(request.POST, prefix="kp")
        if form.is_valid() and formset.is_valid():
            try:
                resident = services.resident_create(
                    actor=request.user,
                    network=form.cleaned_data["network"],
                    fields=form.service_fields(),
                    team_role=form.cleaned_data.get("team_role") or None,
                    key_persons=formset.people(),
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("支援対象者を登録しました。"))
                return redirect("residents:detail", resident_uuid=resident.uuid)
    else:
        form = ResidentCreateForm(**form_kwargs)
        formset = KeyPersonFormSet(prefix="kp")
    return render(
        request, "residents/form.html", {"form": form, "formset": formset, "creating": True}
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, resident_uuid):
    access = access_resident(request.user, resident_uuid, permission=Permission.EDIT_RESIDENT)
    resident = access.resident
    # Without team-sharing consent only the basic card may be seen, so only it is editable.
    details = access.can(Permission.VIEW_DETAILS)
    form_kwargs = {"basic_only": not details}
    formset = None
    if details:
        form_kwargs["doctors"] = selectors.registered_doctors([resident.network_id])
        initial = key_person_initial(selectors.key_persons_of(access))
    if request.method == "POST":
        form = ResidentForm(request.POST, instance=resident, **form_kwargs)
        if details:
            formset = KeyPersonFormSet(request.POST, initial=initial, prefix="kp")
        if form.is_valid() and (formset is None or formset.is_valid()):
            try:
                services.resident_update(
                    actor=request.user,
                    access=access,
                    fields=form.service_fields(),
                    key_persons=formset.people() if formset and formset.has_changed() else None,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("支援対象者の情報を更新しました。"))
                return redirect("residents:detail", resident_uuid=resident.uuid)
    else:
        form = ResidentForm(instance=resident, **form_kwargs)
        if details:
            formset = KeyPersonFormSet(initial=initial, prefix="kp")
        _audit_read(request, access, Action.RESIDENT_VIEW, view="edit", details=details)
    return render(
        request,
        "residents/form.html",
        {"form": form, "formset": formset, "access": access, "resident": resident},
    )


# --- The resident card ----------------------------------------------------------------


@login_required
@require_GET
def resident_detail(request, resident_uuid):
    access = access_resident(request.user, resident_uuid)
    details = access.can(Permission.VIEW_DETAILS)
    team = selectors.team_of(access, with_history=False)
    context = {
        "access": access,
        "resident": access.resident,
        "details": details,
        "key_persons": selectors.key_persons_of(access) if details else [],
        "team": team,
        "can_edit": access.can(Permission.EDIT_RESIDENT),
        "can_view_history": access.can(Permission.VIEW_ACCESS_HISTORY),
    }
    _audit_read(request, access, Action.RESIDENT_VIEW, view="card", details=details)
    return render(request, "residents/detail.html", context)


@login_required
@require_GET
def access_history(request, resident_uuid):
    access = access_resident(request.user, resident_uuid, permission=Permission.VIEW_ACCESS_HISTORY)
    page = selectors.access_history_page(access, before=request.GET.get("before"))
    _audit_read(request, access, Action.AUDIT_VIEW, view="access_history")
    return render(
        request,
        "residents/access_history.html",
        {"access": access, "resident": access.resident, "page": page},
    )


# --- Consent ----------------------------------------------------------------------------


def _revoke_form(consent, data=None) -> ConsentRevokeForm:
    # One revoke form per consent on the page: ids must not repeat.
    return ConsentRevokeForm(data, auto_id=f"revoke-{consent.uuid.hex[:8]}-%s")


def _render_consents(request, access, *, form=None, revoke_form=None, revoke_target=None):
    history = selectors.consents_of(access)
    rows = [
        (c, revoke_form if c.uuid == revoke_target and revoke_form else _revoke_form(c))
        for c in history
    ]
    _audit_read(request, access, Action.CONSENT_VIEW)
    return render(
        request,
        "residents/consents.html",
        {
            "access": access,
            "resident": access.resident,
            "rows": rows,
            "form": form or ConsentForm(),
            "revoke_target": revoke_target,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consents(request, resident_uuid):
    access = access_resident(request.user, resident_uuid, permission=Permission.MANAGE_CONSENT)
    form = None
    if request.method == "POST":
        form = ConsentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.consent_record(
                    actor=request.user,
                    access=access,
                    fields=form.service_fields(),
                    form_file=form.checked_file,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("情報共有の同意を登録しました。"))
                return redirect("residents:consents", resident_uuid=access.resident.uuid)
    return _render_consents(request, access, form=form)


@login_required
@require_POST
def consent_revoke(request, resident_uuid, consent_uuid):
    access = access_resident(request.user, resident_uuid, permission=Permission.MANAGE_CONSENT)
    consent = selectors.consent_of(access, consent_uuid)
    form = _revoke_form(consent, request.POST)
    if form.is_valid():
        try:
            services.consent_revoke(
                actor=request.user,
                access=access,
                consent=consent,
                revoked_on=form.cleaned_data["revoked_on"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("同意の撤回を登録しました。"))
            return redirect("residents:consents", resident_uuid=access.resident.uuid)
    return _render_consents(request, access, revoke_form=form, revoke_target=consent.uuid)


@login_required
@require_GET
def consent_file(request, resident_uuid, consent_uuid):
    """The scanned consent form, always as a download (never rendered in the app's origin)."""
    access = access_resident(request.user, resident_uuid, permission=Permission.MANAGE_CONSENT)
    consent = selectors.consent_of(access, consent_uuid)
    open_stored(consent.form_file)
    _audit_read(request, access, Action.CONSENT_FILE, target=consent)
    return file_download(
        consent.form_file,
        content_type=consent.form_content_type,
        filename=f"consent-{consent.consented_on:%Y%m%d}.{extension_of(consent.form_file)}",
    )


# --- Care team --------------------------------------------------------------------------


def _render_team(request, access, *, invite_form=None, leave_form=None, status=200):
    team = selectors.team_of(access)
    me = team.member_for(request.user)
    can_invite = access.can(Permission.INVITE_MEMBER)
    source = request.POST if request.method == "POST" else request.GET
    search = ProfessionalSearchForm(source or None)
    candidates = None
    network_ids = selectors.invitable_network_ids(access) if can_invite else set()
    if can_invite and search.is_valid():
        q = search.cleaned_data["q"]
        occupation = search.cleaned_data["occupation"]
        facility = search.cleaned_data["facility"]
        if q or occupation or facility:
            candidates = list(
                selectors.invitable_professionals(
                    access,
                    q,
                    occupation=occupation.code if occupation else None,
                    facility=facility,
                    limit=CANDIDATE_LIMIT + 1,
                    network_ids=network_ids,
                )
            )
    others = [m for m in team.active if me is None or m.pk != me.pk]
    context = {
        "access": access,
        "resident": access.resident,
        "team": team,
        "me": me,
        "can_invite": can_invite,
        "can_remove": access.can(Permission.REMOVE_MEMBER),
        "search": search,
        "candidates": candidates[:CANDIDATE_LIMIT] if candidates is not None else None,
        "too_many_candidates": candidates is not None and len(candidates) > CANDIDATE_LIMIT,
        "invite_form": invite_form
        or InviteForm(
            candidates=selectors.invitable_professionals(access, network_ids=network_ids)
        ),
        "across_networks": len(network_ids) > 1,
        "cross_network_consent": access.has_cross_network_consent,
        "leave_form": leave_form or LeaveForm(others=others),
        "needs_successor": me is not None and me.is_lead and bool(others),
    }
    _audit_read(request, access, Action.TEAM_VIEW)
    return render(request, "residents/team.html", context, status=status)


@login_required
@require_GET
def team(request, resident_uuid):
    access = access_resident(request.user, resident_uuid)
    return _render_team(request, access)


@login_required
@require_POST
def team_invite(request, resident_uuid):
    access = access_resident(request.user, resident_uuid, permission=Permission.INVITE_MEMBER)
    # Partner Networks' professionals pass the form even without cross-Network consent, so
    # that the service refuses them with the reason (本人の同意…) instead of "not found".
    candidates = selectors.invitable_professionals(
        access, network_ids=selectors.agreement_network_ids(access)
    )
    form = InviteForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            services.team_invite(
                actor=request.user,
                access=access,
                invitee=form.cleaned_data["invitee"],
                role=form.cleaned_data["role"],
                message=form.cleaned_data["message"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("招待を送りました。相手が承諾するとチームに加わります。"))
            return redirect("residents:team", resident_uuid=access.resident.uuid)
    return _render_team(request, access, invite_form=form)


@login_required
@require_POST
def team_leave(request, resident_uuid):
    access = access_resident(request.user, resident_uuid)
    team = selectors.team_of(access, with_history=False)
    me = team.member_for(request.user)
    if me is None:
        raise Http404
    form = LeaveForm(request.POST, others=[m for m in team.active if m.pk != me.pk])
    if form.is_valid():
        try:
            services.team_leave(
                actor=request.user,
                access=access,
                successor=form.cleaned_data["successor"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("支援チームから退出しました。"))
            return redirect("home:dashboard")
    return _render_team(request, access, leave_form=form)


def _member_or_404(access, member_uuid):
    member = selectors.team_of(access, with_history=False).find(member_uuid)
    if member is None:
        raise Http404
    return member


@login_required
@require_POST
def team_remove(request, resident_uuid, member_uuid):
    access = access_resident(request.user, resident_uuid, permission=Permission.REMOVE_MEMBER)
    member = _member_or_404(access, member_uuid)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.team_remove(
            actor=request.user,
            access=access,
            member=member,
            reason=form.cleaned_data.get("reason", ""),
            request=request,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("メンバーをチームから外しました。"))
    return redirect("residents:team", resident_uuid=access.resident.uuid)


@login_required
@require_POST
def team_set_lead(request, resident_uuid, member_uuid):
    access = access_resident(request.user, resident_uuid, permission=Permission.REMOVE_MEMBER)
    member = _member_or_404(access, member_uuid)
    try:
        services.team_set_lead(actor=request.user, access=access, member=member, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("チームリーダーを変更しました。"))
    return redirect("residents:team", resident_uuid=access.resident.uuid)


@login_required
@require_POST
def invitation_accept(request, membership_uuid):
    """Only the invitee reaches this; anyone else gets 404 from the service."""
    try:
        member = services.team_invitation_accept(
            actor=request.user, membership_uuid=membership_uuid, request=request
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("home:dashboard")
    messages.success(request, _("支援チームに参加しました。"))
    return redirect(reverse("residents:detail", kwargs={"resident_uuid": member.resident.uuid}))


@login_required
@require_POST
def invitation_decline(request, membership_uuid):
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.team_invitation_decline(
            actor=request.user,
            membership_uuid=membership_uuid,
            reason=form.cleaned_data.get("reason", ""),
            request=request,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("招待を辞退しました。"))
    return redirect("home:dashboard")
