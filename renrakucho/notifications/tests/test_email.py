"""E-mail about notifications (huey tasks, immediate mode in tests; locmem mailbox).

Privacy: an e-mail says only how many new notifications there are, with a link to the
notification centre; never a resident's name or anything clinical.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from renrakucho.notifications import tasks
from renrakucho.notifications.models import EmailPreference, Kind, Notification
from renrakucho.notifications.models import NotificationSetting as Setting
from renrakucho.notifications.services import notify

pytestmark = pytest.mark.django_db

SITE = "https://renrakucho.example.jp"
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.NOTIFICATION_DIGEST_HOUR = 7


@pytest.fixture
def addresses(personas):
    for user in personas.team:
        user.email = f"{user.username}@example.jp"
        user.save(update_fields=["email"])
    return personas


def prefer(user, preference):
    Setting.objects.update_or_create(user=user, defaults={"email": preference})


def assert_private(message, personas):
    text = message.subject + message.body
    for secret in (personas.resident.name, personas.resident.name_kana, "山田", "ヤマダ"):
        assert secret not in text
    assert str(personas.resident.uuid) not in text


def urgent_post(personas, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return notify(
            users=personas.team,
            kind=Kind.URGENT_POST,
            url=f"/residents/{personas.resident.uuid}/",
            resident_uuid=personas.resident.uuid,
            urgent=True,
            **extra,
        )


# --- Immediate e-mail for urgent notifications ---------------------------------------


def test_urgent_notification_is_emailed_at_once(
    addresses, mailoutbox, django_capture_on_commit_callbacks
):
    personas = addresses
    urgent_post(personas, django_capture_on_commit_callbacks, exclude=personas.nurse)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "p-caremanager@example.jp",
        "p-doctor@example.jp",
    ]
    message = mailoutbox[0]
    assert message.subject == "【電子連絡帳】緊急のお知らせがあります"
    assert message.body == f"新しいお知らせが 1 件あります\n{SITE}/notifications/\n"
    assert_private(message, personas)
    stamped = Notification.objects.filter(user__in=[personas.doctor, personas.caremanager])
    assert all(n.emailed_at is not None for n in stamped)


def test_nothing_is_emailed_before_commit_or_after_rollback(addresses, mailoutbox):
    from django.db import transaction

    personas = addresses
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(users=personas.team, kind=Kind.URGENT_POST, url="/", urgent=True)
        assert mailoutbox == []
        raise RuntimeError
    assert mailoutbox == []


def test_non_urgent_notification_waits_for_the_digest(
    addresses, mailoutbox, django_capture_on_commit_callbacks
):
    personas = addresses
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=personas.team, kind=Kind.NEW_POST, url="/")
    assert mailoutbox == []


@pytest.mark.parametrize("preference", [EmailPreference.DAILY, EmailPreference.OFF])
def test_urgent_email_honours_the_preference(
    addresses, mailoutbox, django_capture_on_commit_callbacks, preference
):
    personas = addresses
    prefer(personas.doctor, preference)
    prefer(personas.caremanager, EmailPreference.URGENT_ONLY)
    urgent_post(personas, django_capture_on_commit_callbacks)
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["p-caremanager@example.jp", "p-nurse@example.jp"]


def test_users_without_an_address_are_skipped(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    personas.doctor.email = "doctor@example.jp"
    personas.doctor.save(update_fields=["email"])
    urgent_post(personas, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [["doctor@example.jp"]]
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2


def test_a_failed_send_leaves_the_rows_for_the_next_run(
    addresses, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(self, fail_silently=False):
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    urgent_post(addresses, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


# --- Daily digest -------------------------------------------------------------------


def test_digest_reports_the_count_of_unread_unmailed_notifications(
    addresses, mailoutbox, make_notifications
):
    personas = addresses
    make_notifications(personas.doctor, 3)
    (read,) = make_notifications(personas.doctor, kind=Kind.MENTION)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    (mailed,) = make_notifications(personas.doctor, kind=Kind.COMMENT)
    Notification.objects.filter(pk=mailed.pk).update(emailed_at=timezone.now())
    make_notifications(personas.nurse, 1, kind=Kind.ABNORMAL_VITALS)

    assert tasks.send_digests() == 2
    by_address = {m.to[0]: m for m in mailoutbox}
    doctor = by_address["p-doctor@example.jp"]
    assert doctor.subject == "【電子連絡帳】新しいお知らせ"
    assert doctor.body == f"新しいお知らせが 3 件あります\n{SITE}/notifications/\n"
    assert "新しいお知らせが 1 件あります" in by_address["p-nurse@example.jp"].body
    for message in mailoutbox:
        assert_private(message, personas)
    assert not Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True).exists()


def test_digest_once_a_day(addresses, mailoutbox, make_notifications):
    personas = addresses
    make_notifications(personas.doctor, 2)
    assert tasks.send_digests() == 1
    make_notifications(personas.doctor, 1)
    assert tasks.send_digests() == 0
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert tasks.send_digests(now=tomorrow) == 1
    assert "新しいお知らせが 1 件あります" in mailoutbox[-1].body


@pytest.mark.parametrize(
    "preference, mailed",
    [
        (EmailPreference.URGENT_AND_DAILY, True),
        (EmailPreference.DAILY, True),
        (EmailPreference.URGENT_ONLY, False),
        (EmailPreference.OFF, False),
    ],
)
def test_digest_honours_the_preference(
    addresses, mailoutbox, make_notifications, preference, mailed
):
    prefer(addresses.doctor, preference)
    make_notifications(addresses.doctor, 2)
    tasks.send_digests()
    assert bool(mailoutbox) is mailed


def test_digest_skips_users_without_address_or_inactive(addresses, mailoutbox, make_notifications):
    personas = addresses
    personas.doctor.email = ""
    personas.doctor.save(update_fields=["email"])
    personas.nurse.is_active = False
    personas.nurse.save(update_fields=["is_active"])
    make_notifications(personas.doctor, 1)
    make_notifications(personas.nurse, 1)
    make_notifications(personas.caremanager, 1)
    assert tasks.send_digests() == 1
    assert [m.to for m in mailoutbox] == [["p-caremanager@example.jp"]]


def test_digest_query_count_does_not_grow_with_notifications(
    addresses, make_notifications, django_assert_max_num_queries
):
    make_notifications(addresses.doctor, 200)
    make_notifications(addresses.nurse, 200)
    # The pending users (1); per user mailed, the stamp on the rows reported (1); the digest
    # time on the users' settings: existing rows, update, insert of the missing ones (3).
    with django_assert_max_num_queries(1 + 2 + 3):
        assert tasks.send_digests() == 2


def test_periodic_task_sends_only_in_the_digest_hour(addresses, mailoutbox, make_notifications):
    make_notifications(addresses.doctor, 1)
    with time_machine.travel(datetime.datetime(2026, 11, 24, 6, 0, tzinfo=TOKYO), tick=False):
        assert tasks.daily_digest.call_local() == 0
    with time_machine.travel(datetime.datetime(2026, 11, 24, 7, 0, tzinfo=TOKYO), tick=False):
        assert tasks.daily_digest.call_local() == 1
    assert len(mailoutbox) == 1
