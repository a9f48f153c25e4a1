"""Fixtures of the groups tests: the personas' Network A has a doctors-only group
(伊那市医師会-like, by request), a by-request group open to all occupations, and an operator's
announcement group; `bulk_threads` writes threads straight to the database."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from renrakucho.core.text import fold
from renrakucho.groups import services
from renrakucho.groups.access import access_group
from renrakucho.groups.models import GroupMembership, Policy, Reply, Thread


@pytest.fixture
def doctors_group(personas):
    """Doctors only, by request; the doctor owns it."""
    return services.group_create(
        actor=personas.doctor,
        network=personas.net_a,
        name="伊那市医師会",
        description="医師会員の連絡用",
        policy=Policy.REQUEST,
        occupation_codes=["doctor"],
    )


@pytest.fixture
def council(personas):
    """By request, anyone of Network A; the care manager owns it, the nurse is a member."""
    group = services.group_create(
        actor=personas.caremanager,
        network=personas.net_a,
        name="介護事業所連絡会",
        policy=Policy.REQUEST,
    )
    GroupMembership.objects.create(
        group=group, user=personas.nurse, status="active", joined_at=timezone.now()
    )
    return group


@pytest.fixture
def announcements(personas):
    """The operator's open, announcement-only group."""
    return services.group_create(
        actor=personas.operator_a,
        network=personas.net_a,
        name="伊那市からのお知らせ",
        policy=Policy.OPEN,
        announcement_only=True,
    )


@pytest.fixture
def group_access():
    def make(user, group, board=True):
        return access_group(user, group.uuid, board=board)

    return make


@pytest.fixture
def bulk_threads():
    """bulk_threads(group, author, n, replies=0) → n threads (and `replies` replies on the
    newest) written with bulk_create, newest activity last."""

    def make(group, author, n, *, replies=0, start=None):
        start = start or timezone.now() - datetime.timedelta(days=30)
        threads = Thread.objects.bulk_create(
            [
                Thread(
                    group=group,
                    author=author,
                    title=f"お知らせ {i}",
                    body=f"本文 {i}",
                    last_activity_at=start + datetime.timedelta(seconds=i),
                    search_key=fold(f"お知らせ {i} 本文 {i}"),
                )
                for i in range(n)
            ],
            batch_size=2000,
        )
        if replies:
            newest = Thread.objects.filter(group=group).order_by("-last_activity_at", "-id")[0]
            Reply.objects.bulk_create(
                [
                    Reply(thread=newest, author=author, body=f"返信 {i}", search_key=f"返信{i}")
                    for i in range(replies)
                ],
                batch_size=2000,
            )
        return threads

    return make
