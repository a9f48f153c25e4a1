"""Query counts are part of the contract: the chat's pages and API run the same number of
queries for a conversation of 50 messages as for one of 50,000 (bulk-loaded), and the list
and directory do not grow with conversations or people."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renrakucho.accounts.models import ApiToken
from renrakucho.audit.models import AuditChainHead
from renrakucho.chat import services
from renrakucho.testing.personas import make_user

from .conftest import bulk_messages

pytestmark = pytest.mark.django_db

# Queries of every signed-in page outside the view (session, user, login policy, navigation
# counters); the view's own are listed per test.
OUTSIDE_THE_VIEW = 12


def count(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)


def api_client(user) -> Client:
    _, raw = ApiToken.issue(user=user)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    # The first call records the token's last use (once a minute): not part of the count.
    client.get("/api/v1/me")
    return client


@pytest.fixture(autouse=True)
def _audit_chain_started(db):
    AuditChainHead.objects.get_or_create(pk=1)


def test_conversation_at_50_and_50000_messages(personas, client_for, direct, send):
    doctor = client_for(personas.doctor)
    api = api_client(personas.doctor)
    authors = [personas.nurse, personas.doctor]
    # A few real messages with a resident link and a photo among the newest.
    bulk_messages(direct, authors, 48)
    send(personas.nurse, direct, "この方の件", resident_uuid=personas.resident.uuid)
    send(personas.doctor, direct, "了解")
    page = reverse("chat:conversation", args=[direct.uuid])
    fragment = reverse("chat:messages", args=[direct.uuid])
    api_messages = f"/api/v1/conversations/{direct.uuid}/messages"
    urls = [
        (doctor, page, {}),
        (doctor, page + "?before_seq=40", {}),
        (doctor, fragment + "?after_seq=45", {}),
        (doctor, fragment + "?before_seq=40", {}),
        (doctor, reverse("chat:read_state", args=[direct.uuid]), {}),
        (doctor, reverse("chat:list"), {}),
        (doctor, reverse("chat:search") + "?q=メッセージ", {}),
        (api, api_messages, {}),
        (api, api_messages + "?after_seq=45", {}),
        (api, api_messages + "?before_seq=40", {}),
        (api, "/api/v1/conversations", {}),
        (api, f"/api/v1/conversations/{direct.uuid}", {}),
    ]
    small = [count(client, url, **kw) for client, url, kw in urls]
    bulk_messages(direct, authors, 50_000 - 50)
    send(personas.nurse, direct, "この方の件", resident_uuid=personas.resident.uuid)
    send(personas.doctor, direct, "了解")
    # The same positions relative to the newest message.
    newest = direct.last_seq
    urls[1] = (doctor, page + f"?before_seq={newest - 12}", {})
    urls[2] = (doctor, fragment + f"?after_seq={newest - 7}", {})
    urls[3] = (doctor, fragment + f"?before_seq={newest - 12}", {})
    urls[8] = (api, api_messages + f"?after_seq={newest - 7}", {})
    urls[9] = (api, api_messages + f"?before_seq={newest - 12}", {})
    large = [count(client, url, **kw) for client, url, kw in urls]
    assert small == large, list(zip([u for _, u, _ in urls], small, large))
    # The conversation page: access (2: active Networks, membership), messages with authors
    # (1), attachments (1), members (1), residents linked (1), mark read (update + savepoint
    # pair, notifications cleared: 4), the composer's residents (1).
    assert large[0] <= 11 + OUTSIDE_THE_VIEW
    # The catch-up fragment: access (2), messages (1), attachments (1), members (1),
    # residents linked (1).
    assert large[2] <= 6 + OUTSIDE_THE_VIEW


def test_list_and_directory_do_not_grow(personas, client_for, django_assert_max_num_queries):
    nurse = client_for(personas.nurse)
    api = api_client(personas.nurse)
    urls = [
        (nurse, reverse("chat:list")),
        (nurse, reverse("chat:new")),
        (nurse, reverse("chat:new") + "?q=かんご"),
        (api, "/api/v1/users"),
        (api, "/api/v1/users?q=かんご"),
        (api, "/api/v1/conversations"),
    ]

    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            user = make_user(
                f"p-extra-{i}", f"看護 {i}", f"カンゴ {i}", "nurse", personas.nursing_a
            )
            conversation, _ = services.conversation_create(actor=personas.nurse, members=[user])
            conversation.refresh_from_db()
            services.message_send(actor=user, conversation=conversation, body=f"{i}")

    grow(0, 3)
    small = [count(client, url) for client, url in urls]
    grow(3, 30)
    large = [count(client, url) for client, url in urls]
    assert small == large, list(zip([u for _, u in urls], small, large))
    # The directory: active Networks (1), people (1), occupations (1), affiliations (1).
    assert large[3] <= 4 + 4  # + the token's own queries
