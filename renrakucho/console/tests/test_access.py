"""Who reaches the console at all: operators only, each inside their own Networks."""

import pytest
from django.urls import reverse

from renrakucho.networks.models import OperatorRole, Suspension

pytestmark = pytest.mark.django_db


def _urls(personas, pending):
    """(method, url) of every console page, pointing at Network A's objects."""
    facility = {"facility_uuid": pending.uuid}
    user = {"user_uuid": personas.nurse.uuid}
    return [
        ("get", reverse("console:index")),
        ("get", reverse("console:facilities")),
        ("get", reverse("console:facility", kwargs=facility)),
        ("post", reverse("console:facility_approve", kwargs=facility)),
        ("post", reverse("console:facility_reject", kwargs=facility)),
        ("get", reverse("console:users")),
        ("get", reverse("console:user", kwargs=user)),
        ("post", reverse("console:user_suspend", kwargs=user)),
        ("post", reverse("console:user_unsuspend", kwargs=user)),
        ("get", reverse("console:audit")),
        ("get", reverse("console:network_settings", kwargs={"network_uuid": personas.net_a.uuid})),
        ("post", reverse("console:network_settings", kwargs={"network_uuid": personas.net_a.uuid})),
    ]


def test_anonymous_is_sent_to_login(client, personas, apply_facility):
    for method, url in _urls(personas, apply_facility(personas.net_a)):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["doctor", "pharmacist", "nurse_b"])
def test_non_operators_get_404_everywhere(client_for, personas, apply_facility, who):
    client = client_for(getattr(personas, who))
    for method, url in _urls(personas, apply_facility(personas.net_a)):
        assert getattr(client, method)(url).status_code == 404, url


def test_operator_of_another_network_sees_nothing_of_a(client_for, personas, apply_facility):
    pending = apply_facility(personas.net_a)
    client = client_for(personas.operator_c)
    pages = _urls(personas, pending)[2:]  # everything that names an object of A
    for method, url in pages:
        if url in (reverse("console:users"), reverse("console:audit")):
            continue
        assert getattr(client, method)(url).status_code == 404, url
    # Nothing was changed by those POSTs.
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert not Suspension.objects.exists()
    # Lists of C do not show A's rows.
    assert "看護 花子" not in client.get(reverse("console:users")).content.decode()
    assert "箕輪訪問看護" not in client.get(reverse("console:facilities")).content.decode()


def test_an_inactive_or_suspended_operator_role_closes_the_console(client_for, personas):
    client = client_for(personas.operator_a)
    assert client.get(reverse("console:index")).status_code == 200
    OperatorRole.objects.filter(user=personas.operator_a).update(is_active=False)
    assert client.get(reverse("console:index")).status_code == 404
    OperatorRole.objects.filter(user=personas.operator_a).update(is_active=True)
    Suspension.objects.create(
        network=personas.net_a,
        user=personas.operator_a,
        reason="調査",
        suspended_by=personas.operator_c,
    )
    # Suspended in the only Network: signed out by the login policy.
    assert client.get(reverse("console:index")).status_code == 302


def test_wrong_methods_are_405(client_for, personas, apply_facility):
    pending = apply_facility(personas.net_a)
    client = client_for(personas.operator_a)
    for method, url in _urls(personas, pending):
        other = client.post if method == "get" else client.get
        if url.endswith("/settings/"):
            assert client.put(url).status_code == 405
            continue
        assert other(url).status_code == 405, url


def test_navigation_shows_the_console_to_operators_only(client_for, personas):
    operator = client_for(personas.operator_a).get(reverse("facilities:mine")).content.decode()
    assert reverse("console:index") in operator
    doctor = client_for(personas.doctor).get(reverse("facilities:mine")).content.decode()
    assert reverse("console:index") not in doctor
    assert reverse("facilities:mine") in doctor  # the doctor administers the clinic
    pharmacist = client_for(personas.pharmacist).get(reverse("facilities:mine")).content.decode()
    assert f'href="{reverse("facilities:mine")}"' not in pharmacist
