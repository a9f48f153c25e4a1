"""Fixtures for the operator console tests."""

import pytest

from renrakucho.accounts.models import Occupation, User
from renrakucho.facilities.models import Affiliation
from renrakucho.facilities.services import NewAccount, facility_apply


@pytest.fixture
def apply_facility(db):
    """apply_facility(network, name=..., username=...) -> a pending Facility with a new
    applicant admin, made through the real application service."""

    def make(
        network, *, name="箕輪訪問看護", username="applicant", facility_type="visiting_nursing"
    ):
        return facility_apply(
            network=network,
            facility={
                "name": name,
                "name_kana": "ミノワホウモンカンゴ",
                "facility_type": facility_type,
                "address": "長野県上伊那郡箕輪町1",
                "phone": "0265-79-0000",
            },
            account=NewAccount(
                username=username,
                password="applicant-pass-2026",
                name="申請 太郎",
                name_kana="シンセイ タロウ",
                email="applicant@example.jp",
                occupations=[Occupation.objects.get(code="nurse")],
            ),
        )

    return make


@pytest.fixture
def add_users(db):
    """add_users(facility, n) -> n active staff of `facility`, each with an occupation."""

    def make(facility, n, *, prefix="user"):
        occupation = Occupation.objects.get(code="nurse")
        users = []
        for i in range(n):
            user = User.objects.create_user(
                f"{prefix}-{facility.pk}-{i}", "x", name=f"利用 {i}", name_kana=f"リヨウ {i:03d}"
            )
            user.occupations.add(occupation)
            Affiliation.objects.create(user=user, facility=facility, status="active")
            users.append(user)
        return users

    return make
