"""Reads for the account pages. Everything here is about the signed-in user's own account."""

from __future__ import annotations

from dataclasses import dataclass

from .middleware import has_confirmed_totp, two_factor_required
from .models import ApiToken, Occupation, User


@dataclass
class AccountOverview:
    user: User
    occupations: list[Occupation]
    affiliations: list  # facilities.Affiliation, with facility and facility.network
    operator_roles: list  # networks.OperatorRole, with network
    suspended_network_ids: set[int]
    otp_confirmed: bool
    otp_required: bool
    tokens: list[ApiToken]


def account_overview(user: User) -> AccountOverview:
    """The settings page: profile, affiliations with their Networks, two-factor status and
    active API tokens. A fixed number of queries whatever the counts (one per list, plus two
    for the two-factor status)."""
    occupations = list(user.occupations.all())
    affiliations = list(
        user.affiliations.filter(status__in=["active", "pending"])
        .select_related("facility__network")
        .order_by("facility__network__name", "facility__name")
    )
    operator_roles = list(
        user.operator_roles.filter(is_active=True).select_related("network").order_by("network")
    )
    suspended = set(
        user.suspensions.filter(lifted_at__isnull=True).values_list("network_id", flat=True)
    )
    tokens = list(
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
    )
    return AccountOverview(
        user=user,
        occupations=occupations,
        affiliations=affiliations,
        operator_roles=operator_roles,
        suspended_network_ids=suspended,
        otp_confirmed=has_confirmed_totp(user),
        otp_required=two_factor_required(user),
        tokens=tokens,
    )
