"""Demo data of the meetings app: for 山田 花子 (伊那市), a 退院時カンファレンス of her team in
three days with a Jitsi link, and an earlier サービス担当者会議 with answers and minutes shared
to her timeline. Written through meetings.services as the demo users (audited and notified
like real ones); a meeting already there (looked up by Network, resident, kind and title) is
left as it is, so a second run creates nothing."""

from __future__ import annotations

import datetime
from collections import Counter

from django.utils import timezone

from renrakucho.meetings import services
from renrakucho.meetings.access import access_meeting
from renrakucho.meetings.models import Meeting
from renrakucho.residents.models import Resident
from renrakucho.timeline.access import access_timeline

ORGANIZER = "demo-caremanager"
UPCOMING_TITLE = "退院時カンファレンス（伊那中央病院 地域連携室と）"
PAST_TITLE = "サービス担当者会議（訪問看護の回数の見直し）"
PAST_MINUTES = (
    "出席: 向山（ケアマネ）、主治医、訪問看護、薬剤師。\n"
    "・SpO2 低下時の対応を確認。訪問看護は当面週3回を継続。\n"
    "・服薬は一包化を継続し、残薬確認を薬剤師が月1回行う。\n"
    "・ご本人の希望は「できるだけ家で過ごしたい」。ご家族（長女）も同意。"
)
PAST_DECISIONS = "訪問看護 週3回を継続／次回の担当者会議は退院後2週間以内"


def _at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    local = timezone.localtime() + datetime.timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _existing(resident, kind: str, title: str) -> bool:
    # Seeding is an operator job with no user: the natural-key lookup is not an access path.
    return Meeting.objects.filter(
        network=resident.network, resident=resident, kind=kind, title=title
    ).exists()


def seed_meetings(users: dict, facilities: dict, networks: dict, created: Counter) -> None:
    """Create whatever of this app's demo data is missing, through its services."""
    resident = Resident.objects.filter(network=networks["ina"], name="山田 花子").first()
    if resident is None or ORGANIZER not in users:
        return
    organizer = users[ORGANIZER]
    access = access_timeline(organizer, resident.uuid)
    if not _existing(resident, "discharge", UPCOMING_TITLE):
        meeting = services.meeting_create(
            actor=organizer,
            network=resident.network,
            kind="discharge",
            title=UPCOMING_TITLE,
            purpose="入院中の山田 花子さんの退院に向け、在宅での支援体制を確認する。",
            agenda="1. 入院中の経過（病院）\n2. 退院日と退院後の訪問体制\n3. 服薬の変更点\n4. 福祉用具",
            starts_at=_at(3, 14),
            duration_minutes=60,
            audience=services.Audience(timeline=access),
        )
        for username in ("demo-doctor", "demo-nurse"):
            user = users[username]
            services.meeting_respond(
                actor=user, access=access_meeting(user, meeting.uuid), response="attend"
            )
        created["meetings"] += 1
    if not _existing(resident, "service", PAST_TITLE):
        _seed_past(users, organizer, access, created)


def _seed_past(users: dict, organizer, access, created: Counter) -> None:
    """Scheduled as if ahead (the service refuses the past), answered, then moved two days
    back; its minutes are written now (the newest post of her timeline)."""
    meeting = services.meeting_create(
        actor=organizer,
        network=access.resident.network,
        kind="service",
        title=PAST_TITLE,
        agenda="1. 最近の様子\n2. 訪問看護の回数\n3. 服薬管理",
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        duration_minutes=45,
        audience=services.Audience(timeline=access),
    )
    for username, response in (
        ("demo-doctor", "attend"),
        ("demo-nurse", "attend"),
        ("demo-pharmacist", "attend"),
        ("demo-helper", "decline"),
    ):
        user = users[username]
        services.meeting_respond(
            actor=user, access=access_meeting(user, meeting.uuid), response=response
        )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=_at(-2, 16))
    services.minutes_save(
        actor=organizer,
        access=access_meeting(organizer, meeting.uuid),
        body=PAST_MINUTES,
        decisions=PAST_DECISIONS,
    )
    created["meetings"] += 1
    created["minutes"] += 1
