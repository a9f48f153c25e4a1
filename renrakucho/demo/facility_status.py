"""Demo data of the facility_status app (issue 4): operating statuses of 伊那市's facilities.

ヘルパーステーション きぼう restricts new clients (staff in quarantine) after an ordinary
report three weeks ago (its history); the nursing station and the clinic run normally and
report their supplies. Reports go through the service (audited as their demo authors); a
facility that already has a report is left alone, so a second run creates nothing.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from renrakucho.facility_status.access import access_facility
from renrakucho.facility_status.models import FacilityStatus
from renrakucho.facility_status.services import facility_status_update


@dataclass(frozen=True)
class ReportSpec:
    facility: str
    author: str
    hours_ago: int
    status: str
    restrictions: tuple[str, ...] = ()
    restriction_note: str = ""
    reason: str = ""
    supplies: dict = field(default_factory=dict)
    notes: str = ""


ENOUGH = {"masks": "enough", "gloves": "enough", "disinfectant": "enough", "ppe": "enough"}

# Oldest first, per facility.
REPORTS = [
    ReportSpec("ina-home-help", "demo-helper", 21 * 24, "normal", supplies=ENOUGH),
    ReportSpec(
        "ina-home-help", "demo-helper", 30, "restricted",
        restrictions=("new_clients", "other"),
        restriction_note="新規の訪問は2週間程度お待ちいただきます",
        reason="職員2名が療養中のため、人員が不足しています。",
        supplies={"masks": "low", "gloves": "enough", "disinfectant": "enough", "ppe": "short"},
        notes="既存の利用者の訪問は継続しています。ガウンの融通をお願いできる事業所はご連絡ください。",
    ),
    ReportSpec(
        "ina-nursing", "demo-nurse", 20, "normal", supplies=ENOUGH,
        notes="発熱のある方への訪問も防護具を着用して対応できます。",
    ),
    ReportSpec(
        "ina-clinic", "demo-doctor", 3, "normal",
        supplies={"masks": "enough", "gloves": "enough", "disinfectant": "low", "ppe": "enough"},
        notes="発熱外来 平日14時〜16時（要電話予約）。PCR検査 実施可。",
    ),
]  # fmt: skip


def seed_facility_status(users: dict, facilities: dict, networks: dict, created: Counter) -> None:
    """Create whatever of this app's demo data is missing, through its services."""
    reported = set(
        FacilityStatus.objects.filter(
            facility__in=[facilities[spec.facility] for spec in REPORTS]
        ).values_list("facility_id", flat=True)
    )
    now = timezone.now()
    for spec in REPORTS:
        facility = facilities[spec.facility]
        if facility.pk in reported:
            continue
        author = users[spec.author]
        entry = facility_status_update(
            actor=author,
            access=access_facility(author, facility.uuid, write=True),
            status=spec.status,
            restrictions=spec.restrictions,
            restriction_note=spec.restriction_note,
            reason=spec.reason,
            supplies=spec.supplies,
            notes=spec.notes,
        )
        moment = now - datetime.timedelta(hours=spec.hours_ago)
        FacilityStatus.objects.filter(pk=entry.pk).update(created_at=moment, updated_at=moment)
        created["facility statuses"] += 1
