"""Rules every authenticated operation shares, checked for all of them at once: no token,
a made-up token and a revoked token are 401; users out of reach get 404 for every
resident-scoped operation, and nothing is changed."""

import pytest
from django.utils import timezone

from renrakucho.accounts.models import ApiToken
from renrakucho.audit.models import AuditEvent

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

NONE = "00000000-0000-0000-0000-000000000000"


def operations(personas):
    """(method, path, body) of every operation but POST /auth/token."""
    r = personas.resident.uuid
    member = personas.resident.team_members.get(user=personas.nurse).uuid
    consent = personas.consent.uuid
    return [
        ("get", "/auth/tokens", None),
        ("delete", "/auth/tokens/00000000-0000-0000-0000-000000000000", None),
        ("get", "/me", None),
        ("get", "/residents", None),
        ("post", "/residents", {"network": "ina"}),
        ("get", f"/residents/{r}", None),
        ("patch", f"/residents/{r}", {"phone": "0265-99-9999"}),
        ("get", f"/residents/{r}/team", None),
        ("get", f"/residents/{r}/team/candidates", None),
        ("post", f"/residents/{r}/team", {"user": str(personas.pharmacist.uuid), "role": "other"}),
        ("post", f"/residents/{r}/team/leave", {}),
        ("delete", f"/residents/{r}/team/{member}", None),
        ("get", "/team-invitations", None),
        ("post", f"/team-invitations/{member}/accept", None),
        ("post", f"/team-invitations/{member}/decline", None),
        ("get", f"/residents/{r}/consents", None),
        ("post", f"/residents/{r}/consents", {"consenter": "self", "consented_on": "2024-01-01"}),
        ("post", f"/residents/{r}/consents/{consent}/revoke", {"revoked_on": "2024-01-01"}),
        ("get", "/audit", None),
        # issue 3 (ids need not exist: the token is checked first, and access before the
        # record is looked up)
        ("get", f"/residents/{r}/posts", None),
        ("post", f"/residents/{r}/posts", {"kind": "message", "body": "x"}),
        ("get", f"/posts/{NONE}", None),
        ("patch", f"/posts/{NONE}", {"body": "x"}),
        ("delete", f"/posts/{NONE}", {"reason": "x"}),
        ("post", f"/posts/{NONE}/read", None),
        ("get", f"/posts/{NONE}/readers", None),
        ("post", f"/posts/{NONE}/ack", None),
        ("get", f"/posts/{NONE}/comments", None),
        ("post", f"/posts/{NONE}/comments", {"body": "x"}),
        ("get", f"/attachments/{NONE}", None),
        ("get", f"/attachments/{NONE}/thumbnail", None),
        ("get", f"/residents/{r}/vitals", None),
        ("get", f"/residents/{r}/medications", None),
        ("post", f"/residents/{r}/medications", {"name": "アムロジピン"}),
        ("patch", f"/medications/{NONE}", {"name": "x"}),
        ("delete", f"/medications/{NONE}", {"reason": "x"}),
        ("get", f"/residents/{r}/diagnoses", None),
        ("post", f"/residents/{r}/diagnoses", {"name": "高血圧症"}),
        ("patch", f"/diagnoses/{NONE}", {"name": "x"}),
        ("delete", f"/diagnoses/{NONE}", {"reason": "x"}),
        ("get", "/notices", None),
        ("post", f"/notices/{NONE}/read", None),
        ("post", f"/notices/{NONE}/confirm", None),
        ("get", f"/notices/{NONE}/attachments/{NONE}", None),
        ("get", "/notifications", None),
        ("post", "/notifications/read", {}),
        # issue 4
        ("get", "/users", None),
        ("get", "/conversations", None),
        ("post", "/conversations", {"members": [NONE]}),
        ("get", f"/conversations/{NONE}", None),
        ("patch", f"/conversations/{NONE}", {"title": "x"}),
        ("post", f"/conversations/{NONE}/members", {"members": [NONE]}),
        ("delete", f"/conversations/{NONE}/members/{NONE}", None),
        ("post", f"/conversations/{NONE}/leave", None),
        ("get", f"/conversations/{NONE}/messages", None),
        ("post", f"/conversations/{NONE}/messages", {"body": "x"}),
        ("patch", f"/messages/{NONE}", {"body": "x"}),
        ("delete", f"/messages/{NONE}", None),
        ("post", f"/conversations/{NONE}/read", {"seq": 1}),
        ("get", f"/conversations/{NONE}/attachments/{NONE}", None),
        ("get", "/groups", None),
        ("post", "/groups", {"name": "x"}),
        ("get", f"/groups/{NONE}", None),
        ("patch", f"/groups/{NONE}", {"name": "x"}),
        ("post", f"/groups/{NONE}/join", None),
        ("post", f"/groups/{NONE}/decline", None),
        ("post", f"/groups/{NONE}/leave", None),
        ("get", f"/groups/{NONE}/members", None),
        ("post", f"/groups/{NONE}/members", {"user": NONE}),
        ("post", f"/groups/{NONE}/members/{NONE}/approve", None),
        ("post", f"/groups/{NONE}/members/{NONE}/reject", None),
        ("patch", f"/groups/{NONE}/members/{NONE}", {"role": "owner"}),
        ("delete", f"/groups/{NONE}/members/{NONE}", None),
        ("get", f"/groups/{NONE}/threads", None),
        ("post", f"/groups/{NONE}/threads", {"title": "x", "body": "x"}),
        ("get", f"/threads/{NONE}", None),
        ("patch", f"/threads/{NONE}", {"pinned": True}),
        ("post", f"/threads/{NONE}/read", None),
        ("get", f"/threads/{NONE}/replies", None),
        ("post", f"/threads/{NONE}/replies", {"body": "x"}),
        ("get", f"/board-files/{NONE}", None),
        ("get", f"/board-files/{NONE}/thumbnail", None),
        ("get", "/facility-status", None),
        ("get", f"/facilities/{NONE}/status", None),
        ("put", f"/facilities/{NONE}/status", {"status": "normal"}),
        ("get", "/meetings", None),
        ("post", "/meetings", {"title": "x"}),
        ("get", f"/meetings/{NONE}", None),
        ("patch", f"/meetings/{NONE}", {"title": "x"}),
        ("post", f"/meetings/{NONE}/cancel", {}),
        ("post", f"/meetings/{NONE}/respond", {"response": "attend"}),
        ("get", f"/meetings/{NONE}/minutes", None),
        ("put", f"/meetings/{NONE}/minutes", {"body": "x"}),
        ("get", f"/meetings/{NONE}/attachments/{NONE}", None),
        # issue 5: agreements
        ("get", "/agreements", None),
        ("post", "/agreements", {"name": "x", "starts_on": "2026-12-01", "partners": [NONE]}),
        ("get", f"/agreements/{NONE}", None),
        ("post", f"/agreements/{NONE}/accept", None),
        ("post", f"/agreements/{NONE}/decline", None),
        ("post", f"/agreements/{NONE}/leave", None),
        ("post", f"/agreements/{NONE}/invite", {"network": NONE}),
        ("post", f"/agreements/{NONE}/end", None),
    ]


def resident_scoped(personas):
    return [op for op in operations(personas) if f"/residents/{personas.resident.uuid}" in op[1]]


def call(api, method, path, body):
    if method == "get":
        return api.get(path)
    return getattr(api, method)(path, body)


def test_every_operation_is_listed(personas):
    from .test_openapi import PATHS

    listed = {(m, p) for m, p, _ in operations(personas)}
    assert len(listed) == sum(len(ops) for ops in PATHS.values()) - 1  # all but the token


@pytest.mark.parametrize("token", ["none", "made_up", "revoked"])
def test_every_operation_needs_a_valid_token(personas, token):
    if token == "none":
        api = ApiClient(None)
    elif token == "made_up":
        api = ApiClient("rk_" + "x" * 43)
    else:
        issued, raw = ApiToken.issue(user=personas.caremanager)
        issued.revoked_at = timezone.now()
        issued.save(update_fields=["revoked_at"])
        api = ApiClient(raw)
    events = AuditEvent.objects.count()
    for method, path, body in operations(personas):
        response = call(api, method, path, body)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json()["detail"].startswith("認証が必要です。")
    assert AuditEvent.objects.count() == events
    personas.resident.refresh_from_db()
    assert personas.resident.phone == "0265-00-0000"


@pytest.mark.parametrize("who", ["pharmacist", "nurse_b", "operator_c"])
def test_every_resident_operation_is_404_out_of_reach(personas, api_for, who):
    api = api_for(getattr(personas, who))
    statuses = personas.resident.team_members.values_list("status", flat=True)
    before = sorted(statuses)
    for method, path, body in resident_scoped(personas):
        response = call(api, method, path, body)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "山田" not in response.content.decode()
    assert sorted(personas.resident.team_members.values_list("status", flat=True)) == before
    assert personas.resident.consents.count() == 1
    assert not AuditEvent.objects.exists()


def test_writes_with_a_bearer_token_need_no_csrf_token(personas, api_for):
    # Bearer tokens are not sent by browsers on their own, so CSRF does not apply; a
    # session cookie alone never authenticates an API call.
    api = api_for(personas.nurse, enforce_csrf_checks=True)
    response = api.patch(f"/residents/{personas.resident.uuid}", {"phone": "0265-55-5555"})
    assert response.status_code == 200


def test_a_session_cookie_alone_does_not_authenticate(personas, client_for):
    client = client_for(personas.nurse)
    assert client.get(f"/api/v1/residents/{personas.resident.uuid}").status_code == 401
