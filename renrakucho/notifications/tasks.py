"""E-mail about notifications, sent by huey after commit (never inside a request's transaction).

Privacy rule (issue 3): an e-mail says only how many new notifications there are and links to
the notification centre. It never carries resident names, clinical content, or even the kind
of notification; people read the details after signing in. Users without an e-mail address,
inactive users and users who turned e-mail off are skipped. Rows mailed about get `emailed_at`,
so no notification is reported twice.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import EmailPreference, Notification, NotificationSetting

logger = logging.getLogger(__name__)

# Preferences that want urgent notifications at once, and those that want the daily digest.
_IMMEDIATE = [EmailPreference.URGENT_AND_DAILY, EmailPreference.URGENT_ONLY]
_DIGEST = [EmailPreference.URGENT_AND_DAILY, EmailPreference.DAILY]


def _wants(preferences: list[str]) -> Q:
    # No NotificationSetting row means the default preference.
    wanted = Q(user__notification_setting__email__in=preferences)
    if EmailPreference.URGENT_AND_DAILY in preferences:
        wanted |= Q(user__notification_setting__isnull=True)
    return wanted


def _pending(rows):
    """(user_id, address, count, last id) per user of `rows` who can receive e-mail."""
    return (
        rows.filter(read_at__isnull=True, emailed_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .values("user_id", "user__email")
        .annotate(count=Count("id"), last_id=Max("id"))
        .order_by("user_id")
    )


def _message(address: str, count: int, *, urgent: bool, connection) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        subject = (
            _("【電子連絡帳】緊急のお知らせがあります")
            if urgent
            else _("【電子連絡帳】新しいお知らせ")
        )
        link = settings.SITE_URL.rstrip("/") + reverse("notifications:list")
        body = _("新しいお知らせが %(count)d 件あります") % {"count": count} + "\n" + link + "\n"
    return EmailMessage(subject, body, to=[address], connection=connection)


def _send(pending, *, urgent: bool, extra: Q | None = None) -> list[int]:
    """Send one e-mail per pending user, then stamp the rows it reported; returns the ids of
    the users mailed. A failed send leaves that user's rows unstamped for the next run."""
    sent = []
    connection = get_connection()
    for row in pending:
        message = _message(row["user__email"], row["count"], urgent=urgent, connection=connection)
        try:
            message.send()
        except Exception:
            logger.warning("notification e-mail failed", exc_info=True)
            continue
        reported = Notification.objects.filter(
            user_id=row["user_id"],
            id__lte=row["last_id"],
            read_at__isnull=True,
            emailed_at__isnull=True,
        )
        if extra is not None:
            reported = reported.filter(extra)
        reported.update(emailed_at=timezone.now())
        sent.append(row["user_id"])
    return sent


@db_task(retries=2, retry_delay=60)
def send_urgent_email(user_ids: list[int]) -> int:
    """Immediately e-mail each of `user_ids` who wants urgent e-mail and has unread urgent
    notifications not yet e-mailed. Enqueued by services.notify after commit."""
    urgent = Notification.objects.filter(user_id__in=user_ids, urgent=True).filter(
        _wants(_IMMEDIATE)
    )
    return len(_send(_pending(urgent), urgent=True, extra=Q(urgent=True)))


def send_digests(now: datetime.datetime | None = None) -> int:
    """The daily digest: one e-mail to each user who wants it and has unread notifications
    not yet e-mailed, unless they already had a digest today (local time). Returns the number
    of e-mails sent."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = Notification.objects.filter(_wants(_DIGEST)).exclude(
        user__notification_setting__last_digest_at__gte=start_of_day
    )
    sent = _send(_pending(rows), urgent=False)
    if sent:
        _stamp_digest(sent, now)
    return len(sent)


def _stamp_digest(user_ids: list[int], now: datetime.datetime) -> None:
    """last_digest_at = now for these users, creating their setting row (default preference)
    where they never chose one: three statements whatever the number of users."""
    settings_rows = NotificationSetting.objects.filter(user_id__in=user_ids)
    existing = set(settings_rows.values_list("user_id", flat=True))
    settings_rows.update(last_digest_at=now)
    NotificationSetting.objects.bulk_create(
        [
            NotificationSetting(user_id=user_id, last_digest_at=now)
            for user_id in user_ids
            if user_id not in existing
        ],
        ignore_conflicts=True,
    )


@db_periodic_task(crontab(minute="0"))
def daily_digest() -> int:
    """Runs hourly and sends the digest in the hour NOTIFICATION_DIGEST_HOUR of TIME_ZONE
    (07:00 in Japan by default): huey evaluates crontabs in UTC, and the hour people expect
    is a local one."""
    if timezone.localtime().hour != settings.NOTIFICATION_DIGEST_HOUR:
        return 0
    return send_digests()
