"""Agreement screens for operators (/agreements/): their Networks' Agreements, the propose
form, one Agreement with the buttons its reader may use (accept, decline, leave, end,
invite); and the superusers' overview (/agreements/overview/) of every Agreement with its
municipalities and 二次医療圏.

Thin function views: access (agreements.access) → form → service → redirect or render.
Non-operators get 404 everywhere (superusers read the overview and any Agreement); writes
are audited by the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renrakucho.networks.models import Network, Prefecture

from . import selectors, services
from .access import access_agreement, operator_network_ids
from .forms import InviteForm, ProposeForm, ReasonForm
from .models import AgreementParty


@login_required
@require_GET
def agreement_list(request):
    operated = operator_network_ids(request.user)
    return render(
        request,
        "agreements/list.html",
        {"mine": selectors.my_agreements(operated), "operated": operated},
    )


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def propose(request):
    operated = operator_network_ids(request.user)
    networks = list(Network.objects.filter(id__in=operated).order_by("name"))
    query = request.GET.get("q", "").strip()[:50]
    partners = selectors.network_choices(query=query)
    kwargs = {"networks": networks, "partners": partners}
    if request.method == "POST":
        form = ProposeForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                agreement = services.agreement_propose(
                    actor=request.user,
                    network=data["network"],
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    partner_networks=list(data["partner_networks"]),
                    description=data["description"],
                    request=request,
                    **services.allows_flags(data["allows"]),
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request, _("協定を提案しました。相手のネットワークの承諾を待っています。")
                )
                return redirect("agreements:detail", agreement_uuid=agreement.uuid)
    else:
        form = ProposeForm(**kwargs)
    return render(request, "agreements/propose.html", {"form": form, "query": query})


@login_required
@require_GET
def detail(request, agreement_uuid):
    access = access_agreement(request.user, agreement_uuid, areas=True)
    row = selectors.AgreementRow(
        access.agreement,
        access.parties,
        selectors.phase_of(access.agreement, access.parties, access.today),
    )
    invite_form = None
    if access.can_invite:
        invitable = access.invitable_networks()
        invite_form = InviteForm(networks=invitable) if invitable else None
    return render(
        request,
        "agreements/detail.html",
        {"access": access, "row": row, "agreement": access.agreement, "invite_form": invite_form},
    )


def _done(request, access, message):
    messages.success(request, message)
    return redirect("agreements:detail", agreement_uuid=access.agreement.uuid)


def _failed(request, access, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)
    return redirect("agreements:detail", agreement_uuid=access.agreement.uuid)


def _reason(request) -> str:
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@login_required
@require_POST
def accept(request, agreement_uuid):
    access = access_agreement(request.user, agreement_uuid)
    party = access.my_party(AgreementParty.Status.INVITED, request.POST.get("network"))
    try:
        services.party_accept(actor=request.user, party=party, request=request)
    except ValidationError as error:
        return _failed(request, access, error)
    return _done(request, access, _("協定への参加を承諾しました。"))


@login_required
@require_POST
def decline(request, agreement_uuid):
    access = access_agreement(request.user, agreement_uuid)
    party = access.my_party(AgreementParty.Status.INVITED, request.POST.get("network"))
    try:
        services.party_decline(
            actor=request.user, party=party, reason=_reason(request), request=request
        )
    except ValidationError as error:
        return _failed(request, access, error)
    return _done(request, access, _("協定への参加を辞退しました。"))


@login_required
@require_POST
def leave(request, agreement_uuid):
    access = access_agreement(request.user, agreement_uuid)
    party = access.my_party(AgreementParty.Status.ACCEPTED, request.POST.get("network"))
    try:
        services.party_leave(
            actor=request.user, party=party, reason=_reason(request), request=request
        )
    except ValidationError as error:
        return _failed(request, access, error)
    return _done(request, access, _("協定から離脱しました。"))


@login_required
@require_POST
def end(request, agreement_uuid):
    access = access_agreement(request.user, agreement_uuid)
    if not access.mine:
        raise PermissionDenied
    try:
        services.agreement_end(
            actor=request.user,
            agreement=access.agreement,
            reason=_reason(request),
            request=request,
        )
    except ValidationError as error:
        return _failed(request, access, error)
    return _done(
        request, access, _("協定を終了しました。すべての参加ネットワークで無効になりました。")
    )


@login_required
@require_POST
def invite(request, agreement_uuid):
    access = access_agreement(request.user, agreement_uuid)
    if not access.mine:
        raise PermissionDenied
    form = InviteForm(request.POST, networks=access.invitable_networks())
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("agreements:detail", agreement_uuid=access.agreement.uuid)
    try:
        services.agreement_invite(
            actor=request.user,
            agreement=access.agreement,
            network=form.cleaned_data["network"],
            request=request,
        )
    except ValidationError as error:
        return _failed(request, access, error)
    return _done(request, access, _("ネットワークを協定に招待しました。"))


@login_required
@require_GET
def overview(request):
    """Every Agreement with its Networks, municipalities and 二次医療圏 (superusers only;
    404 for anyone else). `?prefecture=20` keeps those naming a Network of that prefecture."""
    if not request.user.is_superuser:
        raise Http404
    prefecture = request.GET.get("prefecture", "")
    if prefecture not in Prefecture.values:
        prefecture = ""
    rows = selectors.overview(prefecture=prefecture)
    return render(
        request,
        "agreements/overview.html",
        {
            "rows": rows,
            "prefecture": prefecture,
            "prefectures": Prefecture.choices,
            "spanning": sum(1 for r in rows if r.spans_areas),
        },
    )
