"""POST /auth/token, bearer authentication, GET /auth/tokens, DELETE /auth/tokens/{id}."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from renrakucho.accounts.lockout import lockout_message
from renrakucho.accounts.models import ApiToken
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Affiliation
from renrakucho.testing.personas import PASSWORD

from .conftest import API, ApiClient

pytestmark = pytest.mark.django_db


def post_token(data, client=None):
    client = client or Client()
    return client.post(f"{API}/auth/token", data, content_type="application/json")


def otp_device(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device) -> str:
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(code).zfill(device.digits)


# --- POST /auth/token ------------------------------------------------------------------
def test_token_issued_for_right_credentials_and_works(personas):
    response = post_token({"username": "p-nurse", "password": PASSWORD, "name": "記録アプリ"})
    assert response.status_code == 201
    raw = response.json()["token"]
    token = ApiToken.objects.get(uuid=response.json()["id"])
    assert token.user == personas.nurse and token.name == "記録アプリ"
    assert token.key_hash != raw and raw not in token.key_hash  # stored hashed only
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == Action.TOKEN_ISSUED and event.actor == personas.nurse
    assert event.target_id == str(token.uuid)
    me = ApiClient(raw).get("/me")
    assert me.status_code == 200 and me.json()["username"] == "p-nurse"


def test_token_endpoint_needs_no_csrf_token(personas):
    response = post_token(
        {"username": "p-nurse", "password": PASSWORD}, client=Client(enforce_csrf_checks=True)
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "username,password", [("p-nurse", "wrong-password"), ("nobody-here", PASSWORD)]
)
def test_wrong_credentials_are_401_in_japanese_and_audited(personas, username, password):
    response = post_token({"username": username, "password": password})
    assert response.status_code == 401
    assert response.json()["detail"] == "ログインIDまたはパスワードが正しくありません。"
    assert not ApiToken.objects.exists()
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == Action.LOGIN_FAILED
    assert event.actor_username == username and event.actor is None
    assert event.detail == {"stage": "password"}  # the login page's row (audit.receivers)
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 1


def test_user_without_active_affiliation_cannot_get_a_token(personas):
    Affiliation.objects.filter(user=personas.pharmacist).update(status=Affiliation.Status.ENDED)
    response = post_token({"username": "p-pharmacist", "password": PASSWORD})
    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_missing_fields_are_422_in_japanese(personas):
    response = post_token({"username": "p-nurse"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "password"], "msg": "この項目は必須です。", "type": "missing"}
    ]


def test_active_token_limit_is_422(personas):
    from renrakucho.accounts.services import MAX_ACTIVE_API_TOKENS

    for _ in range(MAX_ACTIVE_API_TOKENS):
        ApiToken.issue(user=personas.nurse)
    response = post_token({"username": "p-nurse", "password": PASSWORD})
    assert response.status_code == 422
    assert "APIトークン" in response.json()["detail"][0]["msg"]
    assert ApiToken.objects.count() == MAX_ACTIVE_API_TOKENS


def test_token_endpoint_wrong_method(personas):
    assert Client().get(f"{API}/auth/token").status_code == 405


def test_lockout_after_five_failures_is_429_in_japanese(personas):
    for _ in range(4):
        assert post_token({"username": "p-nurse", "password": "nope-nope"}).status_code == 401
    # The fifth failure reaches the limit: axes locks the login ID out at once.
    fifth = post_token({"username": "p-nurse", "password": "nope-nope"})
    assert fifth.status_code == 429
    # Locked: even the right password is refused, with the login page's message, as JSON.
    locked = post_token({"username": "p-nurse", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert locked.json() == {"detail": lockout_message()}
    assert "ロック" in locked.json()["detail"]
    assert not ApiToken.objects.exists()
    # Other login IDs are not affected (lock-out is per login ID, not per address).
    assert post_token({"username": "p-doctor", "password": PASSWORD}).status_code == 201


def test_success_resets_the_failure_count(personas):
    for _ in range(4):
        post_token({"username": "p-nurse", "password": "nope-nope"})
    assert post_token({"username": "p-nurse", "password": PASSWORD}).status_code == 201
    for _ in range(4):
        post_token({"username": "p-nurse", "password": "nope-nope"})
    assert post_token({"username": "p-nurse", "password": PASSWORD}).status_code == 201


def test_user_with_a_totp_device_must_send_the_code(personas):
    device = otp_device(personas.nurse)
    missing = post_token({"username": "p-nurse", "password": PASSWORD})
    assert missing.status_code == 401
    assert "ワンタイムパスワード" in missing.json()["detail"]
    wrong = post_token({"username": "p-nurse", "password": PASSWORD, "otp": "000000"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "ワンタイムパスワードが正しくありません。"
    assert not ApiToken.objects.exists()
    failures = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).order_by("id")
    assert [(e.actor_username, e.detail["stage"]) for e in failures] == [
        ("p-nurse", "otp"),
        ("p-nurse", "otp"),
    ]
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above started django-otp's delay
    device.throttling_failure_timestamp = None
    device.save()
    right = post_token({"username": "p-nurse", "password": PASSWORD, "otp": current_code(device)})
    assert right.status_code == 201


def test_network_requiring_two_factor_demands_a_device_and_code(personas):
    personas.net_a.two_factor_required = True
    personas.net_a.save(update_fields=["two_factor_required"])
    no_device = post_token({"username": "p-nurse", "password": PASSWORD})
    assert no_device.status_code == 401
    assert "二要素認証が必須" in no_device.json()["detail"]
    device = otp_device(personas.nurse)
    assert post_token({"username": "p-nurse", "password": PASSWORD}).status_code == 401
    ok = post_token({"username": "p-nurse", "password": PASSWORD, "otp": current_code(device)})
    assert ok.status_code == 201
    # A user of another Network is not affected by Network A's setting.
    assert post_token({"username": "p-nurse-b", "password": PASSWORD}).status_code == 201


# --- bearer authentication -------------------------------------------------------------
@pytest.mark.parametrize(
    "header",
    [None, "Bearer rk_not-a-real-token", "Bearer ", "Token {raw}", "{raw}", "Basic {raw}"],
)
def test_missing_or_malformed_token_is_401(personas, header):
    _, raw = ApiToken.issue(user=personas.nurse)
    headers = {"Authorization": header.format(raw=raw)} if header else {}
    response = Client(headers=headers).get(f"{API}/me")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("認証が必要です。")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(personas):
    token, raw = ApiToken.issue(user=personas.nurse)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    assert ApiClient(raw).get("/me").status_code == 401


def test_token_of_a_user_who_can_no_longer_log_in_is_401(personas, api_for):
    api = api_for(personas.nurse)
    assert api.get("/me").status_code == 200
    Affiliation.objects.filter(user=personas.nurse).update(status=Affiliation.Status.ENDED)
    assert api.get("/me").status_code == 401


def test_token_stops_when_the_network_starts_requiring_two_factor(personas, api_for):
    api = api_for(personas.nurse)
    assert api.get("/me").status_code == 200
    personas.net_a.two_factor_required = True
    personas.net_a.save(update_fields=["two_factor_required"])
    assert api.get("/me").status_code == 401
    otp_device(personas.nurse)  # enrolled: tokens work again
    assert api.get("/me").status_code == 200
    # Users of other Networks are not affected.
    assert api_for(personas.nurse_b).get("/me").status_code == 200


def test_last_used_at_is_written_at_most_once_a_minute(personas):
    token, raw = ApiToken.issue(user=personas.nurse)
    api = ApiClient(raw)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.get("/me")
        token.refresh_from_db()
        assert token.last_used_at == start
    with time_machine.travel(start + datetime.timedelta(seconds=59), tick=False):
        api.get("/me")
        token.refresh_from_db()
        assert token.last_used_at == start
    later = start + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        api.get("/me")
        token.refresh_from_db()
        assert token.last_used_at == later


# --- GET /auth/tokens ------------------------------------------------------------------
def test_token_list_shows_only_my_tokens_without_secrets(personas, api_for):
    api = api_for(personas.nurse)
    mine, _ = ApiToken.issue(user=personas.nurse, name="タブレット")
    ApiToken.issue(user=personas.doctor, name="他人")
    revoked, _ = ApiToken.issue(user=personas.nurse, name="失効済み")
    revoked.revoked_at = timezone.now()
    revoked.save(update_fields=["revoked_at"])
    response = api.get("/auth/tokens")
    assert response.status_code == 200
    body = response.json()
    assert {t["name"] for t in body} == {"", "タブレット"}
    assert str(mine.uuid) in {t["id"] for t in body}
    assert set(body[0]) == {"id", "name", "hint", "created_at", "last_used_at"}
    assert "key_hash" not in response.content.decode()


def test_token_list_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.nurse).put("/auth/tokens").status_code == 405
    assert api_for(None).get("/auth/tokens").status_code == 401


@pytest.mark.parametrize("extra", [0, 15])
def test_token_list_query_count(personas, api_for, django_assert_max_num_queries, extra):
    api = api_for(personas.nurse)
    for i in range(extra):
        ApiToken.issue(user=personas.nurse, name=f"t{i}")
    # auth: token (+user) 1, can_log_in 3 (affiliations, operator roles, suspensions),
    # Network two-factor policy 1, last_used_at 1; the tokens 1.
    with django_assert_max_num_queries(7):
        response = api.get("/auth/tokens")
    assert len(response.json()) == extra + 1


# --- DELETE /auth/tokens/{id} ----------------------------------------------------------
def test_revoke_my_token(personas, api_for):
    api = api_for(personas.nurse)
    other, other_raw = ApiToken.issue(user=personas.nurse, name="古い端末")
    response = api.delete(f"/auth/tokens/{other.uuid}")
    assert response.status_code == 204
    other.refresh_from_db()
    assert other.revoked_at is not None
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == Action.TOKEN_REVOKED and event.target_id == str(other.uuid)
    assert ApiClient(other_raw).get("/me").status_code == 401
    # A revoked token is gone from the owner's list: revoking again is 404.
    assert api.delete(f"/auth/tokens/{other.uuid}").status_code == 404
    assert AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).count() == 1


def test_revoking_the_token_in_use_ends_it(personas):
    token, raw = ApiToken.issue(user=personas.nurse)
    api = ApiClient(raw)
    assert api.delete(f"/auth/tokens/{token.uuid}").status_code == 204
    assert api.get("/me").status_code == 401


@pytest.mark.parametrize("target", ["others", "unknown", "malformed"])
def test_revoke_someone_elses_or_missing_token_is_404(personas, api_for, target):
    theirs, _ = ApiToken.issue(user=personas.doctor)
    token_id = {
        "others": theirs.uuid,
        "unknown": "00000000-0000-0000-0000-000000000000",
        "malformed": "abc",
    }[target]
    response = api_for(personas.nurse).delete(f"/auth/tokens/{token_id}")
    assert response.status_code == 404
    assert "見つからない" in response.json()["detail"]
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoke_wrong_method_and_anonymous(personas, api_for):
    token, _ = ApiToken.issue(user=personas.nurse)
    assert api_for(personas.nurse).post(f"/auth/tokens/{token.uuid}").status_code == 405
    assert api_for(None).delete(f"/auth/tokens/{token.uuid}").status_code == 401


@pytest.mark.parametrize("extra", [0, 15])
def test_revoke_query_count(personas, api_for, django_assert_max_num_queries, extra):
    api = api_for(personas.nurse)
    for i in range(extra):
        ApiToken.issue(user=personas.nurse, name=f"t{i}")
    token, _ = ApiToken.issue(user=personas.nurse)
    # auth 6 (token+user, can_log_in 3, two-factor policy 1, last_used_at); the token 1;
    # the service: savepoint, update; audit savepoint, head, insert, head update, release;
    # release: 15 in all.
    with django_assert_max_num_queries(15):
        assert api.delete(f"/auth/tokens/{token.uuid}").status_code == 204
