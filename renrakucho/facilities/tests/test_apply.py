"""The public facility application (事業所の登録申請)."""

import pytest
from django.urls import reverse

from renrakucho.accounts.models import User
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import Affiliation, Facility
from renrakucho.networks.models import Suspension

pytestmark = pytest.mark.django_db


def _url(personas, network=None):
    return reverse("facilities:apply", kwargs={"slug": (network or personas.net_a).slug})


def test_form_is_public_and_japanese(client, personas):
    response = client.get(_url(personas))
    assert response.status_code == 200
    html = response.content.decode()
    assert "事業所の登録申請" in html
    assert personas.net_a.name in html
    assert 'name="account-username"' in html  # an anonymous applicant creates the admin
    assert "医師" in html and "介護支援専門員" in html  # occupations to choose from
    assert "<script>" not in html and "style=" not in html


def test_unknown_or_inactive_network_is_404(client, personas):
    assert client.get("/facilities/apply/no-such-network/").status_code == 404
    personas.net_a.is_active = False
    personas.net_a.save(update_fields=["is_active"])
    assert client.get(_url(personas)).status_code == 404


def test_wrong_method_is_405(client, personas):
    assert client.put(_url(personas)).status_code == 405
    done = reverse("facilities:apply_done", kwargs={"slug": personas.net_a.slug})
    assert client.post(done).status_code == 405


def test_application_creates_pending_facility_user_and_admin_affiliation(
    client, personas, apply_data
):
    response = client.post(_url(personas, personas.net_b), apply_data(), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    assert response["Location"] == reverse("facilities:apply_done", kwargs={"slug": "minamiminowa"})

    facility = Facility.objects.get(name="みのわ訪問看護ステーション")
    assert facility.network == personas.net_b
    assert facility.status == Facility.Status.PENDING
    assert facility.name_kana == "ミノワホウモンカンゴ"  # hiragana stored as katakana
    user = User.objects.get(username="minowa-admin")
    assert user.name_kana == "ミノワ カンリ"
    assert user.check_password("kanri-pass-2026")
    assert [o.code for o in user.occupations.all()] == ["nurse"]
    affiliation = Affiliation.objects.get(user=user)
    assert affiliation.facility == facility
    assert affiliation.is_admin and affiliation.status == Affiliation.Status.PENDING
    # Nothing is usable before the operator approves.
    assert not user.can_log_in()

    event = AuditEvent.objects.get(action=Action.FACILITY_APPLY)
    assert event.actor == user
    assert event.network_id == personas.net_b.id
    assert event.target_id == str(facility.uuid)
    assert event.ip == "192.0.2.7"

    done = client.get(response["Location"])
    assert "ありがとうございます" in done.content.decode()
    assert "承認" in done.content.decode()


def test_full_width_numbers_are_accepted_and_stored_half_width(client, personas, apply_data):
    data = apply_data(
        **{
            "facility-facility_number": "２０９１２３４５６７",
            "facility-phone": "０２６５ー７２ー００００",
            "facility-postal_code": "〒３９９ー４５１１",
        }
    )
    assert client.post(_url(personas), data).status_code == 302
    facility = Facility.objects.get(name="みのわ訪問看護ステーション")
    assert facility.facility_number == "2091234567"
    assert facility.phone == "0265-72-0000"
    assert facility.postal_code == "399-4511"


def _assert_nothing_saved(before_users):
    assert not Facility.objects.filter(name="みのわ訪問看護ステーション").exists()
    assert User.objects.count() == before_users
    assert not AuditEvent.objects.filter(action=Action.FACILITY_APPLY).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "facility-facility_number",
            "12345",
            "事業所番号は7桁または10桁の半角数字で入力してください。",
        ),
        (
            "facility-facility_number",
            "abcdefg",
            "事業所番号は7桁または10桁の半角数字で入力してください。",
        ),
        ("facility-phone", "090-abcd-0000", "電話番号の形式が正しくありません"),
        ("facility-postal_code", "39945", "郵便番号は7桁で入力してください"),
        (
            "facility-name_kana",
            "箕輪ほうもん",
            "事業所名（カナ）はカタカナまたはひらがなで入力してください。",
        ),
        ("facility-name", "", "このフィールドは必須です。"),
        (
            "account-name_kana",
            "箕輪 カンリ",
            "氏名（カナ）はカタカナまたはひらがなで入力してください。",
        ),
        ("account-username", "あ", "ログインIDは半角英数字と . _ @ - で3〜64文字にしてください。"),
        ("account-email", "not-an-address", "メールアドレスの形式が正しくありません。"),
        ("account-occupations", [], "職種を1つ以上選んでください。"),
        ("account-password_confirm", "something-else-99", "確認用のパスワードが一致しません。"),
    ],
)
def test_bad_input_gets_a_japanese_field_error_and_keeps_what_was_typed(
    client, personas, apply_data, field, value, message
):
    before = User.objects.count()
    response = client.post(_url(personas), apply_data(**{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    # The rest of the form is still filled in.
    assert 'value="長野県上伊那郡南箕輪村1234"' in html
    assert 'value="箕輪 管理"' in html or field == "account-name"
    _assert_nothing_saved(before)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "このパスワードは短すぎます。"),
        ("1234567890123", "このパスワードは数字しか使われていません。"),
        ("password1234", "このパスワードは一般的すぎます。"),
    ],
)
def test_weak_passwords_are_refused_by_djangos_validators(
    client, personas, apply_data, password, message
):
    before = User.objects.count()
    data = apply_data(**{"account-password": password, "account-password_confirm": password})
    response = client.post(_url(personas), data)
    assert message in response.content.decode()
    _assert_nothing_saved(before)


@pytest.mark.parametrize("login_id", ["p-nurse", "P-NURSE"])
def test_duplicate_login_id_is_an_error_on_the_field(client, personas, apply_data, login_id):
    before = User.objects.count()
    response = client.post(_url(personas), apply_data(**{"account-username": login_id}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "このログインIDは既に使われています。" in html
    assert f'value="{login_id}"' in html
    _assert_nothing_saved(before)


def test_signed_in_professional_applies_without_a_new_account(client_for, personas, apply_data):
    client = client_for(personas.pharmacist)
    page = client.get(_url(personas))
    assert 'name="account-username"' not in page.content.decode()
    assert "管理者として申請します" in page.content.decode()
    before = User.objects.count()

    response = client.post(_url(personas), apply_data(account=False))
    assert response.status_code == 302
    assert User.objects.count() == before
    facility = Facility.objects.get(name="みのわ訪問看護ステーション")
    affiliation = Affiliation.objects.get(facility=facility)
    assert affiliation.user == personas.pharmacist
    assert affiliation.is_admin and affiliation.status == Affiliation.Status.PENDING
    assert AuditEvent.objects.get(action=Action.FACILITY_APPLY).actor == personas.pharmacist
    # The application is listed on the applicant's facility page.
    mine = client.get(reverse("facilities:mine")).content.decode()
    assert "みのわ訪問看護ステーション" in mine and "承認待ち" in mine


def test_suspended_professional_cannot_apply_in_that_network(client_for, personas, apply_data):
    Suspension.objects.create(
        network=personas.net_a,
        user=personas.pharmacist,
        reason="調査中",
        suspended_by=personas.operator_a,
    )
    # Suspended in A only: the session is still valid through no other Network, so give the
    # pharmacist another affiliation (B) to stay signed in.
    Affiliation.objects.create(
        user=personas.pharmacist, facility=personas.nursing_b, status=Affiliation.Status.ACTIVE
    )
    client = client_for(personas.pharmacist)
    response = client.post(_url(personas), apply_data(account=False))
    assert response.status_code == 200
    assert "利用停止中のため、申請できません。" in response.content.decode()
    assert not Facility.objects.filter(name="みのわ訪問看護ステーション").exists()
