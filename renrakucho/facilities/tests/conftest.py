"""Fixtures for facility application, staff management and invitation tests."""

import pytest

from renrakucho.accounts.models import Occupation, User
from renrakucho.facilities.models import Affiliation

NEW_PASSWORD = "kanri-pass-2026"


@pytest.fixture
def apply_data(db):
    """apply_data(**overrides) -> POST data of the public application form (prefixed fields)."""

    def make(*, account=True, **overrides):
        data = {
            "facility-name": "みのわ訪問看護ステーション",
            "facility-name_kana": "みのわほうもんかんご",
            "facility-facility_type": "visiting_nursing",
            "facility-facility_number": "2091234567",
            "facility-postal_code": "399-4511",
            "facility-address": "長野県上伊那郡南箕輪村1234",
            "facility-phone": "0265-72-0000",
        }
        if account:
            data.update(
                {
                    "account-username": "minowa-admin",
                    "account-password": NEW_PASSWORD,
                    "account-password_confirm": NEW_PASSWORD,
                    "account-name": "箕輪 管理",
                    "account-name_kana": "みのわ かんり",
                    "account-occupations": [Occupation.objects.get(code="nurse").pk],
                    "account-email": "admin@minowa.example.jp",
                }
            )
        data.update(overrides)
        return data

    return make


@pytest.fixture
def account_data(db):
    """account_data(**overrides) -> POST data of the invitation registration form."""

    def make(**overrides):
        data = {
            "account-username": "new-staff",
            "account-password": NEW_PASSWORD,
            "account-password_confirm": NEW_PASSWORD,
            "account-name": "新人 看護",
            "account-name_kana": "シンジン カンゴ",
            "account-occupations": [Occupation.objects.get(code="nurse").pk],
            "account-email": "",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def add_staff(db):
    """add_staff(facility, n, status="active") -> n users affiliated with `facility`, each
    with two occupations (so occupation loading is exercised)."""

    def make(facility, n, *, status=Affiliation.Status.ACTIVE, prefix="staff"):
        occupations = list(Occupation.objects.all()[:2])
        users = []
        for i in range(n):
            user = User.objects.create_user(
                f"{prefix}-{facility.pk}-{i}", "x", name=f"職員 {i}", name_kana=f"ショクイン {i}"
            )
            user.occupations.set(occupations)
            Affiliation.objects.create(user=user, facility=facility, status=status)
            users.append(user)
        return users

    return make
