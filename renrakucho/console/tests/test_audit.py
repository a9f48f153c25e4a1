"""The operator's audit log (アクセスログ) page and `audit.selectors`."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.audit.selectors import AuditFilters, audit_events_in, network_audit_events
from renrakucho.audit.services import audit_record

pytestmark = pytest.mark.django_db

URL = reverse("console:audit")
ROW = '<li class="event">'


def _view(personas, actor=None, resident_uuid=None, network=None):
    return audit_record(
        action=Action.RESIDENT_VIEW,
        actor=actor or personas.nurse,
        network_id=(network or personas.net_a).id,
        target=personas.resident,
        resident_uuid=resident_uuid or personas.resident.uuid,
    )


def test_log_lists_the_networks_events_newest_first_in_japanese(client_for, personas):
    _view(personas, personas.doctor)
    _view(personas, personas.nurse)
    audit_record(action=Action.RESIDENT_VIEW, actor=personas.nurse_b, network_id=personas.net_b.id)
    response = client_for(personas.operator_a).get(URL, REMOTE_ADDR="203.0.113.1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "アクセスログ" in html
    assert "支援対象者の閲覧" in html  # the Japanese action label
    assert "看護 花子" in html and "カンゴ ハナコ" in html
    assert html.index("カンゴ ハナコ") < html.index("イナ イチロウ")  # newest first
    assert "南 看護" not in html  # Network B's event
    assert "支援対象者" in html and str(personas.resident.uuid) in html
    assert "年" in html and "月" in html  # |jdatetime
    assert "<script>" not in html and "style=" not in html


def test_reading_the_log_is_audited(client_for, personas):
    client_for(personas.operator_a).get(
        URL, {"resident": str(personas.resident.uuid)}, REMOTE_ADDR="203.0.113.1"
    )
    event = AuditEvent.objects.get(action=Action.AUDIT_VIEW)
    assert event.actor == personas.operator_a
    assert event.network_id == personas.net_a.id
    assert event.resident_uuid == personas.resident.uuid
    assert event.detail == {"filters": {"resident": str(personas.resident.uuid)}}
    assert event.ip == "203.0.113.1"


def test_login_events_of_the_networks_users_are_included(client_for, personas):
    audit_record(action=Action.LOGIN, actor=personas.pharmacist)  # no Network
    audit_record(action=Action.LOGIN, actor=personas.nurse_b)  # a user of B only
    html = client_for(personas.operator_a).get(URL).content.decode()
    assert "クスリ タロウ" in html
    assert "ミナミ カンゴ" not in html


def test_filters(client_for, personas):
    other_resident = "8a4d1c2e-0000-4000-8000-000000000001"
    _view(personas, personas.doctor)
    _view(personas, personas.nurse, resident_uuid=other_resident)
    audit_record(action=Action.TEAM_VIEW, actor=personas.caremanager, network_id=personas.net_a.id)
    client = client_for(personas.operator_a)

    def shown(**params):
        html = client.get(URL, params).content.decode()
        table = html[html.index('class="list audit-log"') :]
        return {
            kana for kana in ("イナ イチロウ", "カンゴ ハナコ", "カイゴ シエン") if kana in table
        }

    assert shown() == {"イナ イチロウ", "カンゴ ハナコ", "カイゴ シエン"}
    assert shown(action="team.view") == {"カイゴ シエン"}
    assert shown(actor="p-doctor") == {"イナ イチロウ"}
    assert shown(actor="P-DOCTOR") == {"イナ イチロウ"}
    assert shown(resident=other_resident) == {"カンゴ ハナコ"}
    today = timezone.localdate()
    assert len(shown(date_from=today.isoformat(), date_to=today.isoformat())) == 3
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert shown(date_from=tomorrow) == set()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert shown(date_to=yesterday) == set()


def test_date_range_uses_local_days(personas):
    # 2026-04-01 00:30 in Japan is still 31 March in UTC.
    with time_machine.travel(datetime.datetime(2026, 3, 31, 15, 30, tzinfo=datetime.UTC)):
        _view(personas)
    april = AuditFilters(date_from=datetime.date(2026, 4, 1), date_to=datetime.date(2026, 4, 1))
    march = AuditFilters(date_to=datetime.date(2026, 3, 31))
    assert len(network_audit_events([personas.net_a.id], april).events) == 1
    assert network_audit_events([personas.net_a.id], march).events == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"resident": "not-a-uuid"}, "支援対象者IDの形式が正しくありません。"),
        ({"date_from": "2026/13/45"}, "日付の形式が正しくありません"),
        (
            {"date_from": "2026-05-01", "date_to": "2026-04-01"},
            "開始日は終了日より前の日付にしてください。",
        ),
        ({"action": "no.such.action"}, "正しく選択してください"),
    ],
)
def test_bad_filters_are_japanese_errors_and_not_audited(client_for, personas, params, message):
    response = client_for(personas.operator_a).get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.AUDIT_VIEW).exists()


def test_keyset_pagination(client_for, personas):
    for _ in range(55):
        _view(personas)
    client = client_for(personas.operator_a)
    first = client.get(URL, {"actor": "p-nurse"}).content.decode()
    assert first.count(ROW) == 50
    start = first.rindex('href="?', 0, first.index("さらに古い記録")) + len('href="')
    query = first[start : first.index('"', start)].replace("&amp;", "&")
    assert "actor=p-nurse" in query and "before=" in query
    second = client.get(URL + query).content.decode()
    assert second.count(ROW) == 5
    assert "さらに古い記録" not in second
    page = network_audit_events([personas.net_a.id], AuditFilters(actor_username="p-nurse"))
    older = network_audit_events(
        [personas.net_a.id], AuditFilters(actor_username="p-nurse"), before=page.next_before
    )
    assert {e.id for e in page.events}.isdisjoint({e.id for e in older.events})
    assert max(e.id for e in older.events) < min(e.id for e in page.events)


# session, user, login policy (5), operated Networks (3), one page of events with actors,
# the AUDIT_VIEW row (savepoint, chain head, insert, head update, release), navigation (3).
AUDIT_QUERIES = 19


@pytest.mark.parametrize("n", [5, 50])
def test_query_count_does_not_grow(client_for, personas, django_assert_max_num_queries, n):
    actors = [personas.doctor, personas.nurse, personas.caremanager, personas.pharmacist]
    for i in range(n):
        _view(personas, actors[i % 4])
    client = client_for(personas.operator_a)  # may itself log a sign-in event
    in_scope = audit_events_in([personas.net_a.id]).count()
    with django_assert_max_num_queries(AUDIT_QUERIES):
        response = client.get(URL)
    html = response.content.decode()
    assert html.count(ROW) == min(in_scope, 50)


def test_other_network_operator_sees_none_of_as_events(client_for, personas):
    _view(personas)
    html = client_for(personas.operator_c).get(URL).content.decode()
    assert "カンゴ ハナコ" not in html
    assert '<strong class="action">支援対象者の閲覧</strong>' not in html
    empty = client_for(personas.operator_c).get(URL, {"actor": "p-nurse"}).content.decode()
    assert "該当する記録はありません。" in empty
