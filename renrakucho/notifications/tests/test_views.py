"""The notification centre: list, open, mark read (one/all), e-mail settings, nav badge.

Notifications are per person: another user's notification is 404 whatever their Network;
nobody's list ever shows a resident's name.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renrakucho.notifications.models import EmailPreference, Kind, Notification
from renrakucho.notifications.models import NotificationSetting as Setting

pytestmark = pytest.mark.django_db

LIST = "/notifications/"
SETTINGS = "/notifications/settings/"
READ_ALL = "/notifications/read-all/"


def open_url(notification) -> str:
    return reverse("notifications:open", args=[notification.uuid])


def read_url(notification) -> str:
    return reverse("notifications:read", args=[notification.uuid])


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# --- List ---------------------------------------------------------------------------


def test_list_shows_my_notifications_newest_first_in_japanese(
    personas, client_for, make_notifications
):
    (old,) = make_notifications(personas.nurse, kind=Kind.COMMENT)
    (new,) = make_notifications(personas.nurse, kind=Kind.URGENT_POST, urgent=True)
    make_notifications(personas.doctor, kind=Kind.MENTION)  # someone else's
    response = client_for(personas.nurse).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>通知</h1>" in html
    assert html.index(str(new.uuid)) < html.index(str(old.uuid))
    assert "緊急の記事があります" in html and "記事にコメントがありました" in html
    assert "あなた宛てのメンションがあります" not in html
    assert "緊急" in html and "未読" in html
    # Never a resident's name, only what happened and a link.
    assert personas.resident.name not in html and personas.resident.name_kana not in html


def test_unread_rows_are_marked_and_can_be_listed_alone(personas, client_for, make_notifications):
    (read,) = make_notifications(personas.nurse, kind=Kind.COMMENT)
    Notification.objects.filter(pk=read.pk).update(read_at="2026-01-01T00:00:00Z")
    (unread,) = make_notifications(personas.nurse, kind=Kind.MENTION)
    client = client_for(personas.nurse)
    html = client.get(LIST).content.decode()
    assert f'id="notification-{unread.uuid}" class="notification unread"' in html
    assert f'id="notification-{read.uuid}" class="notification"' in html
    only_unread = client.get(LIST + "?unread=1").content.decode()
    assert str(unread.uuid) in only_unread and str(read.uuid) not in only_unread


def test_list_pages_by_keyset(personas, client_for, make_notifications):
    rows = make_notifications(personas.nurse, 35)
    client = client_for(personas.nurse)
    first = client.get(LIST)
    assert len(first.context["page"].items) == 30
    cursor = first.context["page"].next_cursor
    assert cursor == str(rows[5].uuid)  # newest first: rows[34] … rows[5]
    assert f"?before={cursor}" in first.content.decode()
    second = client.get(f"{LIST}?before={cursor}")
    assert [n.uuid for n in second.context["page"].items] == [r.uuid for r in rows[4::-1]]
    assert second.context["page"].next_cursor is None
    assert "最新に戻る" in second.content.decode()


def test_a_cursor_of_someone_else_shows_nothing_of_theirs(personas, client_for, make_notifications):
    (theirs,) = make_notifications(personas.doctor)
    make_notifications(personas.nurse, 2)
    response = client_for(personas.nurse).get(f"{LIST}?before={theirs.uuid}")
    assert response.status_code == 200
    assert response.context["page"].items == []
    bad = client_for(personas.nurse).get(f"{LIST}?before=not-a-uuid")
    assert len(bad.context["page"].items) == 2


def test_list_anonymous_redirects_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_list_wrong_method(personas, client_for):
    assert client_for(personas.nurse).post(LIST).status_code == 405


def test_list_query_count_does_not_grow(
    personas, client_for, make_notifications, django_assert_max_num_queries
):
    client = client_for(personas.nurse)
    make_notifications(personas.nurse, 2)
    client.get(LIST)
    small = queries(client, LIST)
    make_notifications(personas.nurse, 40, kind=Kind.URGENT_POST, urgent=True)
    large = queries(client, LIST)
    assert small == large
    # Signed-in overhead (session, user, login policy, navigation incl. the unread badge) and
    # the view's one keyset query.
    with django_assert_max_num_queries(12):
        client.get(LIST)


# --- Open / mark read ---------------------------------------------------------------


def test_open_marks_read_and_goes_to_the_page(personas, client_for, make_notifications):
    (notification,) = make_notifications(personas.nurse)
    response = client_for(personas.nurse).post(open_url(notification))
    assert response.status_code == 302
    assert response["Location"] == f"/residents/{personas.resident.uuid}/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_never_leaves_the_site(personas, client_for, make_notifications):
    (notification,) = make_notifications(personas.nurse, url="https://evil.example/")
    response = client_for(personas.nurse).post(open_url(notification))
    assert response["Location"] == LIST


def test_mark_one_read_returns_to_the_list(personas, client_for, make_notifications):
    (notification,) = make_notifications(personas.nurse)
    (other,) = make_notifications(personas.nurse)
    response = client_for(personas.nurse).post(
        read_url(notification), {"next": "/notifications/?unread=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?unread=1"
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None and other.read_at is None


def test_mark_read_ignores_a_foreign_next(personas, client_for, make_notifications):
    (notification,) = make_notifications(personas.nurse)
    response = client_for(personas.nurse).post(
        read_url(notification), {"next": "https://evil.example/"}
    )
    assert response["Location"] == LIST


@pytest.mark.parametrize("who", ["doctor", "pharmacist", "operator_a", "nurse_b", "operator_c"])
@pytest.mark.parametrize("action", [open_url, read_url])
def test_someone_elses_notification_is_404(personas, client_for, make_notifications, who, action):
    (notification,) = make_notifications(personas.nurse)
    response = client_for(getattr(personas, who)).post(action(notification))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_unknown_notification_is_404(personas, client_for):
    client = client_for(personas.nurse)
    assert client.post(f"/notifications/{uuid.uuid4()}/read/").status_code == 404


@pytest.mark.parametrize("action", [open_url, read_url])
def test_mark_read_wrong_method_and_anonymous(
    personas, client_for, make_notifications, client, action
):
    (notification,) = make_notifications(personas.nurse)
    assert client_for(personas.nurse).get(action(notification)).status_code == 405
    response = client.post(action(notification))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_only_touches_mine(personas, client_for, make_notifications):
    make_notifications(personas.nurse, 3)
    (theirs,) = make_notifications(personas.doctor)
    client = client_for(personas.nurse)
    response = client.post(READ_ALL, follow=True)
    assert "3 件の通知を既読にしました。" in response.content.decode()
    assert not Notification.objects.filter(user=personas.nurse, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_wrong_method_and_anonymous(personas, client_for, client):
    assert client_for(personas.nurse).get(READ_ALL).status_code == 405
    assert client.post(READ_ALL).status_code == 302


def test_mark_read_query_count_does_not_grow(
    personas, client_for, make_notifications, django_assert_max_num_queries
):
    client = client_for(personas.nurse)
    make_notifications(personas.nurse, 50)
    (notification,) = make_notifications(personas.nurse)
    # Signed-in overhead without navigation (a redirect renders no page); access (1); update
    # in a savepoint (3).
    with django_assert_max_num_queries(12):
        client.post(read_url(notification))
    with django_assert_max_num_queries(12):
        client.post(READ_ALL)


# --- Navigation badge ---------------------------------------------------------------


def test_nav_badge_counts_my_unread(personas, client_for, make_notifications):
    make_notifications(personas.nurse, 3)
    make_notifications(personas.doctor, 5)
    html = client_for(personas.nurse).get(reverse("home:dashboard")).content.decode()
    assert 'data-realtime-notifications="/ws/me/"' in html
    assert (
        '<span id="nav-notifications-badge" class="nav-count">3<span class="visually-hidden">件の未読'
        in html
    )
    assert "js/realtime.js" in html


def test_nav_badge_is_hidden_at_zero_and_capped(personas, client_for, make_notifications):
    client = client_for(personas.nurse)
    assert (
        'class="nav-count" hidden>0' in client.get(reverse("notifications:badge")).content.decode()
    )
    make_notifications(personas.nurse, 120)
    assert ">99+<" in client.get(reverse("notifications:badge")).content.decode()


def test_badge_fragment_is_the_badge_only(personas, client_for, make_notifications, client):
    make_notifications(personas.nurse, 2)
    response = client_for(personas.nurse).get(reverse("notifications:badge"))
    html = response.content.decode().strip()
    assert html.startswith('<span id="nav-notifications-badge"') and "<html" not in html
    assert client_for(personas.nurse).post(reverse("notifications:badge")).status_code == 405
    assert client.get(reverse("notifications:badge")).status_code == 302


def test_badge_costs_one_query_whatever_the_count(personas, client_for, make_notifications):
    client = client_for(personas.nurse)
    url = reverse("notifications:badge")
    client.get(url)
    without = queries(client, url)
    make_notifications(personas.nurse, 150)
    assert queries(client, url) == without


# --- E-mail settings ----------------------------------------------------------------


def test_settings_show_the_default_choice(personas, client_for):
    response = client_for(personas.nurse).get(SETTINGS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "通知の設定" in html and "緊急はすぐ、その他は1日1回まとめて" in html
    assert 'value="urgent_daily" id="id_email_0" required checked' in html
    assert "支援対象者の氏名や記事の内容は送られません" in html
    assert "メールアドレスが登録されていないため" in html  # the persona has no address


def test_settings_save(personas, client_for):
    client = client_for(personas.nurse)
    response = client.post(SETTINGS, {"email": EmailPreference.DAILY}, follow=True)
    assert "通知の設定を保存しました。" in response.content.decode()
    assert Setting.objects.get(user=personas.nurse).email == EmailPreference.DAILY
    client.post(SETTINGS, {"email": EmailPreference.OFF})
    assert Setting.objects.get(user=personas.nurse).email == EmailPreference.OFF


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "メール通知の受け取り方を選んでください。"),
        ({"email": "weekly"}, "選べない受け取り方です。一覧から選んでください。"),
    ],
)
def test_settings_bad_input_is_refused_in_japanese(personas, client_for, data, message):
    response = client_for(personas.nurse).post(SETTINGS, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Setting.objects.filter(user=personas.nurse).exists()


def test_settings_wrong_method_and_anonymous(personas, client_for, client):
    assert client_for(personas.nurse).put(SETTINGS).status_code == 405
    assert client.get(SETTINGS).status_code == 302
    assert client.post(SETTINGS, {"email": "off"}).status_code == 302
    assert not Setting.objects.exists()


def test_settings_query_count(personas, client_for, django_assert_max_num_queries):
    client = client_for(personas.nurse)
    client.get(SETTINGS)
    # Signed-in overhead with navigation, and the preference (1).
    with django_assert_max_num_queries(12):
        client.get(SETTINGS)
