"""Network settings: brand name, operator organisation, contact, two-factor requirement."""

import pytest
from django.urls import reverse

from renrakucho.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def _url(network):
    return reverse("console:network_settings", kwargs={"network_uuid": network.uuid})


def _data(**overrides):
    data = {
        "name": "いーな電子@連絡帳",
        "operator_organisation": "伊那市 保健福祉部",
        "contact": "0265-78-4111",
        "two_factor_required": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_settings_form(client_for, personas):
    response = client_for(personas.operator_a).get(_url(personas.net_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ネットワーク設定" in html
    assert "二要素認証を必須にする" in html
    assert f'value="{personas.net_a.name}"' in html
    assert "/facilities/apply/ina/" in html  # the link to hand to facilities


def test_saving_changes_the_network_and_is_audited(client_for, personas):
    client = client_for(personas.operator_a)
    response = client.post(_url(personas.net_a), _data(), REMOTE_ADDR="203.0.113.2")
    assert response.status_code == 302
    personas.net_a.refresh_from_db()
    assert personas.net_a.name == "いーな電子@連絡帳"
    assert personas.net_a.operator_organisation == "伊那市 保健福祉部"
    assert personas.net_a.contact == "0265-78-4111"
    assert personas.net_a.two_factor_required
    event = AuditEvent.objects.get(action=Action.NETWORK_SETTINGS)
    assert event.actor == personas.operator_a and event.network_id == personas.net_a.id
    assert set(event.detail["changed"]) == {
        "name",
        "operator_organisation",
        "contact",
        "two_factor_required",
    }
    assert event.detail["two_factor_required"] is True
    # Two factors are now required: the operator must set up TOTP before going on.
    follow = client.get(_url(personas.net_a))
    assert follow.status_code == 302 and "/accounts/otp/" in follow["Location"]


def test_saving_unchanged_settings_writes_no_audit_row(client_for, personas):
    net = personas.net_a
    data = _data(
        name=net.name,
        operator_organisation=net.operator_organisation,
        contact=net.contact,
        two_factor_required=None,
    )
    response = client_for(personas.operator_a).post(_url(net), data, follow=True)
    assert "ネットワーク設定を保存しました。" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.NETWORK_SETTINGS).exists()


def test_bad_input_is_a_japanese_error_and_nothing_changes(client_for, personas):
    client = client_for(personas.operator_a)
    response = client.post(_url(personas.net_a), _data(name=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "このフィールドは必須です。" in html
    assert 'value="伊那市 保健福祉部"' in html  # what was typed stays
    # The page's navigation still shows the stored name, not the typed one.
    taken = client.post(_url(personas.net_a), _data(name=personas.net_b.name))
    assert taken.status_code == 400
    assert "既に存在します" in taken.content.decode()
    personas.net_a.refresh_from_db()
    assert personas.net_a.name == "伊那市電子連絡帳"
    assert not personas.net_a.two_factor_required
    assert not AuditEvent.objects.filter(action=Action.NETWORK_SETTINGS).exists()


def test_other_networks_settings_are_404(client_for, personas):
    client = client_for(personas.operator_a)
    assert client.get(_url(personas.net_c)).status_code == 404
    assert client.post(_url(personas.net_c), _data(name="乗っ取り")).status_code == 404
    assert (
        client.get(
            reverse("console:network_settings", kwargs={"network_uuid": personas.resident.uuid})
        ).status_code
        == 404
    )
    personas.net_c.refresh_from_db()
    assert personas.net_c.name != "乗っ取り"
