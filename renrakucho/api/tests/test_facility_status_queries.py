"""Query counts of GET /facility-status and GET /facilities/{id}/status at two sizes (10 and
500 facilities, each with a history of reports; a facility with 40 and 80 reports)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renrakucho.facility_status.models import FacilityStatus
from renrakucho.facility_status.tests.test_queries import two_sizes

pytestmark = pytest.mark.django_db


def test_board_api(personas, api_for):
    # The token (1), can the owner log in (1), two-factor policy (1); the caller's Networks
    # (2), the board with each current report and its author joined (1), the counts (1).
    api = api_for(personas.pharmacist)
    api.get("/facility-status")  # stamps the token's last use (once a minute)

    def measure():
        with CaptureQueriesContext(connection) as context:
            response = api.get("/facility-status")
        assert response.status_code == 200
        return len(context.captured_queries), len(response.json()["items"])

    (first, n_small), (second, n_large) = two_sizes(personas, measure)
    assert (n_small, n_large) == (15, 505)
    assert first == second == 7


def test_facility_status_api(personas, api_for):
    api = api_for(personas.nurse)
    path = f"/facilities/{personas.nursing_a.uuid}/status"

    def measure():
        FacilityStatus.objects.bulk_create(
            FacilityStatus(facility=personas.nursing_a, status="normal", updated_by=personas.nurse)
            for _ in range(40)
        )
        with CaptureQueriesContext(connection) as context:
            assert api.get(path).status_code == 200
        return len(context.captured_queries)

    # The token and login policy (3), access (2), the history page with authors (1).
    api.get(path)  # stamps the token's last use (once a minute)
    first, second = two_sizes(personas, measure)
    assert first == second == 6
