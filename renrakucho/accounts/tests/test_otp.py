import base64
import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from renrakucho.audit.models import Action, AuditEvent

from .conftest import LOGIN_URL, code_for

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:otp_verify")
SETUP = reverse("accounts:otp_setup")
DASHBOARD = reverse("home:dashboard")
SETTINGS = reverse("accounts:settings")
WRONG = "確認コードが正しくありません。"


def _verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


@pytest.fixture
def two_factor_network(personas):
    personas.net_a.two_factor_required = True
    personas.net_a.save(update_fields=["two_factor_required"])
    return personas.net_a


def test_setup_shows_inline_svg_qr_and_secret_then_confirms(personas, client_for):
    client = client_for(personas.nurse)
    response = client.get(SETUP)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<path" in html
    assert "<img" not in html and "<script>" not in html.split("</header>")[1]
    device = TOTPDevice.objects.get(user=personas.nurse)
    assert not device.confirmed
    # The secret is shown for manual entry (base32, grouped by four).
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    # Reloading keeps the same secret.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=personas.nurse).count() == 1

    response = client.post(SETUP, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    device.throttle_reset()
    response = client.post(SETUP, {"code": code_for(device), "next": SETTINGS})
    assert response.status_code == 302 and response["Location"] == SETTINGS
    device.refresh_from_db()
    assert device.confirmed
    assert _verified(client)
    event = AuditEvent.objects.filter(action=Action.OTP_ENROLLED).get()
    assert event.actor == personas.nurse


def test_setup_code_format_error(personas, client_for):
    client = client_for(personas.nurse)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "12ab"})
    assert "確認コードは6桁の数字で入力してください。" in response.content.decode()


def test_full_width_code_is_accepted(personas, client_for):
    client = client_for(personas.nurse)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=personas.nurse)
    code = code_for(device).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post(SETUP, {"code": code[:3] + " " + code[3:]})
    assert response.status_code == 302


def test_login_with_device_requires_the_code(personas, login, confirmed_device):
    device = confirmed_device(personas.nurse)
    client, response = login("p-nurse", next="/residents/")
    assert response.status_code == 302
    assert response["Location"] == VERIFY + "?next=%2Fresidents%2F"
    # Skipping the step is not possible: every page sends the session back to it.
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    response = client.get(SETTINGS)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)

    response = client.post(VERIFY, {"code": "999999" if code_for(device) != "999999" else "888888"})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not _verified(client)
    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).get()
    assert failed.detail == {"stage": "otp"}
    assert failed.actor == personas.nurse and failed.actor_username == "p-nurse"

    device.throttle_reset()
    session_key = client.session.session_key
    response = client.post(VERIFY, {"code": code_for(device), "next": "/residents/"})
    assert response.status_code == 302 and response["Location"] == "/residents/"
    assert _verified(client)
    assert client.session.session_key != session_key  # rotated on gaining the factor
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, detail__stage="otp").count() == 1


def test_a_code_cannot_be_used_twice(personas, login, confirmed_device):
    device = confirmed_device(personas.nurse)
    client, _ = login("p-nurse")
    code = code_for(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    client, _ = login("p-nurse")
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200 and not _verified(client)


def test_setup_then_later_login_with_verify(personas, client_for, login):
    client = client_for(personas.doctor)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=personas.doctor)
    assert client.post(SETUP, {"code": code_for(device)}).status_code == 302
    client.post(reverse("accounts:logout"))

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=90), tick=False):
        client, response = login("p-doctor")
        assert response["Location"] == VERIFY
        response = client.post(VERIFY, {"code": code_for(device)})
        assert response.status_code == 302 and response["Location"] == DASHBOARD
        assert _verified(client)


def test_repeated_wrong_codes_lock_the_login_id_and_end_the_session(
    personas, login, confirmed_device
):
    device = confirmed_device(personas.nurse)
    client, _ = login("p-nurse")
    wrong = "999999" if code_for(device) != "999999" else "888888"
    for attempt in range(5):
        device.throttle_reset()  # django-otp's own back-off would refuse before axes counts
        response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 429
    assert "一時的にロックされています" in response.content.decode()
    assert SESSION_KEY not in client.session
    _c, response = login("p-nurse")
    assert response.status_code == 429


def test_throttled_device_gets_a_wait_message(personas, login, confirmed_device):
    device = confirmed_device(personas.nurse)
    client, _ = login("p-nurse")
    wrong = "999999" if code_for(device) != "999999" else "888888"
    client.post(VERIFY, {"code": wrong})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert "少し時間をおいてから" in response.content.decode()
    assert not _verified(client)


def test_verify_without_device_redirects_to_setup(personas, client_for):
    response = client_for(personas.nurse).get(VERIFY + "?next=/residents/")
    assert response.status_code == 302
    assert response["Location"] == SETUP + "?next=%2Fresidents%2F"


def test_verify_and_setup_need_a_session(client):
    for url in (VERIFY, SETUP):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def test_otp_pages_reject_other_methods(personas, client_for):
    client = client_for(personas.nurse)
    assert client.put(VERIFY).status_code == 405
    assert client.put(SETUP).status_code == 405


def test_two_factor_network_forces_setup_before_the_dashboard(personas, two_factor_network, login):
    client, response = login("p-nurse")
    assert response["Location"] == SETUP
    for url in (DASHBOARD, SETTINGS, "/residents/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url
    # The verify step, reached through the middleware, sends a user without device to setup.
    assert client.get(VERIFY)["Location"] == SETUP

    response = client.get(SETUP)
    assert "二要素認証が必須です" in response.content.decode()
    device = TOTPDevice.objects.get(user=personas.nurse)
    response = client.post(SETUP, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_two_factor_network_session_without_verification_is_sent_to_verify(
    personas, two_factor_network, client_for, confirmed_device
):
    confirmed_device(personas.nurse)
    client = client_for(personas.nurse)
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == VERIFY + "?next=%2F"


def test_other_networks_are_not_forced(personas, two_factor_network, client_for):
    # nurse_b belongs only to Network B, which does not require two-factor login.
    assert client_for(personas.nurse_b).get(DASHBOARD).status_code == 200


def test_disable_own_totp_with_a_code(personas, client_for, confirmed_device):
    device = confirmed_device(personas.nurse)
    client = client_for(personas.nurse)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    url = reverse("accounts:otp_disable")
    assert client.get(url).status_code == 405

    response = client.post(url, {"code": "12"})
    assert response.status_code == 200
    assert "確認コードは6桁の数字で入力してください。" in response.content.decode()
    assert TOTPDevice.objects.filter(user=personas.nurse).exists()

    response = client.post(url, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == SETTINGS
    assert not TOTPDevice.objects.filter(user=personas.nurse).exists()
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action=Action.OTP_DISABLED).count() == 1


def test_disable_refused_where_a_network_requires_it(
    personas, two_factor_network, client_for, confirmed_device
):
    device = confirmed_device(personas.nurse)
    client = client_for(personas.nurse)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.post(reverse("accounts:otp_disable"), {"code": code_for(device)})
    assert response.status_code == 403
    assert "二要素認証が必須のため、解除できません。" in response.content.decode()
    assert TOTPDevice.objects.filter(user=personas.nurse, confirmed=True).exists()


def test_setup_when_already_set_up_goes_to_settings(personas, client_for, confirmed_device):
    device = confirmed_device(personas.nurse)
    client = client_for(personas.nurse)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"] == SETTINGS
    assert TOTPDevice.objects.filter(user=personas.nurse).count() == 1


def test_empty_code_gets_a_required_message(personas, login, confirmed_device):
    confirmed_device(personas.nurse)
    client, _ = login("p-nurse")
    response = client.post(VERIFY, {})
    assert "6桁の確認コードを入力してください。" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.LOGIN_FAILED).exists()
