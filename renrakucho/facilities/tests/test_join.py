"""The invitation link: registering a new account or joining with an existing one."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from renrakucho.accounts.models import User
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Affiliation, StaffInvitation
from renrakucho.facilities.services import staff_invite

pytestmark = pytest.mark.django_db

UNUSABLE = "この招待リンクは、既に使用済みか、有効期限が切れているか、取り消されています。"


@pytest.fixture
def invitation(personas):
    """(invitation, join URL) of a fresh link to the clinic, made by its admin."""
    invitation, raw = staff_invite(actor=personas.doctor, facility=personas.clinic_a)
    return invitation, reverse("facilities:join", kwargs={"token": raw})


def test_visitor_sees_the_facility_and_a_registration_form(client, invitation):
    _invitation, url = invitation
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "事業所への参加" in html
    assert "いーなクリニック" in html
    assert 'name="account-username"' in html
    assert "<script>" not in html and "style=" not in html


def test_visitor_registers_and_waits_for_approval(client, personas, invitation, account_data):
    invitation_row, url = invitation
    response = client.post(url, account_data(), REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 302
    assert response["Location"] == reverse("facilities:join_done")
    assert "承認すると利用できるようになります" in client.get(response["Location"]).content.decode()

    user = User.objects.get(username="new-staff")
    assert user.name_kana == "シンジン カンゴ"
    affiliation = Affiliation.objects.get(user=user)
    assert affiliation.facility == personas.clinic_a
    assert affiliation.status == Affiliation.Status.PENDING and not affiliation.is_admin
    assert not user.can_log_in()
    invitation_row.refresh_from_db()
    assert invitation_row.used_at and invitation_row.used_by == user
    event = AuditEvent.objects.get(action=Action.STAFF_JOIN)
    assert event.actor == user and event.network_id == personas.net_a.id
    assert event.ip == "198.51.100.4"
    assert event.detail["new_user"] is True


def test_link_used_twice_is_410_and_creates_nothing(client, personas, invitation, account_data):
    _invitation, url = invitation
    assert client.post(url, account_data()).status_code == 302
    users, affiliations = User.objects.count(), Affiliation.objects.count()

    assert client.get(url).status_code == 410
    response = client.post(url, account_data(**{"account-username": "second-try"}))
    assert response.status_code == 410
    assert UNUSABLE in response.content.decode()
    assert User.objects.count() == users
    assert Affiliation.objects.count() == affiliations
    assert not User.objects.filter(username="second-try").exists()
    assert AuditEvent.objects.filter(action=Action.STAFF_JOIN).count() == 1


def test_expired_link_is_410_and_creates_nothing(client, settings, invitation, account_data):
    _invitation, url = invitation
    users = User.objects.count()
    later = timezone.now() + datetime.timedelta(
        hours=settings.STAFF_INVITATION_TTL_HOURS, minutes=1
    )
    with time_machine.travel(later, tick=False):
        assert client.get(url).status_code == 410
        response = client.post(url, account_data())
    assert response.status_code == 410
    assert UNUSABLE in response.content.decode()
    assert User.objects.count() == users
    assert StaffInvitation.objects.get().used_at is None


def test_link_just_before_expiry_still_works(client, settings, invitation):
    _invitation, url = invitation
    almost = timezone.now() + datetime.timedelta(hours=settings.STAFF_INVITATION_TTL_HOURS - 1)
    with time_machine.travel(almost, tick=False):
        assert client.get(url).status_code == 200


def test_unknown_token_is_410(client, personas):
    assert client.get(reverse("facilities:join", kwargs={"token": "x" * 43})).status_code == 410


def test_link_of_a_facility_no_longer_approved_is_410(client, personas, invitation):
    _invitation, url = invitation
    personas.clinic_a.status = "rejected"
    personas.clinic_a.save(update_fields=["status"])
    assert client.get(url).status_code == 410


def test_wrong_method_is_405(client, invitation):
    _invitation, url = invitation
    assert client.put(url).status_code == 405
    assert client.post(reverse("facilities:join_done")).status_code == 405


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "account-name_kana",
            "新人 かんご",
            "氏名（カナ）はカタカナまたはひらがなで入力してください。",
        ),
        ("account-username", "p-doctor", "このログインIDは既に使われています。"),
        ("account-occupations", [], "職種を1つ以上選んでください。"),
    ],
)
def test_bad_registration_keeps_the_link_and_what_was_typed(
    client, invitation, account_data, field, value, message
):
    invitation_row, url = invitation
    users = User.objects.count()
    response = client.post(url, account_data(**{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="新人 看護"' in html
    assert User.objects.count() == users
    invitation_row.refresh_from_db()
    assert invitation_row.used_at is None  # the link can still be used once fixed


def test_signed_in_professional_joins_with_their_account(client_for, personas, invitation):
    invitation_row, url = invitation
    client = client_for(personas.pharmacist)
    page = client.get(url).content.decode()
    assert "この事業所に参加する" in page
    assert 'name="account-username"' not in page
    users = User.objects.count()

    response = client.post(url)
    assert response.status_code == 302
    assert User.objects.count() == users
    affiliation = Affiliation.objects.get(user=personas.pharmacist, facility=personas.clinic_a)
    assert affiliation.status == Affiliation.Status.PENDING
    invitation_row.refresh_from_db()
    assert invitation_row.used_by == personas.pharmacist
    assert AuditEvent.objects.get(action=Action.STAFF_JOIN).detail["new_user"] is False


def test_existing_member_cannot_join_again_and_the_link_stays_unused(
    client_for, personas, invitation
):
    invitation_row, url = invitation
    response = client_for(personas.doctor).post(url)
    assert response.status_code == 400
    assert "既にこの事業所に所属しているか、承認待ちです。" in response.content.decode()
    invitation_row.refresh_from_db()
    assert invitation_row.used_at is None
    assert Affiliation.objects.filter(user=personas.doctor, facility=personas.clinic_a).count() == 1
