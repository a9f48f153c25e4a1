"""Who may manage a facility's staff (事業所管理者).

A facility is managed by its active admins while the facility is approved and the admin is not
suspended in the facility's Network. Anyone else, and any missing facility, gets Http404.
"""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from renrakucho.networks.models import Suspension

from .models import Affiliation, Facility, StaffInvitation


def facilities_administered_by(user) -> QuerySet[Facility]:
    """Approved facilities where `user` is an active admin, in Networks not suspending them."""
    if not user.is_authenticated:
        return Facility.objects.none()
    return (
        Facility.objects.filter(status=Facility.Status.APPROVED)
        .filter(
            Exists(
                Affiliation.objects.filter(
                    facility=OuterRef("pk"),
                    user=user,
                    is_admin=True,
                    status=Affiliation.Status.ACTIVE,
                )
            )
        )
        .exclude(
            Exists(
                Suspension.objects.filter(
                    network=OuterRef("network"), user=user, lifted_at__isnull=True
                )
            )
        )
    )


def _as_uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404


def access_facility_as_admin(user, facility_uuid) -> Facility:
    """The facility `user` administers, or Http404 (missing, not approved, not an admin)."""
    facility = (
        facilities_administered_by(user)
        .select_related("network")
        .filter(uuid=_as_uuid(facility_uuid))
        .first()
    )
    if facility is None:
        raise Http404
    return facility


def affiliation_of(facility: Facility, affiliation_uuid) -> Affiliation:
    """One affiliation of an already-accessed facility, or Http404."""
    affiliation = (
        Affiliation.objects.select_related("user")
        .filter(facility=facility, uuid=_as_uuid(affiliation_uuid))
        .first()
    )
    if affiliation is None:
        raise Http404
    return affiliation


def invitation_of(facility: Facility, invitation_uuid) -> StaffInvitation:
    invitation = StaffInvitation.objects.filter(
        facility=facility, uuid=_as_uuid(invitation_uuid)
    ).first()
    if invitation is None:
        raise Http404
    return invitation
