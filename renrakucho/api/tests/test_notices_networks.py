"""GET /api/v1/notices across Networks: notices of every Network the caller acts in; a
suspension by one Network's operator hides that Network's notices only."""

from __future__ import annotations

import pytest

from renrakucho.facilities.models import Affiliation, FacilityType
from renrakucho.networks.models import OperatorRole, Suspension
from renrakucho.notices import services
from renrakucho.notices.selectors import Segment
from renrakucho.testing.personas import make_facility, make_user

pytestmark = pytest.mark.django_db


def test_api_inbox_spans_networks_and_respects_a_suspension(personas, api_for):
    office_b = make_facility(
        personas.net_b, "みなみ居宅介護支援事業所", FacilityType.CARE_MANAGEMENT
    )
    user = personas.caremanager
    Affiliation.objects.create(user=user, facility=office_b, status=Affiliation.Status.ACTIVE)
    operator_b = make_user(
        "op-b", "南箕輪 運営", "ミナミミノワ ウンエイ", "municipal_officer", personas.nursing_b
    )
    OperatorRole.objects.create(network=personas.net_b, user=operator_b)
    for network, actor, title in [
        (personas.net_a, personas.operator_a, "伊那市からのお知らせ"),
        (personas.net_b, operator_b, "南箕輪村からのお知らせ"),
    ]:
        services.notice_publish(
            actor=actor, network=network, title=title, body="本文です。", segment=Segment()
        )
    api = api_for(user)
    body = api.get("/notices").json()
    assert {row["title"] for row in body["pending"]} == {
        "南箕輪村からのお知らせ",
        "伊那市からのお知らせ",
    }
    notice_b = user.notice_inbox.get(notice__title="南箕輪村からのお知らせ").notice
    Suspension.objects.create(
        network=personas.net_b, user=user, reason="確認のため", suspended_by=operator_b
    )
    body = api.get("/notices").json()
    assert [row["title"] for row in body["pending"] + body["items"]] == ["伊那市からのお知らせ"]
    assert api.post(f"/notices/{notice_b.uuid}/read").status_code == 404
