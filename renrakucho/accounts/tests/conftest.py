"""Helpers for the sign-in tests: posting the login form, TOTP codes from a device key."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from renrakucho.testing.personas import PASSWORD

LOGIN_URL = reverse("accounts:login")


def code_for(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The 6-digit code an authenticator app shows now for `device` (RFC 6238)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset_steps):06d}"


@pytest.fixture
def login():
    """login(username, password=PASSWORD, client=None, next=None) -> (client, response)."""

    def post(username, password=PASSWORD, *, client=None, next=None, **extra):
        client = client or Client(REMOTE_ADDR="192.0.2.10")
        data = {"username": username, "password": password}
        if next is not None:
            data["next"] = next
        response = client.post(LOGIN_URL, data, **extra)
        return client, response

    return post


@pytest.fixture
def confirmed_device():
    """confirmed_device(user) -> a confirmed TOTPDevice for `user`."""

    def make(user):
        return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)

    return make
