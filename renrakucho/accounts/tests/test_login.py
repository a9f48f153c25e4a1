import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renrakucho.facilities.models import Affiliation
from renrakucho.networks.models import Suspension

from .conftest import LOGIN_URL

pytestmark = pytest.mark.django_db

INVALID = "ログインIDまたはパスワードが正しくありません。"
REFUSED = "利用できる所属がないため、ログインできません。"
LOCKED = "このログインIDは一時的にロックされています"


def _is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_login_page_is_japanese_and_phone_ready(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "電子連絡帳にログイン" in html
    assert 'name="viewport"' in html
    assert 'autocomplete="current-password"' in html
    assert "<script>" not in html and "style=" not in html


def test_login_success_goes_to_dashboard(personas, login):
    client, response = login("p-nurse")
    assert response.status_code == 302
    assert response["Location"] == reverse("home:dashboard")
    assert _is_signed_in(client)
    assert client.get(reverse("home:dashboard")).status_code == 200


def test_full_width_login_id_is_accepted(personas, login):
    client, response = login("ｐ－ｎｕｒｓｅ")
    assert response.status_code == 302
    assert _is_signed_in(client)


def test_wrong_password_keeps_the_login_id_and_says_why_in_japanese(personas, login):
    client, response = login("p-nurse", "wrong-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert INVALID in html
    assert 'value="p-nurse"' in html  # what was typed is kept (not the password)
    assert "wrong-password" not in html
    assert not _is_signed_in(client)


def test_unknown_login_id_gets_the_same_message(personas, login):
    _client, response = login("nobody-here", "whatever-pass")
    assert INVALID in response.content.decode()
    assert REFUSED not in response.content.decode()


def test_empty_fields_get_specific_messages(client, personas):
    response = client.post(LOGIN_URL, {"username": "", "password": ""})
    html = response.content.decode()
    assert "ログインIDを入力してください。" in html
    assert "パスワードを入力してください。" in html


def test_login_page_rejects_other_methods(client):
    assert client.put(LOGIN_URL).status_code == 405


def test_safe_next_is_followed(personas, login):
    _client, response = login("p-nurse", next="/residents/")
    assert response["Location"] == "/residents/"


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_offsite_next_is_ignored(personas, login, evil):
    _client, response = login("p-nurse", next=evil)
    assert response["Location"] == reverse("home:dashboard")


def test_signed_in_user_visiting_login_is_sent_on(personas, client_for):
    response = client_for(personas.nurse).get(LOGIN_URL + "?next=/residents/")
    assert response.status_code == 302
    assert response["Location"] == "/residents/"


def test_user_whose_affiliations_all_ended_cannot_log_in(personas, login):
    personas.pharmacist.affiliations.update(
        status=Affiliation.Status.ENDED, ended_at=timezone.now()
    )
    client, response = login("p-pharmacist")
    assert response.status_code == 200
    # The password was right, so the reason may be given.
    assert REFUSED in response.content.decode()
    assert not _is_signed_in(client)


def test_no_affiliation_reason_is_not_given_for_a_wrong_password(personas, login):
    personas.pharmacist.affiliations.update(status=Affiliation.Status.ENDED)
    _client, response = login("p-pharmacist", "wrong-password")
    html = response.content.decode()
    assert INVALID in html and REFUSED not in html


def test_signed_in_session_is_ended_when_the_last_affiliation_ends(personas, client_for):
    client = client_for(personas.pharmacist)
    assert client.get(reverse("home:dashboard")).status_code == 200
    personas.pharmacist.affiliations.update(status=Affiliation.Status.ENDED)

    response = client.get(reverse("home:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert not _is_signed_in(client)
    # The login page says why, once.
    assert (
        "利用できる所属がなくなったため、ログアウトしました。"
        in client.get(LOGIN_URL).content.decode()
    )
    assert "ログアウトしました" not in client.get(LOGIN_URL).content.decode()


def test_suspended_in_their_only_network_cannot_log_in(personas, login):
    Suspension.objects.create(
        network=personas.net_b,
        user=personas.nurse_b,
        reason="退職",
        suspended_by=personas.operator_a,
    )
    client, response = login("p-nurse-b")
    assert REFUSED in response.content.decode()
    assert not _is_signed_in(client)


def test_suspension_in_one_of_two_networks_still_lets_in(personas, login):
    Affiliation.objects.create(
        user=personas.nurse_b, facility=personas.nursing_a, status=Affiliation.Status.ACTIVE
    )
    Suspension.objects.create(
        network=personas.net_b,
        user=personas.nurse_b,
        reason="確認中",
        suspended_by=personas.operator_a,
    )
    client, response = login("p-nurse-b")
    assert response.status_code == 302
    assert _is_signed_in(client)


def test_suspended_signed_in_user_is_signed_out(personas, client_for):
    client = client_for(personas.nurse_b)
    Suspension.objects.create(
        network=personas.net_b,
        user=personas.nurse_b,
        reason="退職",
        suspended_by=personas.operator_a,
    )
    response = client.get(reverse("accounts:settings"))
    assert response.status_code == 302 and response["Location"] == LOGIN_URL
    assert not _is_signed_in(client)


def test_lock_out_after_failure_limit_then_right_password_refused(personas, login):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(4):
        _c, response = login("p-nurse", "wrong-password", client=client)
        assert response.status_code == 200
        assert INVALID in response.content.decode()
    _c, response = login("p-nurse", "wrong-password", client=client)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert "30分ほど待ってから" in html
    assert "p-nurse" not in html  # the login ID is not echoed

    # Locked: even the right password is refused, from any browser.
    other_client, response = login("p-nurse")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not _is_signed_in(other_client)


def test_lock_out_is_per_login_id(personas, login):
    for _ in range(5):
        login("p-nurse", "wrong-password")
    client, response = login("p-doctor")
    assert response.status_code == 302
    assert _is_signed_in(client)


def test_successful_login_resets_the_failure_count(personas, login):
    for _ in range(4):
        login("p-nurse", "wrong-password")
    login("p-nurse")
    for _ in range(4):
        _c, response = login("p-nurse", "wrong-password")
    assert response.status_code == 200


def test_logout_is_post_only(personas, client_for):
    client = client_for(personas.nurse)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _is_signed_in(client)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN_URL
    assert not _is_signed_in(client)
    assert "ログアウトしました。" in client.get(LOGIN_URL).content.decode()


def test_anonymous_logout_just_redirects(client):
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302


def test_production_password_hasher_is_argon2():
    # The test conftest swaps in MD5 for speed; read the real settings module.
    from renrakucho import settings as real_settings

    assert real_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_and_verifies(settings):
    from django.contrib.auth.hashers import check_password, make_password

    from renrakucho import settings as real_settings

    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS
    encoded = make_password("correct horse battery")
    assert encoded.startswith("argon2$")
    assert check_password("correct horse battery", encoded)
