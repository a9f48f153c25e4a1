"""Query counts are part of the contract (ARCHITECTURE.md rule 8): the board (page and API)
and a facility's page run the same number of queries with 10 or 500 facilities, each with a
history of reports."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renrakucho.facilities.models import Facility, FacilityType
from renrakucho.facility_status.models import CurrentStatus, FacilityStatus, StatusKind
from renrakucho.facility_status.services import status_request_create

pytestmark = pytest.mark.django_db

# Every signed-in page also runs queries outside the view (session, user, the login policy,
# the navigation's counters of other apps); the contract is that the count does not grow.
OUTSIDE_THE_VIEW = 14
HISTORY = 3  # reports per facility
KINDS = [StatusKind.NORMAL, StatusKind.RESTRICTED, StatusKind.SUSPENDED]


def grow(personas, n: int) -> None:
    """n more approved facilities of Network A, each with HISTORY reports (the nurse's,
    straight to the database) and its current pointer."""
    types = FacilityType.values
    start = Facility.objects.count()
    facilities = Facility.objects.bulk_create(
        Facility(
            network=personas.net_a,
            name=f"事業所 {start + i}",
            name_kana=f"ジギョウショ {start + i}",
            facility_type=types[i % len(types)],
            address="伊那市",
            phone="0265-00-0000",
            status=Facility.Status.APPROVED,
        )
        for i in range(n)
    )
    entries = FacilityStatus.objects.bulk_create(
        FacilityStatus(
            facility=facility,
            status=KINDS[(i + h) % 3],
            restrictions=["short_stay"] if KINDS[(i + h) % 3] == StatusKind.RESTRICTED else [],
            reason="休止中" if KINDS[(i + h) % 3] == StatusKind.SUSPENDED else "",
            masks="short" if i % 2 else "enough",
            notes="PCR検査 実施可",
            updated_by=personas.nurse,
        )
        for i, facility in enumerate(facilities)
        for h in range(HISTORY)
    )
    CurrentStatus.objects.bulk_create(
        CurrentStatus(facility=facility, entry=entries[i * HISTORY + HISTORY - 1])
        for i, facility in enumerate(facilities)
    )


def count(client, url, **params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def two_sizes(personas, measure, small=10, large=500):
    grow(personas, small)
    first = measure()
    grow(personas, large - small)
    return first, measure()


@pytest.mark.parametrize("who", ["pharmacist", "operator_a"])
def test_board_page(personas, client_for, who):
    # The view: the user's Network links and the Networks (2), the counts (1), the board
    # with each current report and its author joined (1), my facilities (1); for an
    # operator the latest request (1) and its progress (1).
    if who == "operator_a":
        status_request_create(actor=personas.operator_a, network=personas.net_a)
    client = client_for(getattr(personas, who))
    url = reverse("facility_status:board")
    first, second = two_sizes(personas, lambda: count(client, url))
    assert first == second
    assert second <= (7 if who == "operator_a" else 5) + OUTSIDE_THE_VIEW
    filtered = count(client, url, type="clinic", status="restricted", shortage="1")
    assert filtered == second


def test_facility_page(personas, client_for):
    # Access (2), the history page with authors (1).
    client = client_for(personas.nurse)
    url = reverse("facility_status:facility", args=[personas.nursing_a.uuid])

    def measure():
        FacilityStatus.objects.bulk_create(
            FacilityStatus(facility=personas.nursing_a, status="normal", updated_by=personas.nurse)
            for _ in range(40)
        )
        return count(client, url)

    first, second = two_sizes(personas, measure)
    assert first == second
    assert second <= 3 + OUTSIDE_THE_VIEW
