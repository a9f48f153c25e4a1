"""The operator console (運営). Every view starts with `operated_networks(request.user)`:
non-operators get 404, and every object is looked up inside the operated Networks only."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renrakucho.audit.models import Action
from renrakucho.audit.selectors import network_audit_events
from renrakucho.audit.services import audit_record
from renrakucho.facilities import services as facility_services
from renrakucho.facilities.forms import add_service_errors
from renrakucho.residents.selectors import teams_elsewhere

from . import selectors, services
from .access import operated_network, operated_networks
from .forms import (
    AuditFilterForm,
    FacilityFilterForm,
    NetworkSettingsForm,
    RejectFacilityForm,
    SuspendForm,
)


def _ids(networks) -> list[int]:
    return [network.id for network in networks]


@login_required
@require_GET
def index(request):
    networks = operated_networks(request.user)
    return render(
        request,
        "console/index.html",
        {"networks": networks, "counts": selectors.console_counts(request.user, _ids(networks))},
    )


# --- Facilities ---------------------------------------------------------------------------


@login_required
@require_GET
def facilities(request):
    networks = operated_networks(request.user)
    filter_form = FacilityFilterForm(request.GET)
    filter_form.is_valid()  # an unknown choice is simply not applied
    page = selectors.network_facilities(
        _ids(networks),
        facility_type=filter_form.cleaned_data.get("type", ""),
        status=filter_form.cleaned_data.get("status", ""),
        after=request.GET.get("after"),
    )
    next_query = None
    if page.next_cursor:
        query = request.GET.copy()
        query["after"] = page.next_cursor
        next_query = query.urlencode()
    return render(
        request,
        "console/facilities.html",
        {
            "networks": networks,
            "pending": selectors.pending_facilities(_ids(networks)),
            "page": page,
            "filter_form": filter_form,
            "next_query": next_query,
        },
    )


def _facility_page(request, networks, facility, reject_form, status=200):
    return render(
        request,
        "console/facility.html",
        {"networks": networks, "facility": facility, "reject_form": reject_form},
        status=status,
    )


@login_required
@require_GET
def facility(request, facility_uuid):
    networks = operated_networks(request.user)
    found = selectors.facility_in(_ids(networks), facility_uuid)
    return _facility_page(request, networks, found, RejectFacilityForm())


@login_required
@require_POST
def facility_approve(request, facility_uuid):
    networks = operated_networks(request.user)
    found = selectors.facility_in(_ids(networks), facility_uuid)
    try:
        facility_services.facility_approve(actor=request.user, facility=found, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s を承認しました。管理者がログインできるようになりました。")
            % {"name": found.name},
        )
    return redirect("console:facility", facility_uuid=found.uuid)


@login_required
@require_POST
def facility_reject(request, facility_uuid):
    networks = operated_networks(request.user)
    found = selectors.facility_in(_ids(networks), facility_uuid)
    form = RejectFacilityForm(request.POST)
    if form.is_valid():
        try:
            facility_services.facility_reject(
                actor=request.user,
                facility=found,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("%(name)s を却下しました。") % {"name": found.name})
            return redirect("console:facility", facility_uuid=found.uuid)
    return _facility_page(request, networks, found, form, status=400)


# --- Users --------------------------------------------------------------------------------


@login_required
@require_GET
def users(request):
    networks = operated_networks(request.user)
    q = request.GET.get("q", "").strip()
    page = selectors.network_users(_ids(networks), q=q, after=request.GET.get("after"))
    next_query = None
    if page.next_cursor:
        query = request.GET.copy()
        query["after"] = page.next_cursor
        next_query = query.urlencode()
    return render(
        request,
        "console/users.html",
        {"networks": networks, "page": page, "q": q, "next_query": next_query},
    )


def _networks_of(target, networks):
    """The operated Networks `target` belongs to (all of them for an operator-only user)."""
    ids = {affiliation.facility.network_id for affiliation in target.network_affiliations}
    return [network for network in networks if network.id in ids] or networks


def _user_page(request, networks, target, suspend_form, status=200):
    return render(
        request,
        "console/user.html",
        {
            "networks": networks,
            "target": target,
            "suspend_form": suspend_form,
            "is_self": target.pk == request.user.pk,
            # Cross-Network care teams (広域連携): counts per Network, no resident.
            "teams_elsewhere": teams_elsewhere(target, outside=_ids(networks)),
        },
        status=status,
    )


@login_required
@require_GET
def user(request, user_uuid):
    networks = operated_networks(request.user)
    target = selectors.network_user(_ids(networks), user_uuid)
    form = SuspendForm(networks=_networks_of(target, networks))
    return _user_page(request, networks, target, form)


@login_required
@require_POST
def user_suspend(request, user_uuid):
    networks = operated_networks(request.user)
    target = selectors.network_user(_ids(networks), user_uuid)
    form = SuspendForm(request.POST, networks=_networks_of(target, networks))
    if form.is_valid():
        try:
            services.user_suspend(
                actor=request.user,
                user=target,
                network=form.cleaned_data["network"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("利用停止にしました。"))
            return redirect("console:user", user_uuid=target.uuid)
    return _user_page(request, networks, target, form, status=400)


@login_required
@require_POST
def user_unsuspend(request, user_uuid):
    networks = operated_networks(request.user)
    target = selectors.network_user(_ids(networks), user_uuid)
    network = operated_network(networks, request.POST.get("network", ""))
    try:
        services.user_unsuspend(actor=request.user, user=target, network=network, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("利用停止を解除しました。"))
    return redirect("console:user", user_uuid=target.uuid)


# --- Audit log ----------------------------------------------------------------------------


@login_required
@require_GET
def audit(request):
    """The Networks' audit log, newest first, keyset-paginated with ?before=<id>.
    Reading it is audited (AUDIT_VIEW, one row per Network read)."""
    networks = operated_networks(request.user)
    form = AuditFilterForm(request.GET or None)
    page = None
    next_query = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        filters = form.filters() if form.is_bound else None
        before = form.cleaned_data.get("before") if form.is_bound else None
        page = network_audit_events(_ids(networks), filters, before=before)
        for network in networks:
            audit_record(
                action=Action.AUDIT_VIEW,
                request=request,
                network_id=network.id,
                resident_uuid=filters.resident_uuid if filters else None,
                detail={"filters": filters.as_detail()} if filters else {},
            )
        if page.next_before:
            query = request.GET.copy()
            query["before"] = str(page.next_before)
            next_query = query.urlencode()
    return render(
        request,
        "console/audit.html",
        {"networks": networks, "form": form, "page": page, "next_query": next_query},
        status=status,
    )


# --- Network settings ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def network_settings(request, network_uuid):
    networks = operated_networks(request.user)
    network = operated_network(networks, network_uuid)
    # A copy: a ModelForm writes the typed values onto its instance even when they are invalid.
    form = NetworkSettingsForm(request.POST or None, instance=copy.copy(network))
    if request.method == "POST" and form.is_valid():
        try:
            services.network_settings_update(
                actor=request.user,
                network=network,
                data={name: form.cleaned_data[name] for name in form.Meta.fields},
                request=request,
            )
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, _("ネットワーク設定を保存しました。"))
            return redirect("console:network_settings", network_uuid=network.uuid)
    return render(
        request,
        "console/network_settings.html",
        {"networks": networks, "network": network, "form": form},
        status=400 if form.errors else 200,
    )
