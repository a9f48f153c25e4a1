from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents.models import CareLevel
from renrakucho.testing.personas import make_resident

from .conftest import AUDIT_ROW, SIGNED_IN_OVERHEAD

URL = reverse("residents:list")


@pytest.mark.parametrize(
    "q", ["やまだ", "ﾔﾏﾀﾞ", "ヤマダ", "山田", "やまだはなこ", "ﾔﾏﾀﾞ ﾊﾅｺ", "花子"]
)
def test_search_is_width_and_kana_insensitive(personas, client_for, q):
    make_resident(personas.net_a, personas.caremanager, name="田中 一郎", kana="タナカ イチロウ")
    html = client_for(personas.operator_a).get(URL, {"q": q}).content.decode()
    assert "山田 花子" in html
    assert "田中 一郎" not in html


def test_search_without_match_says_so_in_japanese(personas, client_for):
    html = client_for(personas.nurse).get(URL, {"q": "すずき"}).content.decode()
    assert "該当する支援対象者はいません。" in html
    assert "山田 花子" not in html


def test_members_see_their_teams_operators_their_network(personas, client_for):
    other = make_resident(
        personas.net_a, personas.operator_a, name="田中 一郎", kana="タナカ イチロウ"
    )
    make_resident(personas.net_b, personas.nurse_b, name="南 次郎", kana="ミナミ ジロウ")
    nurse_html = client_for(personas.nurse).get(URL).content.decode()
    assert "山田 花子" in nurse_html and "田中 一郎" not in nurse_html
    operator_html = client_for(personas.operator_a).get(URL).content.decode()
    assert "山田 花子" in operator_html and "田中 一郎" in operator_html
    assert "南 次郎" not in operator_html
    # "Only my teams" narrows an operator's list to the teams they are on (none).
    mine = client_for(personas.operator_a).get(URL, {"mine": "1"}).content.decode()
    assert "山田 花子" not in mine
    assert other.uuid


@pytest.mark.parametrize("who", ["pharmacist", "nurse_b", "operator_c"])
def test_outsiders_list_nothing(personas, client_for, who):
    response = client_for(getattr(personas, who)).get(URL, {"q": "やまだ"})
    assert response.status_code == 200
    assert "山田 花子" not in response.content.decode()
    assert AuditEvent.objects.get(action=Action.RESIDENT_LIST).detail["residents"] == []


def test_filters_by_care_level_and_flags(personas, client_for):
    make_resident(
        personas.net_a, personas.operator_a, name="田中 一郎", kana="タナカ イチロウ",
        care_level=CareLevel.SUPPORT_1, lives_alone=True,
    )  # fmt: skip
    make_resident(
        personas.net_a, personas.operator_a, name="鈴木 三郎", kana="スズキ サブロウ",
        care_level=CareLevel.CARE_5, lives_alone=True, disability=True,
    )  # fmt: skip
    client = client_for(personas.operator_a)

    def names(**params):
        html = client.get(URL, params).content.decode()
        return {n for n in ("山田 花子", "田中 一郎", "鈴木 三郎") if n in html}

    assert names(care_level=["support_1"]) == {"田中 一郎"}
    assert names(care_level=["support_1", "care_2"]) == {"田中 一郎", "山田 花子"}
    assert names(flag=["lives_alone"]) == {"田中 一郎", "鈴木 三郎"}
    assert names(flag=["lives_alone", "disability"]) == {"鈴木 三郎"}
    assert names(flag=["lives_alone"], q="たなか") == {"田中 一郎"}
    assert names(flag=["not_a_flag"]) == {"山田 花子", "田中 一郎", "鈴木 三郎"}
    html = client.get(URL, {"flag": ["lives_alone"]}).content.decode()
    assert "独居" in html and "絞り込み" in html  # flags shown as badges and filter labels


def test_list_view_is_audited_once_with_the_listed_uuids(personas, client_for):
    client_for(personas.operator_a).get(URL, {"q": "やまだ"})
    event = AuditEvent.objects.get(action=Action.RESIDENT_LIST)
    assert event.actor == personas.operator_a
    assert event.network_id == personas.net_a.pk
    assert event.detail == {
        "view": "list",
        "residents": [str(personas.resident.uuid)],
        "searched": True,
        "filtered": False,
    }


def test_keyset_pagination_by_50(personas, client_for, more_residents):
    more_residents(60)
    client = client_for(personas.operator_a)
    first = client.get(URL)
    html = first.content.decode()
    assert html.count('class="row-link"') == 50
    assert "次の50件" in html
    next_url = first.context["next_query"]
    assert next_url.startswith("after=")
    second = client.get(f"{URL}?{next_url}").content.decode()
    assert second.count('class="row-link"') == 11
    assert "次の50件" not in second and "最初から" in second
    shown = [
        e.detail["residents"]
        for e in AuditEvent.objects.filter(action=Action.RESIDENT_LIST).order_by("id")
    ]
    assert len(shown[0]) == 50 and len(shown[1]) == 11
    assert not set(shown[0]) & set(shown[1])


def test_cursor_of_an_invisible_resident_gives_no_rows(personas, client_for):
    hidden = make_resident(personas.net_b, personas.nurse_b, name="南 次郎", kana="ミナミ ジロウ")
    html = client_for(personas.operator_a).get(URL, {"after": str(hidden.uuid)}).content.decode()
    assert "南 次郎" not in html and "山田 花子" not in html
    # A malformed cursor is ignored rather than an error.
    assert client_for(personas.operator_a).get(URL, {"after": "xyz"}).status_code == 200


def test_htmx_request_gets_only_the_results(personas, client_for):
    client = client_for(personas.nurse)
    partial = client.get(URL, {"q": "やまだ"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="results"')
    assert "山田 花子" in partial and "<html" not in partial
    full = client.get(URL, {"q": "やまだ"}).content.decode()
    assert "<html" in full and 'id="results"' in full


def test_query_count_does_not_grow_with_residents(
    personas, client_for, more_residents, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.operator_a)
    client.get(URL)
    more_residents(1)
    _, small = count_queries(client, URL)  # 2 residents
    more_residents(23, member=personas.doctor)
    response, large = count_queries(client, URL)  # 25 residents
    assert response.content.decode().count('class="row-link"') == 25
    assert small == large
    # The page (1: residents with role, lead and consent annotated; Network joined), the
    # "may register" check (affiliations, operator roles, suspensions: 3), the audit row.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 1 + 3 + AUDIT_ROW):
        client.get(URL, {"q": "し", "flag": ["lives_alone"], "care_level": ["care_2"]})
