"""Operators browse their Network's users and suspend or reinstate them (利用停止)."""

import pytest
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Affiliation
from renrakucho.networks.models import Suspension
from renrakucho.residents.access import residents_visible_to

pytestmark = pytest.mark.django_db


def _url(name, user):
    return reverse(f"console:{name}", kwargs={"user_uuid": user.uuid})


def test_user_list_shows_the_networks_users_with_kana_occupation_and_facility(client_for, personas):
    response = client_for(personas.operator_a).get(reverse("console:users"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "看護 花子" in html and "カンゴ ハナコ" in html
    assert "看護師" in html
    assert "いーな訪問看護ステーション（所属中）" in html
    assert "南 看護" not in html  # Network B
    assert "運営 箕輪" not in html  # Network C
    assert _url("user", personas.nurse) in html


@pytest.mark.parametrize("q", ["かんご", "ｶﾝｺﾞ", "カンゴ", "看護 花子", "看護花子", "p-nurse"])
def test_search_is_width_and_kana_insensitive(client_for, personas, q):
    html = client_for(personas.operator_a).get(reverse("console:users"), {"q": q}).content.decode()
    assert "看護 花子" in html
    assert "伊那 一郎" not in html


def test_search_without_hits_says_so(client_for, personas):
    html = (
        client_for(personas.operator_a)
        .get(reverse("console:users"), {"q": "ぞぞ"})
        .content.decode()
    )
    assert "該当する利用者はいません。" in html


def test_users_are_paged_in_kana_order(client_for, personas, add_users):
    from renrakucho.console import selectors

    add_users(personas.clinic_a, selectors.PAGE_SIZE)
    client = client_for(personas.operator_a)
    first = client.get(reverse("console:users")).content.decode()
    start = first.index("?after=")
    second = client.get(
        reverse("console:users") + first[start : first.index('"', start)].replace("&amp;", "&")
    ).content.decode()
    # 5 persona users of A + 50: the kana order puts イナ, ウンエイ, カイゴ, カンゴ, クスリ
    # first, so the last five リヨウ users are on page two.
    assert "リヨウ 049" in second and "リヨウ 044" not in second
    assert "リヨウ 044" in first and "イナ イチロウ" in first


# session, user, login policy (5), operated Networks (3), users, occupations, affiliations
# with facilities, suspensions in force, navigation (3).
USERS_QUERIES = 17


@pytest.mark.parametrize("n", [3, 30])
def test_user_list_query_count_does_not_grow(
    client_for, personas, add_users, django_assert_max_num_queries, n
):
    add_users(personas.clinic_a, n)
    client = client_for(personas.operator_a)
    with django_assert_max_num_queries(USERS_QUERIES):
        response = client.get(reverse("console:users"))
    assert response.content.decode().count("リヨウ") == n


def test_user_page(client_for, personas):
    response = client_for(personas.operator_a).get(_url("user", personas.nurse))
    assert response.status_code == 200
    html = response.content.decode()
    assert "看護 花子" in html and "カンゴ ハナコ" in html and "p-nurse" in html
    assert "利用停止にする" in html
    assert 'name="reason"' in html


def test_user_of_another_network_is_404(client_for, personas):
    client = client_for(personas.operator_a)
    assert client.get(_url("user", personas.nurse_b)).status_code == 404
    response = client.post(_url("user_suspend", personas.nurse_b), {"reason": "x"})
    assert response.status_code == 404
    assert not Suspension.objects.exists()


def test_suspension_needs_a_reason(client_for, personas):
    response = client_for(personas.operator_a).post(
        _url("user_suspend", personas.nurse), {"network": personas.net_a.pk, "reason": ""}
    )
    assert response.status_code == 400
    assert "利用停止の理由を入力してください。" in response.content.decode()
    assert not Suspension.objects.exists()


def test_operator_cannot_suspend_themselves(client_for, personas):
    client = client_for(personas.operator_a)
    page = client.get(_url("user", personas.operator_a)).content.decode()
    assert "自分自身を利用停止にすることはできません。" in page
    response = client.post(
        _url("user_suspend", personas.operator_a), {"network": personas.net_a.pk, "reason": "試し"}
    )
    assert response.status_code == 400
    assert "自分自身を利用停止にすることはできません。" in response.content.decode()
    assert not Suspension.objects.exists()


def test_suspension_cuts_access_at_once_and_lifting_restores_it(client_for, personas):
    operator = client_for(personas.operator_a)
    nurse = client_for(personas.nurse)
    assert nurse.get(reverse("facilities:mine")).status_code == 200
    assert residents_visible_to(personas.nurse).exists()

    response = operator.post(
        _url("user_suspend", personas.nurse),
        {"network": personas.net_a.pk, "reason": "退職の確認中"},
        REMOTE_ADDR="203.0.113.5",
        follow=True,
    )
    assert "利用停止にしました。" in response.content.decode()
    assert "利用停止中です。" in response.content.decode()
    suspension = Suspension.objects.get()
    assert suspension.user == personas.nurse and suspension.network == personas.net_a
    assert suspension.suspended_by == personas.operator_a and suspension.reason == "退職の確認中"
    event = AuditEvent.objects.get(action=Action.USER_SUSPEND)
    assert event.target_id == str(personas.nurse.uuid) and event.reason == "退職の確認中"
    assert event.network_id == personas.net_a.id and event.ip == "203.0.113.5"
    # A was the nurse's only Network: no resident, no login, the open session ends.
    assert not residents_visible_to(personas.nurse).exists()
    assert not personas.nurse.can_log_in()
    assert nurse.get(reverse("facilities:mine")).status_code == 302
    # The list marks the suspension.
    assert "利用停止中" in operator.get(reverse("console:users")).content.decode()

    again = operator.post(
        _url("user_suspend", personas.nurse), {"network": personas.net_a.pk, "reason": "二重"}
    )
    assert "この利用者は既に利用停止中です。" in again.content.decode()
    assert Suspension.objects.count() == 1

    response = operator.post(
        _url("user_unsuspend", personas.nurse), {"network": str(personas.net_a.uuid)}, follow=True
    )
    assert "利用停止を解除しました。" in response.content.decode()
    suspension.refresh_from_db()
    assert suspension.lifted_at and suspension.lifted_by == personas.operator_a
    assert personas.nurse.can_log_in()
    assert residents_visible_to(personas.nurse).exists()
    assert AuditEvent.objects.filter(action=Action.USER_UNSUSPEND).count() == 1
    # The history stays on the user's page.
    page = operator.get(_url("user", personas.nurse)).content.decode()
    assert "利用停止の履歴" in page and "退職の確認中" in page


def test_suspension_in_one_network_leaves_the_other(client_for, personas):
    Affiliation.objects.create(user=personas.nurse, facility=personas.nursing_b, status="active")
    client_for(personas.operator_a).post(
        _url("user_suspend", personas.nurse), {"network": personas.net_a.pk, "reason": "調査"}
    )
    assert personas.nurse.can_log_in()
    assert personas.nurse.active_network_ids() == {personas.net_b.id}


def test_unsuspending_someone_not_suspended_is_a_japanese_error(client_for, personas):
    response = client_for(personas.operator_a).post(
        _url("user_unsuspend", personas.nurse), {"network": str(personas.net_a.uuid)}, follow=True
    )
    assert "この利用者は利用停止されていません。" in response.content.decode()


def test_suspending_in_a_network_one_does_not_operate_is_refused(client_for, personas):
    # The form only offers operated Networks; a forged id is a field error, not a suspension.
    response = client_for(personas.operator_a).post(
        _url("user_suspend", personas.nurse), {"network": personas.net_c.pk, "reason": "x"}
    )
    assert response.status_code == 400
    assert "ネットワークの選択が正しくありません。" in response.content.decode()
    unsuspend = client_for(personas.operator_a).post(
        _url("user_unsuspend", personas.nurse), {"network": str(personas.net_c.uuid)}
    )
    assert unsuspend.status_code == 404
    assert not Suspension.objects.exists()


# session, user, login policy (5), operated Networks (3), the user, occupations, affiliations
# with facilities, suspensions in force, suspension history, navigation (3).
USER_QUERIES = 18


@pytest.mark.parametrize("n", [1, 10])
def test_user_page_query_count_does_not_grow_with_history(
    client_for, personas, django_assert_max_num_queries, n
):
    from django.utils import timezone

    from renrakucho.testing.personas import make_facility

    for i in range(n):
        Suspension.objects.create(
            network=personas.net_a,
            user=personas.nurse,
            reason=f"過去の停止{i}",
            suspended_by=personas.operator_a,
            lifted_at=timezone.now(),
            lifted_by=personas.operator_a,
        )
        facility = make_facility(personas.net_a, f"兼務先{i}", "clinic")
        Affiliation.objects.create(user=personas.nurse, facility=facility, status="ended")
    client = client_for(personas.operator_a)
    with django_assert_max_num_queries(USER_QUERIES):
        response = client.get(_url("user", personas.nurse))
    html = response.content.decode()
    assert html.count("過去の停止") == n and html.count("兼務先") == n
