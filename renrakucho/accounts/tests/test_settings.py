import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renrakucho.accounts.models import ApiToken
from renrakucho.accounts.services import MAX_ACTIVE_API_TOKENS
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Affiliation
from renrakucho.networks.models import Suspension

pytestmark = pytest.mark.django_db

SETTINGS = reverse("accounts:settings")
ISSUE = reverse("accounts:token_issue")


def _revoke_url(token):
    return reverse("accounts:token_revoke", args=[token.uuid])


def test_settings_page_shows_profile_affiliations_and_two_factor(personas, client_for):
    Affiliation.objects.create(
        user=personas.nurse, facility=personas.clinic_a, status=Affiliation.Status.PENDING
    )
    response = client_for(personas.nurse).get(SETTINGS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "アカウント設定" in html
    assert "看護 花子" in html and "カンゴ ハナコ" in html
    assert "看護師" in html
    assert "いーな訪問看護ステーション" in html and personas.net_a.name in html
    assert "いーなクリニック" in html and "承認待ち" in html
    assert "事業所管理者" in html
    assert "未設定" in html and reverse("accounts:otp_setup") in html
    assert "有効なAPIトークンはありません。" in html


def test_settings_shows_operator_role_and_suspension(personas, client_for):
    Affiliation.objects.create(
        user=personas.operator_a, facility=personas.nursing_b, status=Affiliation.Status.ACTIVE
    )
    Suspension.objects.create(
        network=personas.net_b,
        user=personas.operator_a,
        reason="確認",
        suspended_by=personas.operator_c,
    )
    html = client_for(personas.operator_a).get(SETTINGS).content.decode()
    assert "運営しているネットワーク" in html
    assert "利用停止中" in html


def test_settings_requires_login(client):
    response = client.get(SETTINGS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["token_issue", "otp_disable"])
def test_writes_need_a_session(client, name):
    response = client.post(reverse(f"accounts:{name}"), {"name": "x", "code": "123456"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ApiToken.objects.exists()


def test_settings_rejects_post(personas, client_for):
    assert client_for(personas.nurse).post(SETTINGS).status_code == 405


def test_issue_token_shows_raw_value_once_and_stores_only_its_hash(personas, client_for):
    client = client_for(personas.nurse)
    assert client.get(ISSUE).status_code == 405
    response = client.post(ISSUE, {"name": "記録システム連携"})
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(user=personas.nurse)
    raw = html.split('<code class="secret">')[1].split("</code>")[0]
    assert raw.startswith("rk_") and raw.endswith(token.hint)
    assert ApiToken.find_active(raw) == token
    assert raw not in token.key_hash
    assert "この値は今しか表示されません" in html
    # Shown once: the next visit lists the hint only.
    html = client.get(SETTINGS).content.decode()
    assert raw not in html
    assert f"…{token.hint}" in html and "記録システム連携" in html and "未使用" in html
    event = AuditEvent.objects.filter(action=Action.TOKEN_ISSUED).get()
    assert event.actor == personas.nurse
    assert event.target_id == str(token.uuid)
    assert event.ip == "127.0.0.1"


def test_issue_token_needs_a_name(personas, client_for):
    response = client_for(personas.nurse).post(ISSUE, {"name": ""})
    assert "用途が分かる名前を入力してください。" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.TOKEN_ISSUED).exists()


def test_issue_token_limit(personas, client_for):
    for i in range(MAX_ACTIVE_API_TOKENS):
        ApiToken.issue(user=personas.nurse, name=f"t{i}")
    response = client_for(personas.nurse).post(ISSUE, {"name": "もう一つ"})
    assert "有効なAPIトークンは20個までです。" in response.content.decode()
    assert ApiToken.objects.filter(user=personas.nurse).count() == MAX_ACTIVE_API_TOKENS


def test_owner_revokes_token(personas, client_for):
    token, raw = ApiToken.issue(user=personas.nurse, name="連携")
    client = client_for(personas.nurse)
    assert client.get(_revoke_url(token)).status_code == 405
    response = client.post(_revoke_url(token))
    assert response.status_code == 302 and response["Location"] == SETTINGS
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.find_active(raw) is None
    assert "APIトークン「連携」を失効させました。" in client.get(SETTINGS).content.decode()
    event = AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).get()
    assert event.actor == personas.nurse and event.target_id == str(token.uuid)
    # Revoking again: it is no longer an active token of theirs.
    assert client.post(_revoke_url(token)).status_code == 404


@pytest.mark.parametrize("who", ["pharmacist", "nurse_b", "operator_a"])
def test_token_of_another_user_is_404(personas, client_for, who):
    token, raw = ApiToken.issue(user=personas.nurse, name="連携")
    response = client_for(getattr(personas, who)).post(_revoke_url(token))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).exists()


def test_anonymous_cannot_revoke(personas, client):
    token, _raw = ApiToken.issue(user=personas.nurse, name="連携")
    response = client.post(_revoke_url(token))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoked_tokens_are_not_listed(personas, client_for):
    kept, _ = ApiToken.issue(user=personas.nurse, name="残すトークン")
    gone, _ = ApiToken.issue(user=personas.nurse, name="消すトークン")
    client = client_for(personas.nurse)
    client.post(_revoke_url(gone))
    client.get(SETTINGS)  # consumes the "revoked" message, which names the token
    html = client.get(SETTINGS).content.decode()
    assert "残すトークン" in html and "消すトークン" not in html


def _settings_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(SETTINGS).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("tokens", [1, 10])
def test_settings_query_count_does_not_grow_with_tokens(
    personas, client_for, django_assert_max_num_queries, tokens
):
    for i in range(tokens):
        ApiToken.issue(user=personas.nurse, name=f"token {i}")
    client = client_for(personas.nurse)
    # 17 queries, none per token: session; user; can_log_in in the backend's get_user
    # (affiliations, operator roles, suspensions); middleware second-factor check (TOTP
    # device, 2FA Network); page: occupations, affiliations+facility+network, operator
    # roles+network, suspensions, tokens, TOTP device, 2FA Network; navigation (operator
    # roles, suspensions, facility admin).
    with django_assert_max_num_queries(17):
        client.get(SETTINGS)


def test_settings_query_count_is_equal_at_1_and_10_tokens(personas, client_for):
    client = client_for(personas.nurse)
    ApiToken.issue(user=personas.nurse, name="first")
    one = _settings_queries(client)
    for i in range(9):
        ApiToken.issue(user=personas.nurse, name=f"token {i}")
    ten = _settings_queries(client)
    assert one == ten
