"""The demo's operating statuses: one 受入制限 with an older report in its history, two 通常
with supplies; a second run creates nothing."""

import pytest
from django.core.management import call_command

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facility_status.models import CurrentStatus, FacilityStatus

pytestmark = pytest.mark.django_db


def test_demo_statuses_are_seeded_once():
    call_command("seed_demo", verbosity=0)
    rows = sorted(FacilityStatus.objects.values_list("uuid", "created_at"))
    assert len(rows) == 4
    current = {
        c.facility.name: c.entry for c in CurrentStatus.objects.select_related("facility", "entry")
    }
    restricted = current["ヘルパーステーション きぼう"]
    assert restricted.status == "restricted" and restricted.restrictions == ["new_clients", "other"]
    assert restricted.ppe == "short"
    history = FacilityStatus.objects.filter(facility=restricted.facility).order_by("-id")
    assert [e.status for e in history] == ["restricted", "normal"]
    assert history[1].is_stale and not restricted.is_stale
    assert current["訪問看護ステーション あおば"].status == "normal"
    assert current["いなまち内科クリニック"].disinfectant == "low"
    assert AuditEvent.objects.filter(action=Action.FACILITY_STATUS).count() == 4
    call_command("seed_demo", verbosity=0)
    assert sorted(FacilityStatus.objects.values_list("uuid", "created_at")) == rows
    assert AuditEvent.objects.filter(action=Action.FACILITY_STATUS).count() == 4
