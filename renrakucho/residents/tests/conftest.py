"""Fixtures of the resident screens' tests (the shared personas come from renrakucho/conftest)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renrakucho.residents.models import CareTeamMember, TeamRole
from renrakucho.testing.personas import add_consent, add_member, make_resident, make_user

KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


@pytest.fixture
def more_residents(personas):
    """more_residents(n, member=None, network=None) → n extra residents with a consent,
    `member` (if given) on each team with a role; names sort after 山田 花子 by kana."""

    def make(n, *, member=None, network=None, lead=False):
        network = network or personas.net_a
        made = []
        for i in range(n):
            resident = make_resident(
                network,
                personas.caremanager,
                name=f"試験 {i:03d}",
                kana=f"ン{KANA[i // len(KANA)]}{KANA[i % len(KANA)]} タロウ",
                birth_date=datetime.date(1940, 1, 1) + datetime.timedelta(days=i),
                lives_alone=bool(i % 2),
            )
            if member is not None:
                add_member(resident, member, TeamRole.OTHER, lead=lead)
            add_consent(resident, personas.caremanager)
            made.append(resident)
        return made

    return make


@pytest.fixture
def more_members(personas):
    """more_members(n, resident=None) → n professionals of Network A on the resident's team,
    plus a left member in the history and an open invitation for each pair."""

    def make(n, resident=None):
        resident = resident or personas.resident
        users = []
        for i in range(n):
            user = make_user(
                f"extra-{resident.pk}-{i}",
                f"追加 {i:03d}",
                f"ツイカ {KANA[i % len(KANA)]}",
                "home_helper",
                personas.nursing_a,
            )
            if i % 3 == 0:
                CareTeamMember.objects.create(
                    resident=resident, user=user, role=TeamRole.HOME_HELPER, invited_by=user
                )
            elif i % 3 == 1:
                CareTeamMember.objects.create(
                    resident=resident,
                    user=user,
                    role=TeamRole.HOME_HELPER,
                    status=CareTeamMember.Status.LEFT,
                    joined_at=timezone.now(),
                    ended_at=timezone.now(),
                    ended_by=user,
                )
            else:
                add_member(resident, user, TeamRole.HOME_HELPER)
            users.append(user)
        return users

    return make


@pytest.fixture
def count_queries():
    """count_queries(client, url) → (response, number of queries the request ran)."""

    def run(client, url, method="get", **kwargs):
        with CaptureQueriesContext(connection) as context:
            response = getattr(client, method)(url, **kwargs)
        return response, len(context.captured_queries)

    return run


# Queries every signed-in page runs outside the view: session and user (2); the login policy
# middleware: the user's active Networks (affiliations, operator roles, suspensions), a
# confirmed TOTP device, a Network requiring two-factor login (5); the navigation context
# processor: operated Networks (operator roles, suspensions) and facility-admin check (3).
SIGNED_IN_OVERHEAD = 10
# An audit row inside the request's transaction: savepoint, chain head, insert, head update,
# release.
AUDIT_ROW = 5
