"""Audit rows for authentication (audit.receivers) and the hash chain over them."""

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from renrakucho.accounts import signals as account_signals
from renrakucho.accounts.models import ApiToken
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.audit.services import audit_verify
from renrakucho.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _client():
    return Client(REMOTE_ADDR="198.51.100.7")


def test_login_logout_and_failure_are_audited_and_the_chain_verifies(personas):
    client = _client()
    client.post(LOGIN, {"username": "p-nurse", "password": "not-the-password"})
    client.post(LOGIN, {"username": "p-nurse", "password": PASSWORD})
    client.post(reverse("accounts:logout"))

    failed, login, logout = AuditEvent.objects.order_by("id")
    assert failed.action == Action.LOGIN_FAILED
    assert failed.actor is None
    assert failed.actor_username == "p-nurse"
    assert failed.ip == "198.51.100.7"
    assert failed.detail == {"stage": "password"}
    assert "not-the-password" not in failed.canonical()

    assert login.action == Action.LOGIN
    assert login.actor == personas.nurse and login.actor_username == "p-nurse"
    assert login.ip == "198.51.100.7"

    assert logout.action == Action.LOGOUT
    assert logout.actor == personas.nurse
    assert logout.ip == "198.51.100.7"

    assert audit_verify() == (3, None)
    call_command("audit_verify")  # no error


def test_failed_login_for_unknown_id_keeps_the_attempted_id(db):
    _client().post(LOGIN, {"username": "no-such-user", "password": "guess-123456"})
    event = AuditEvent.objects.get()
    assert event.action == Action.LOGIN_FAILED
    assert event.actor_username == "no-such-user"
    assert "guess-123456" not in event.canonical()


def test_attempted_id_is_cut_to_the_column_size(db):
    _client().post(LOGIN, {"username": "x" * 64, "password": "guess-123456"})
    assert AuditEvent.objects.get().actor_username == "x" * 64


def test_failed_attempt_is_not_pinned_on_the_signed_in_user(personas, client_for):
    client = client_for(personas.doctor)
    client.post(LOGIN, {"username": "p-nurse", "password": "wrong-password"})
    failed = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert failed.actor is None and failed.actor_username == "p-nurse"


def test_locked_out_attempts_are_audited_too(personas):
    client = _client()
    for _ in range(6):
        response = client.post(LOGIN, {"username": "p-nurse", "password": "wrong-password"})
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 6
    assert audit_verify()[1] is None


def test_account_signals_are_audited_with_the_request_ip(personas):
    request = RequestFactory().post("/accounts/settings/tokens/", REMOTE_ADDR="203.0.113.9")
    request.user = personas.nurse
    token, _raw = ApiToken.issue(user=personas.nurse, name="連携")
    account_signals.api_token_issued.send(
        sender=ApiToken, user=personas.nurse, token=token, request=request
    )
    account_signals.api_token_revoked.send(
        sender=ApiToken, user=personas.nurse, token=token, request=request
    )
    account_signals.otp_enrolled.send(
        sender=type(personas.nurse), user=personas.nurse, device=None, request=request
    )
    issued, revoked, enrolled = AuditEvent.objects.order_by("id")
    assert (issued.action, revoked.action, enrolled.action) == (
        Action.TOKEN_ISSUED,
        Action.TOKEN_REVOKED,
        Action.OTP_ENROLLED,
    )
    for event in (issued, revoked, enrolled):
        assert event.actor == personas.nurse
        assert event.ip == "203.0.113.9"
    assert issued.target_type == "accounts.apitoken" and issued.target_id == str(token.uuid)
    assert audit_verify() == (3, None)


def test_audit_verify_command_fails_after_tampering(personas):
    client = _client()
    client.post(LOGIN, {"username": "p-nurse", "password": "wrong-password"})
    client.post(LOGIN, {"username": "p-nurse", "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    first = AuditEvent.objects.order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["p-doctor", first.id]
        )

    assert audit_verify() == (0, first.id)
    with pytest.raises(CommandError, match=f"event id {first.id}"):
        call_command("audit_verify")
    # As run from the shell: exit status 1.
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "audit_verify"]).execute()
    assert exit_info.value.code == 1


def test_audit_verify_detects_a_deleted_row(personas):
    client = _client()
    client.post(LOGIN, {"username": "p-nurse", "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    last = AuditEvent.objects.order_by("id").last()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [last.id])
    assert audit_verify()[1] == -1
