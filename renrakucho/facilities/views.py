"""Facility application (public), staff management for facility admins, and the invitation
link. Thin views: access → form → service → render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renrakucho.networks.models import Network

from . import selectors, services
from .access import access_facility_as_admin, affiliation_of, invitation_of
from .forms import AccountForm, FacilityForm, InvitationForm, add_service_errors
from .services import InvitationUnusable


def _active_network(slug: str) -> Network:
    return get_object_or_404(Network, slug=slug, is_active=True)


@require_http_methods(["GET", "POST"])
def apply(request, slug):
    """Public application form. A signed-in professional applies as themself; anyone else
    creates the admin account with the application."""
    network = _active_network(slug)
    signed_in = request.user.is_authenticated
    data = request.POST if request.method == "POST" else None
    facility_form = FacilityForm(data, prefix="facility")
    account_form = None if signed_in else AccountForm(data, prefix="account")
    forms_ = [f for f in (facility_form, account_form) if f is not None]
    if data is not None and all([f.is_valid() for f in forms_]):
        try:
            services.facility_apply(
                network=network,
                facility=facility_form.cleaned_data,
                applicant=request.user if signed_in else None,
                account=account_form.to_account() if account_form else None,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(error, *forms_)
        else:
            return redirect("facilities:apply_done", slug=network.slug)
    return render(
        request,
        "facilities/apply.html",
        {"network": network, "facility_form": facility_form, "account_form": account_form},
    )


@require_GET
def apply_done(request, slug):
    return render(request, "facilities/apply_done.html", {"network": _active_network(slug)})


@login_required
@require_GET
def mine(request):
    return render(
        request,
        "facilities/mine.html",
        {
            "facilities": list(selectors.my_facilities(request.user)),
            "applications": list(selectors.my_applications(request.user)),
        },
    )


@login_required
@require_GET
def staff(request, facility_uuid):
    facility = access_facility_as_admin(request.user, facility_uuid)
    return render(request, "facilities/staff.html", _staff_context(facility, InvitationForm()))


def _staff_context(facility, invitation_form) -> dict:
    return {
        "facility": facility,
        "staff": selectors.facility_staff(facility),
        "invitations": selectors.open_invitations(facility),
        "invitation_form": invitation_form,
        "ttl_hours": settings.STAFF_INVITATION_TTL_HOURS,
    }


def _decide_staff(request, facility_uuid, affiliation_uuid, service, done_message):
    facility = access_facility_as_admin(request.user, facility_uuid)
    affiliation = affiliation_of(facility, affiliation_uuid)
    try:
        service(actor=request.user, affiliation=affiliation, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message)
    return redirect("facilities:staff", facility_uuid=facility.uuid)


@login_required
@require_POST
def staff_approve(request, facility_uuid, affiliation_uuid):
    return _decide_staff(
        request, facility_uuid, affiliation_uuid, services.staff_approve, _("承認しました。")
    )


@login_required
@require_POST
def staff_reject(request, facility_uuid, affiliation_uuid):
    return _decide_staff(
        request, facility_uuid, affiliation_uuid, services.staff_reject, _("却下しました。")
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_end(request, facility_uuid, affiliation_uuid):
    """GET: confirmation page. POST: end the affiliation (someone left the facility)."""
    facility = access_facility_as_admin(request.user, facility_uuid)
    affiliation = affiliation_of(facility, affiliation_uuid)
    error = None
    if request.method == "POST":
        try:
            services.affiliation_end(actor=request.user, affiliation=affiliation, request=request)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("所属を終了しました。"))
            return redirect("facilities:staff", facility_uuid=facility.uuid)
    return render(
        request,
        "facilities/staff_end.html",
        {"facility": facility, "affiliation": affiliation, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def staff_admin(request, facility_uuid, affiliation_uuid):
    """Give (is_admin=1) or take (is_admin=0) a staff member's facility-admin rights."""
    facility = access_facility_as_admin(request.user, facility_uuid)
    affiliation = affiliation_of(facility, affiliation_uuid)
    make_admin = request.POST.get("is_admin") == "1"
    try:
        services.affiliation_set_admin(
            actor=request.user, affiliation=affiliation, is_admin=make_admin, request=request
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("管理者にしました。") if make_admin else _("管理者権限を外しました。")
        )
    return redirect("facilities:staff", facility_uuid=facility.uuid)


@login_required
@require_POST
def invite(request, facility_uuid):
    """Create a one-time invitation link and show it this once (only its hash is kept)."""
    facility = access_facility_as_admin(request.user, facility_uuid)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return render(request, "facilities/staff.html", _staff_context(facility, form), status=400)
    invitation, raw = services.staff_invite(
        actor=request.user, facility=facility, note=form.cleaned_data["note"], request=request
    )
    link = request.build_absolute_uri(reverse("facilities:join", kwargs={"token": raw}))
    return render(
        request,
        "facilities/invitation_created.html",
        {"facility": facility, "invitation": invitation, "link": link},
    )


@login_required
@require_POST
def invitation_revoke(request, facility_uuid, invitation_uuid):
    facility = access_facility_as_admin(request.user, facility_uuid)
    invitation = invitation_of(facility, invitation_uuid)
    try:
        services.staff_invitation_revoke(actor=request.user, invitation=invitation, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("招待リンクを取り消しました。"))
    return redirect("facilities:staff", facility_uuid=facility.uuid)


def _unusable(request):
    return render(request, "facilities/join_unusable.html", status=410)


@require_http_methods(["GET", "POST"])
def join(request, token):
    """The invitation link. A visitor registers an account; a signed-in professional joins
    with their existing account. Either way the affiliation waits for the admin's approval."""
    try:
        invitation = services.invitation_find(token)
    except InvitationUnusable:
        return _unusable(request)
    signed_in = request.user.is_authenticated
    data = request.POST if request.method == "POST" else None
    form = None if signed_in else AccountForm(data, prefix="account", email_required=False)
    error = None
    if data is not None and (form is None or form.is_valid()):
        try:
            if signed_in:
                services.staff_join(raw_token=token, user=request.user, request=request)
            else:
                services.staff_register(raw_token=token, account=form.to_account(), request=request)
        except InvitationUnusable:
            return _unusable(request)
        except ValidationError as exc:
            if form is not None:
                add_service_errors(exc, form)
            else:
                error = exc
        else:
            return redirect("facilities:join_done")
    return render(
        request,
        "facilities/join.html",
        {"facility": invitation.facility, "form": form, "error": error},
        status=400 if error else 200,
    )


@require_GET
def join_done(request):
    return render(request, "facilities/join_done.html")
