"""Operating-status screens: the Network's board (/facility-status/), one facility's status
with its history, the update form for the facility's staff, and the operator's
「全事業所に更新を依頼」 and 「未更新の事業所に再依頼」.

Thin function views: access (facility_status.access) → form → service → render. Nothing
here is resident data, so reading is not audited; every write is (by the services).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .access import (
    access_facility,
    access_status_request,
    choose_network,
    operated_network,
    visible_networks,
)
from .forms import BoardFilterForm, RequestForm, StatusForm
from .models import StatusKind


def _network(request, wanted: str | None = None):
    networks = visible_networks(request.user)
    return networks, choose_network(networks, wanted or request.GET.get("network"))


@login_required
@require_GET
def board(request):
    networks, network = _network(request)
    filters = selectors.BoardFilters.from_query(request.GET)
    is_operator = network.is_operated
    counts = selectors.status_counts(network)
    rows = [
        (facility, selectors.current_entry(facility))
        for facility in selectors.board(network, filters)
    ]
    return render(
        request,
        "facility_status/board.html",
        {
            "networks": networks,
            "network": network,
            "rows": rows,
            "filters": filters,
            "filter_form": BoardFilterForm(request.GET or None),
            "counts": [(value, label, counts[value]) for value, label in StatusKind.choices],
            "no_status_count": counts[selectors.NO_STATUS],
            "mine": [
                (f, selectors.current_entry(f))
                for f in selectors.staff_facilities(request.user, network)
            ],
            "is_operator": is_operator,
            "progress": selectors.latest_request(network) if is_operator else None,
        },
    )


@login_required
@require_GET
def facility(request, facility_uuid):
    access = access_facility(request.user, facility_uuid)
    page = selectors.history(access.facility, before=request.GET.get("before"))
    if page.is_first:
        current = page.items[0] if page.items else None
    else:
        current = selectors.current_entry(access.facility)
    return render(
        request,
        "facility_status/facility.html",
        {"access": access, "facility": access.facility, "current": current, "page": page},
    )


@login_required
@require_http_methods(["GET", "POST"])
def update(request, facility_uuid):
    access = access_facility(request.user, facility_uuid, write=True)
    if request.method == "POST":
        form = StatusForm(request.POST)
        if form.is_valid():
            try:
                services.facility_status_update(
                    actor=request.user, access=access, request=request, **form.service_kwargs()
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("運営状況を更新しました。"))
                return redirect("facility_status:facility", facility_uuid=access.facility.uuid)
    else:
        current = selectors.current_entry(access.facility)
        form = StatusForm(initial=StatusForm.initial_from(current))
    return render(
        request,
        "facility_status/update.html",
        {"access": access, "facility": access.facility, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    networks, network = _network(request, request.POST.get("network"))
    operated_network(request.user, network)
    if request.method == "POST":
        form = RequestForm(request.POST)
        if form.is_valid():
            try:
                services.status_request_create(
                    actor=request.user,
                    network=network,
                    message=form.cleaned_data["message"],
                    request=request,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("全事業所に運営状況の更新を依頼しました（お知らせを配信しました）。"),
                )
                return redirect(f"{reverse('facility_status:board')}?network={network.slug}")
    else:
        form = RequestForm()
    return render(
        request,
        "facility_status/request.html",
        {"networks": networks, "network": network, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def request_remind(request, request_uuid):
    found = access_status_request(request.user, request_uuid)
    try:
        count = services.status_request_remind(
            actor=request.user, status_request=found, request=request
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("未更新の%(n)d事業所に再依頼しました。") % {"n": count})
    return redirect(f"{reverse('facility_status:board')}?network={found.network.slug}")
