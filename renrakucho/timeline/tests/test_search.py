"""Timeline search: within a resident's timeline and across my residents — kana/width
insensitive, filters, medical visibility, consent, keyset pages, audit rows, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents.models import Consent
from renrakucho.residents.tests.conftest import AUDIT_ROW, SIGNED_IN_OVERHEAD
from renrakucho.testing.personas import add_consent, add_member, make_resident
from renrakucho.timeline import search
from renrakucho.timeline.models import Post

from .interaction_helpers import make_post, make_posts, retract

HTMX = {"HTTP_HX_REQUEST": "true"}


def resident_url(personas, **query):
    url = reverse("timeline:search_resident", kwargs={"resident_uuid": personas.resident.uuid})
    return url, query


def found(response) -> list[str]:
    """The bodies of the posts listed, in order (from the excerpts)."""
    return [p.body for p in response.context["page"].items] if response.context["page"] else []


@pytest.fixture
def timeline(personas):
    posts = {
        "temp": make_post(personas.resident, personas.nurse, body="体温37.8℃、ﾊﾞｲﾀﾙは安定", kind="vitals"),
        "meal": make_post(personas.resident, personas.caremanager, body="夕食は半分ほど。バイタル問題なし"),
        "wound": make_post(
            personas.resident, personas.doctor, body="褥瘡の処置 バイタル", visibility="medical"
        ),
        "gone": retract(make_post(personas.resident, personas.nurse, body="バイタル誤記"), personas.nurse),
    }  # fmt: skip
    return posts


# --- Within one timeline --------------------------------------------------------------------


@pytest.mark.parametrize("q", ["バイタル", "ばいたる", "ﾊﾞｲﾀﾙ", " バイタル　"])
def test_kana_and_width_do_not_matter(personas, client_for, timeline, q):
    url, query = resident_url(personas, q=q)
    response = client_for(personas.doctor).get(url, query)
    assert sorted(found(response)) == sorted(
        ["体温37.8℃、ﾊﾞｲﾀﾙは安定", "夕食は半分ほど。バイタル問題なし", "褥瘡の処置 バイタル"]
    )


def test_every_word_must_occur(personas, client_for, timeline):
    url, query = resident_url(personas, q="ばいたる　安定")
    response = client_for(personas.doctor).get(url, query)
    assert found(response) == ["体温37.8℃、ﾊﾞｲﾀﾙは安定"]
    html = response.content.decode()
    assert reverse("timeline:post_detail", args=[timeline["temp"].uuid]) in html
    assert "看護 花子" in html and "カンゴ ハナコ" in html and "バイタル" in html


def test_medical_posts_only_for_medical_readers_and_retracted_never(personas, client_for, timeline):
    url, query = resident_url(personas, q="バイタル")
    bodies = found(client_for(personas.caremanager).get(url, query))
    assert "褥瘡の処置 バイタル" not in bodies and len(bodies) == 2
    assert "バイタル誤記" not in found(client_for(personas.doctor).get(url, query))
    # The operator (no medical occupation) reads the Network's timelines, medical posts aside.
    assert len(found(client_for(personas.operator_a).get(url, query))) == 2


def test_filters_kind_author_and_period(personas, client_for, timeline):
    client = client_for(personas.doctor)
    url, _ = resident_url(personas)
    assert found(client.get(url, {"kind": "vitals"})) == ["体温37.8℃、ﾊﾞｲﾀﾙは安定"]
    assert found(client.get(url, {"author": str(personas.caremanager.uuid)})) == [
        "夕食は半分ほど。バイタル問題なし"
    ]
    old = timeline["meal"]
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=1)).isoformat()
    bodies = found(client.get(url, {"q": "バイタル", "from": start, "to": today.isoformat()}))
    assert "夕食は半分ほど。バイタル問題なし" not in bodies and len(bodies) == 2
    last_month = (today - datetime.timedelta(days=40)).isoformat()
    assert found(client.get(url, {"from": last_month, "to": last_month})) == [
        "夕食は半分ほど。バイタル問題なし"
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "昨日"}, "日付は 2026-04-01 の形で入力してください。"),
        (
            {"from": "2026-05-02", "to": "2026-05-01"},
            "期間の終わりは始まりより後の日付にしてください。",
        ),
        ({"kind": "diary"}, "記事の種類を選択肢から選んでください。"),
        ({"author": "someone"}, "書いた人を選択肢から選んでください。"),
    ],
)
def test_bad_filters_are_explained_in_japanese(personas, client_for, timeline, query, message):
    url, _ = resident_url(personas)
    response = client_for(personas.doctor).get(url, query)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert response.context["page"] is None
    assert not AuditEvent.objects.filter(action=Action.POST_VIEW).exists()


def test_empty_search_shows_the_form_only(personas, client_for, timeline):
    url, _ = resident_url(personas)
    response = client_for(personas.nurse).get(url)
    assert response.status_code == 200
    assert "タイムラインの検索" in response.content.decode()
    assert response.context["page"] is None


def test_resident_search_is_audited_with_the_posts_found(personas, client_for, timeline):
    url, query = resident_url(personas, q="夕食")
    client_for(personas.nurse).get(url, query)
    event = AuditEvent.objects.get(action=Action.POST_VIEW)
    assert event.resident_uuid == personas.resident.uuid
    assert event.detail == {"view": "search", "posts": [str(timeline["meal"].uuid)]}
    assert "夕食" not in str(event.detail)  # never the words searched


def test_keyset_pages(personas, client_for):
    posts = make_posts(personas.resident, [personas.nurse], 45, body="訪問記録 {i}")
    client = client_for(personas.doctor)
    url, _ = resident_url(personas)
    first = client.get(url, {"q": "訪問記録"})
    assert [p.pk for p in first.context["page"].items] == [p.pk for p in reversed(posts)][:20]
    assert first.context["page"].next_cursor == str(posts[25].uuid)
    assert "さらに表示" in first.content.decode()
    second = client.get(url, {"q": "訪問記録", "before": first.context["page"].next_cursor})
    assert [p.pk for p in second.context["page"].items] == [p.pk for p in reversed(posts)][20:40]
    partial = client.get(url, {"q": "訪問記録", "before": str(posts[5].uuid)}, **HTMX)
    html = partial.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert html.count('class="post-summary"') == 5


def test_resident_search_query_count_does_not_grow_with_posts(personas, client_for):
    client = client_for(personas.doctor)
    url, _ = resident_url(personas)

    def measure():
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, {"q": "経過"})
        return response, len(context.captured_queries)

    make_posts(personas.resident, [personas.nurse, personas.caremanager], 5, body="経過 {i}")
    client.get(url, {"q": "経過"})  # warm-up
    _, small = measure()
    make_posts(personas.resident, [personas.nurse, personas.caremanager], 45, body="経過 {i}")
    response, large = measure()
    assert response.content.decode().count('class="post-summary"') == 20
    # access (resident + is_medical: 2), the authors for the filter (1), the page with its
    # authors (1), the audit row.
    assert small == large <= SIGNED_IN_OVERHEAD + 4 + AUDIT_ROW


# --- Across my residents ---------------------------------------------------------------------


@pytest.fixture
def others(personas):
    """Another resident on the doctor's team (consent in force), one not on it, one in
    Network B, and one of the doctor's without consent."""
    on_team = make_resident(
        personas.net_a, personas.caremanager, name="佐藤 一郎", kana="サトウ イチロウ"
    )
    add_member(on_team, personas.doctor, "primary_doctor")
    add_consent(on_team, personas.caremanager)
    elsewhere = make_resident(
        personas.net_a, personas.caremanager, name="鈴木 次郎", kana="スズキ ジロウ"
    )
    add_member(elsewhere, personas.caremanager, "care_manager")
    add_consent(elsewhere, personas.caremanager)
    network_b = make_resident(
        personas.net_b, personas.nurse_b, name="高橋 三郎", kana="タカハシ サブロウ"
    )
    add_member(network_b, personas.nurse_b, "visiting_nurse")
    add_consent(network_b, personas.nurse_b)
    no_consent = make_resident(
        personas.net_a, personas.caremanager, name="田中 四郎", kana="タナカ シロウ"
    )
    add_member(no_consent, personas.doctor, "primary_doctor")
    for resident, author in (
        (personas.resident, personas.nurse),
        (on_team, personas.doctor),
        (elsewhere, personas.caremanager),
        (network_b, personas.nurse_b),
        (no_consent, personas.doctor),
    ):
        make_post(resident, author, body=f"{resident.name}さん 服薬確認")
    return on_team, elsewhere, network_b, no_consent  # fmt: skip


def search_all(client, **query):
    return client.get(reverse("timeline:search"), query)


def test_across_my_residents_only_where_the_timeline_is_open_to_me(personas, client_for, others):
    response = search_all(client_for(personas.doctor), q="服薬　確認")
    assert sorted(found(response)) == ["佐藤 一郎さん 服薬確認", "山田 花子さん 服薬確認"]
    html = response.content.decode()
    assert "サトウ イチロウ" in html and "ヤマダ ハナコ" in html  # residents shown with kana
    # The operator of A reaches every resident of A with a consent in force.
    assert sorted(found(search_all(client_for(personas.operator_a), q="服薬"))) == [
        "佐藤 一郎さん 服薬確認",
        "山田 花子さん 服薬確認",
        "鈴木 次郎さん 服薬確認",
    ]
    assert found(search_all(client_for(personas.nurse_b), q="服薬")) == ["高橋 三郎さん 服薬確認"]
    assert found(search_all(client_for(personas.pharmacist), q="服薬")) == []
    assert found(search_all(client_for(personas.operator_c), q="服薬")) == []


def test_across_my_residents_respects_medical_visibility(personas, client_for, others):
    make_post(personas.resident, personas.doctor, body="点滴 服薬変更", visibility="medical")
    assert "点滴 服薬変更" in found(search_all(client_for(personas.nurse), q="点滴"))
    assert found(search_all(client_for(personas.caremanager), q="点滴")) == []


def test_consent_revoked_hides_the_timeline_from_search(personas, client_for, others):
    Consent.objects.filter(resident=personas.resident).update(
        revoked_on=personas.consent.consented_on
    )
    assert found(search_all(client_for(personas.doctor), q="服薬")) == ["佐藤 一郎さん 服薬確認"]


def test_across_search_is_audited_with_residents_and_posts(personas, client_for, others):
    response = search_all(client_for(personas.doctor), q="服薬")
    event = AuditEvent.objects.get(action=Action.RESIDENT_LIST)
    assert event.detail["view"] == "timeline_search"
    assert sorted(event.detail["residents"]) == sorted(
        [str(personas.resident.uuid), str(others[0].uuid)]
    )
    assert sorted(event.detail["posts"]) == sorted(
        str(p.uuid) for p in response.context["page"].items
    )
    assert event.network_id == personas.net_a.pk


def test_empty_across_search_finds_nothing_and_audits_nothing(personas, client_for, others):
    response = search_all(client_for(personas.doctor))
    assert response.status_code == 200 and "記事の検索" in response.content.decode()
    assert response.context["page"] is None
    response = search_all(client_for(personas.doctor), q="   ")
    assert response.context["page"].items == []
    assert not AuditEvent.objects.filter(action=Action.RESIDENT_LIST).exists()


def test_across_search_keyset_pages_and_query_count(personas, client_for, more_residents):
    client = client_for(personas.nurse)

    def measure(**query):
        with CaptureQueriesContext(connection) as context:
            response = search_all(client, **query)
        return response, len(context.captured_queries)

    residents = [personas.resident, *more_residents(1, member=personas.nurse)]
    for i, resident in enumerate(residents * 3):
        make_post(resident, personas.doctor, body=f"定期訪問 {i}")
    search_all(client, q="定期訪問")  # warm-up
    _, small = measure(q="定期訪問")  # 2 residents, 6 posts
    residents += more_residents(23, member=personas.nurse)
    for i, resident in enumerate(residents * 2):
        make_post(resident, personas.doctor, body=f"定期訪問 {i}")
    response, large = measure(q="定期訪問")  # 25 residents, 56 posts
    page = response.context["page"]
    assert len(page.items) == search.PAGE_SIZE and page.next_cursor
    # The page with resident and author (1), the audit row.
    assert small == large <= SIGNED_IN_OVERHEAD + 1 + AUDIT_ROW
    second = search_all(client, q="定期訪問", before=page.next_cursor)
    ids = [p.pk for p in page.items] + [p.pk for p in second.context["page"].items]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 40


@pytest.fixture
def more_residents(personas):
    from renrakucho.residents.tests.conftest import KANA

    def make(n, *, member):
        made = []
        for i in range(n):
            resident = make_resident(
                personas.net_a, personas.caremanager, name=f"検索 {i:03d}",
                kana=f"ケンサク {KANA[i % len(KANA)]}",
            )  # fmt: skip
            add_member(resident, member, "visiting_nurse")
            add_member(resident, personas.doctor, "primary_doctor")
            add_consent(resident, personas.caremanager)
            made.append(resident)
        return made

    return make
