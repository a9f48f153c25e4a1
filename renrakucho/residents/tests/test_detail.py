from __future__ import annotations

import datetime

from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents.models import Consent, KeyPerson, Resident

from .conftest import AUDIT_ROW, SIGNED_IN_OVERHEAD

BANNER = "情報共有の同意が登録されていないため、基本情報のみ表示しています。"


def url(p):
    return reverse("residents:detail", args=[p.resident.uuid])


def add_details(p):
    Resident.objects.filter(pk=p.resident.pk).update(
        lives_alone=True, disability=True, note="玄関は裏口から", primary_doctor=p.doctor,
        primary_doctor_note="伊那中央病院", postal_code="396-0025",
    )  # fmt: skip
    KeyPerson.objects.create(
        resident=p.resident, name="山田 太郎", name_kana="ヤマダ タロウ", relation="長男",
        phone="090-1111-2222", is_guardian=True,
    )  # fmt: skip


def test_card_with_consent_shows_everything(personas, client_for):
    add_details(personas)
    html = client_for(personas.nurse).get(url(personas)).content.decode()
    assert "山田 花子" in html and "ヤマダ ハナコ" in html
    age = personas.resident.age
    assert f"{age}歳" in html
    assert "昭和13年4月12日" in html and "1938年4月12日" in html  # wareki and Gregorian
    assert "女性" in html and "要介護2" in html
    assert "独居" in html and "障害" in html
    assert "長野県伊那市荒井1-1" in html and "0265-00-0000" in html and "396-0025" in html
    assert "山田 太郎" in html and "長男" in html and "成年後見人等" in html
    assert "伊那 一郎" in html and "伊那中央病院" in html
    assert "玄関は裏口から" in html
    assert BANNER not in html
    # Team summary.
    assert "介護 支援" in html and "ケアマネジャー" in html and "チームリーダー" in html
    assert "いーなクリニック" in html


def test_card_without_consent_shows_only_the_basic_card_and_banner(personas, client_for):
    add_details(personas)
    Consent.objects.update(revoked_on=personas.consent.consented_on)
    html = client_for(personas.nurse).get(url(personas)).content.decode()
    assert BANNER in html
    assert reverse("residents:consents", args=[personas.resident.uuid]) in html
    assert "山田 花子" in html and "要介護2" in html and "独居" in html
    for hidden in (
        "荒井1-1",
        "0265-00-0000",
        "山田 太郎",
        "090-1111-2222",
        "玄関は裏口から",
        "伊那中央病院",
    ):
        assert hidden not in html, hidden
    event = AuditEvent.objects.get(action=Action.RESIDENT_VIEW)
    assert event.detail == {"view": "card", "details": False}


def test_future_dated_consent_is_not_in_force(personas, client_for):
    Consent.objects.update(consented_on=datetime.date.today() + datetime.timedelta(days=3))
    assert BANNER in client_for(personas.doctor).get(url(personas)).content.decode()


def test_every_view_is_audited(personas, client_for):
    client = client_for(personas.doctor)
    client.get(url(personas))
    client.get(url(personas))
    events = AuditEvent.objects.filter(action=Action.RESIDENT_VIEW)
    assert events.count() == 2
    event = events.first()
    assert event.actor == personas.doctor
    assert event.resident_uuid == personas.resident.uuid
    assert event.network_id == personas.net_a.pk
    assert event.target_id == str(personas.resident.uuid)
    assert event.detail == {"view": "card", "details": True}


def test_operator_gets_access_history_link_members_do_not(personas, client_for):
    history = reverse("residents:access_history", args=[personas.resident.uuid])
    assert history in client_for(personas.operator_a).get(url(personas)).content.decode()
    assert history not in client_for(personas.caremanager).get(url(personas)).content.decode()


def test_card_query_count_does_not_grow(
    personas, client_for, more_members, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.nurse)
    client.get(url(personas))
    add_details(personas)
    _, small = count_queries(client, url(personas))  # 3 members, 1 key person
    more_members(15)
    for i in range(10):
        KeyPerson.objects.create(resident=personas.resident, name=f"親族 {i}", relation="親族")
    response, large = count_queries(client, url(personas))
    assert response.content.decode().count("親族 ") == 10
    assert small == large
    # access (1, with Network and primary doctor), key persons (1), team (3: members with
    # users; occupations; affiliations with facilities), current medications and diagnoses
    # (2), audit row.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 7 + AUDIT_ROW):
        client.get(url(personas))


# --- Access history ------------------------------------------------------------------------


def history_url(p):
    return reverse("residents:access_history", args=[p.resident.uuid])


def test_access_history_shows_who_what_when_ip(personas, client_for):
    client_for(personas.nurse).get(url(personas), REMOTE_ADDR="192.0.2.10")
    html = client_for(personas.operator_a).get(history_url(personas)).content.decode()
    assert "アクセス履歴" in html
    assert "看護 花子" in html and "カンゴ ハナコ" in html and "p-nurse" in html
    assert "支援対象者の閲覧" in html
    assert "192.0.2.10" in html
    assert "年" in html and "月" in html  # Japanese date-time
    event = AuditEvent.objects.filter(action=Action.AUDIT_VIEW).get()
    assert event.actor == personas.operator_a and event.resident_uuid == personas.resident.uuid


def test_access_history_only_shows_this_resident(personas, client_for):
    from renrakucho.testing.personas import add_member, make_resident

    other = make_resident(
        personas.net_a, personas.operator_a, name="田中 一郎", kana="タナカ イチロウ"
    )
    add_member(other, personas.pharmacist, "pharmacist")
    client_for(personas.pharmacist).get(reverse("residents:detail", args=[other.uuid]))
    html = client_for(personas.operator_a).get(history_url(personas)).content.decode()
    assert "薬 太郎" not in html


def test_access_history_is_keyset_paginated(personas, client_for):
    client = client_for(personas.nurse)
    for _ in range(55):
        client.get(url(personas))
    operator = client_for(personas.operator_a)
    first = operator.get(history_url(personas))
    assert first.content.decode().count("<tr>") == 51  # header + 50
    cursor = first.context["page"].next_cursor
    assert cursor and len(cursor) == 64  # the event hash, not an integer id
    second = operator.get(history_url(personas), {"before": cursor})
    rows = second.context["page"].items
    assert len(rows) == 5 and all(r.id < first.context["page"].items[-1].id for r in rows)
    assert "最新に戻る" in second.content.decode()


def test_access_history_query_count_does_not_grow(
    personas, client_for, count_queries, django_assert_max_num_queries
):
    operator = client_for(personas.operator_a)
    operator.get(history_url(personas))
    _, small = count_queries(operator, history_url(personas))
    nurse = client_for(personas.nurse)
    for _ in range(30):
        nurse.get(url(personas))
    response, large = count_queries(operator, history_url(personas))
    assert small == large
    # access (1), events with actors (1), audit row.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 2 + AUDIT_ROW):
        operator.get(history_url(personas))
