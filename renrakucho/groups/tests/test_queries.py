"""Query counts are part of the contract: the board runs the same queries with 10 or 10,000
threads, a thread page with 5 or 500 replies, the group list with 2 or 30 groups."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from renrakucho.groups import board
from renrakucho.groups.models import Group, GroupMembership

pytestmark = pytest.mark.django_db

# Session, user, login policy, navigation counters of other apps (see timeline's
# test_queries); the contract is that a page's count does not grow.
OUTSIDE_THE_VIEW = 12


def count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def test_board_page_constant_from_10_to_10000_threads(personas, client_for, council, bulk_threads):
    # The view: the user's Networks (1), the group (1), the membership (1), pinned threads (1),
    # the page with authors, read counts and unread annotations (1).
    client = client_for(personas.caremanager)
    url = reverse("groups:group", args=[council.uuid])
    bulk_threads(council, personas.nurse, 10)
    first = count(client, url)
    bulk_threads(council, personas.nurse, 9990)
    second = count(client, url)
    assert first == second
    assert second <= 5 + OUTSIDE_THE_VIEW
    # The next page (keyset): one more query for the cursor, none for pinned.
    page = client.get(url).content.decode()
    cursor = page.split("?after=")[1].split('"')[0]
    assert count(client, f"{url}?after={cursor}") <= 5 + OUTSIDE_THE_VIEW
    fragment = count(client, f"{url}?fragment=1")
    assert fragment <= 5 + OUTSIDE_THE_VIEW


def test_search_constant(personas, client_for, council, bulk_threads):
    client = client_for(personas.caremanager)
    url = reverse("groups:search", args=[council.uuid]) + "?q=おしらせ"
    bulk_threads(council, personas.nurse, 10)
    first = count(client, url)
    bulk_threads(council, personas.nurse, 990)
    assert count(client, url) == first


def test_thread_page_constant_with_replies(personas, client_for, council, bulk_threads):
    # Access (networks, thread, membership: 3), thread attachments (1), thread readers (1),
    # replies (1) with attachments (1) and readers (1), read receipts: thread (1), replies
    # (1), inserts in a savepoint (2–4).
    client = client_for(personas.caremanager)
    bulk_threads(council, personas.nurse, 1, replies=5)
    thread = council.threads.get()
    url = reverse("groups:thread", args=[thread.uuid])
    count(client, url)  # the first view writes the receipts
    first = count(client, url)
    from renrakucho.groups.models import Reply

    Reply.objects.bulk_create(
        [Reply(thread=thread, author=personas.nurse, body=f"r{i}") for i in range(495)]
    )
    count(client, url)
    second = count(client, url)
    assert first == second
    assert second <= 12 + OUTSIDE_THE_VIEW


def test_group_list_constant_with_groups(personas, client_for):
    # Networks (1), my groups with unread counts, member counts and my role (1), invitations
    # (1), discoverable: occupations (1), facility types (1), groups (1) with their allowed
    # occupations (1); Networks again for the create button (1).
    client = client_for(personas.nurse)

    def make(n, start):
        for i in range(start, start + n):
            group = Group.objects.create(
                network=personas.net_a,
                name=f"会{i}",
                policy="request" if i % 2 else "open",
                created_by=personas.caremanager,
            )
            GroupMembership.objects.create(
                group=group,
                user=personas.caremanager,
                role="owner",
                status="active",
                joined_at=timezone.now(),
            )
            if i % 3:  # the nurse is in two groups of three, the others are to discover
                GroupMembership.objects.create(
                    group=group, user=personas.nurse, status="active", joined_at=timezone.now()
                )
            board.thread_create(actor=personas.caremanager, group=group, title="t", body="b")

    make(3, 0)
    first = count(client, reverse("groups:list"))
    make(27, 3)
    page = client.get(reverse("groups:list")).content.decode()
    assert "未読 1" in page and "会29" in page
    assert count(client, reverse("groups:list")) == first
    assert first <= 10 + OUTSIDE_THE_VIEW
    assert count(client, reverse("groups:badge")) <= 2 + OUTSIDE_THE_VIEW


def test_members_page_constant(personas, client_for, council):
    from renrakucho.testing.personas import make_user

    client = client_for(personas.caremanager)
    url = reverse("groups:members", args=[council.uuid])
    first = count(client, url)
    for i in range(10):
        user = make_user(f"member-{i}", f"会員 {i}", "カイイン", "nurse", personas.nursing_a)
        GroupMembership.objects.create(
            group=council, user=user, status="active", joined_at=timezone.now()
        )
    assert count(client, url) == first
