from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents.models import CareTeamMember, Consent, KeyPerson, Resident

from .conftest import AUDIT_ROW, SIGNED_IN_OVERHEAD

CREATE = reverse("residents:create")


def management(prefix="kp", total=2, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


def create_data(network, **overrides):
    data = {
        "network": network.slug,
        "team_role": "visiting_nurse",
        "name": "佐藤 梅子",
        "name_kana": "さとう うめこ",
        "birth_date": "1935-03-03",
        "sex": "female",
        "postal_code": "396-0011",
        "address": "長野県伊那市伊那部1-2",
        "latitude": "35.827",
        "longitude": "137.953",
        "phone": "0265-11-2222",
        "care_level": "care_3",
        "lives_alone": "on",
        "evacuation_support_needed": "on",
        "primary_doctor_note": "伊那中央病院 内科",
        "note": "午前中の訪問を希望",
        **management(),
        "kp-0-name": "佐藤 一郎",
        "kp-0-name_kana": "サトウ イチロウ",
        "kp-0-relation": "長男",
        "kp-0-phone": "090-1234-5678",
        "kp-0-is_guardian": "",
    }
    data.update(overrides)
    return data


def test_create_page_renders_in_japanese(personas, client_for):
    html = client_for(personas.nurse).get(CREATE).content.decode()
    assert "支援対象者の登録" in html
    assert "あなたのチームでの役割" in html
    assert "キーパーソン" in html
    assert "伊那 一郎" in html  # registered doctors of the Network are offered


def test_professional_registers_and_becomes_lead(personas, client_for):
    client = client_for(personas.nurse)
    response = client.post(
        CREATE, create_data(personas.net_a, primary_doctor=str(personas.doctor.uuid))
    )
    assert response.status_code == 302
    resident = Resident.objects.get(name="佐藤 梅子")
    assert response["Location"] == reverse("residents:detail", args=[resident.uuid])
    assert resident.name_kana == "サトウ ウメコ"  # stored as katakana
    assert resident.network == personas.net_a and resident.created_by == personas.nurse
    assert resident.lives_alone and resident.evacuation_support_needed
    assert not resident.disability
    assert resident.primary_doctor == personas.doctor
    assert resident.primary_doctor_note == "伊那中央病院 内科"
    member = CareTeamMember.objects.get(resident=resident)
    assert (member.user, member.role, member.is_lead, member.status) == (
        personas.nurse, "visiting_nurse", True, "active",
    )  # fmt: skip
    person = KeyPerson.objects.get(resident=resident)
    assert (person.name, person.relation, person.phone) == ("佐藤 一郎", "長男", "090-1234-5678")
    assert AuditEvent.objects.filter(action=Action.RESIDENT_CREATE, actor=personas.nurse).exists()
    # No consent yet: the card shows the banner.
    card = client.get(response["Location"]).content.decode()
    assert "支援対象者を登録しました。" in card
    assert "情報共有の同意が登録されていないため、基本情報のみ表示しています。" in card


def test_operator_registers_without_joining(personas, client_for):
    data = create_data(personas.net_a, team_role="")
    response = client_for(personas.operator_a).post(CREATE, data)
    assert response.status_code == 302
    resident = Resident.objects.get(name="佐藤 梅子")
    assert not CareTeamMember.objects.filter(resident=resident).exists()


def test_operator_chooses_only_among_their_networks(personas, client_for):
    response = client_for(personas.operator_a).post(CREATE, create_data(personas.net_c))
    assert response.status_code == 200
    assert "正しく選択してください" in response.content.decode()
    assert not Resident.objects.filter(name="佐藤 梅子").exists()


def test_professional_must_choose_a_role(personas, client_for):
    response = client_for(personas.nurse).post(CREATE, create_data(personas.net_a, team_role=""))
    assert response.status_code == 200
    assert (
        "専門職として登録する場合は、チームでの役割を選択してください。"
        in response.content.decode()
    )
    assert not Resident.objects.filter(name="佐藤 梅子").exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name_kana", "佐藤 梅子", "フリガナはカタカナまたはひらがなで入力してください。"),
        ("birth_date", "2999-01-01", "生年月日に未来の日付は指定できません。"),
        ("phone", "abc", "電話番号の形式が正しくありません"),
        ("postal_code", "12", "郵便番号は7桁で入力してください"),
        ("latitude", "123", "この値は 90 以下でなければなりません。"),
        ("name", "", "このフィールドは必須です。"),
        ("kp-0-name_kana", "佐藤", "フリガナはカタカナまたはひらがなで入力してください。"),
        ("kp-0-relation", "", "このフィールドは必須です。"),
    ],
)
def test_bad_input_gives_japanese_error_keeps_input_and_saves_nothing(
    personas, client_for, field, value, message
):
    data = create_data(personas.net_a, **{field: value})
    response = client_for(personas.nurse).post(CREATE, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "入力内容に誤りがあります" in html
    assert 'value="長野県伊那市伊那部1-2"' in html  # typed input kept
    assert 'value="佐藤 一郎"' in html
    assert not Resident.objects.filter(name="佐藤 梅子").exists()
    assert not KeyPerson.objects.exists()


def test_future_birth_date_is_on_the_field(personas, client_for):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(personas.nurse).post(
        CREATE, create_data(personas.net_a, birth_date=tomorrow.isoformat())
    )
    assert "生年月日に未来の日付は指定できません。" in str(
        response.context["form"].errors["birth_date"]
    )


def test_doctor_of_another_network_is_refused(personas, client_for):
    response = client_for(personas.nurse).post(
        CREATE, create_data(personas.net_a, primary_doctor=str(personas.nurse_b.uuid))
    )
    assert response.status_code == 200
    assert "primary_doctor" in response.context["form"].errors
    assert not Resident.objects.filter(name="佐藤 梅子").exists()


def test_create_query_count_is_constant(
    personas, client_for, more_residents, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.nurse)
    client.get(CREATE)
    _, small = count_queries(client, CREATE)
    more_residents(10, member=personas.nurse)
    _, large = count_queries(client, CREATE)
    assert small == large
    # Networks the user acts in (3) and operates (2); the Network choices (2: the options,
    # and the select's check of its first option for the `required` attribute); the doctors.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 8):
        client.get(CREATE)


# --- Edit -----------------------------------------------------------------------------------


def edit_url(p):
    return reverse("residents:edit", args=[p.resident.uuid])


def edit_data(p, **overrides):
    r = p.resident
    data = {
        "name": r.name,
        "name_kana": r.name_kana,
        "birth_date": r.birth_date.isoformat(),
        "sex": r.sex,
        "care_level": "care_4",
        "postal_code": "",
        "address": "長野県伊那市荒井2-2",
        "latitude": "",
        "longitude": "",
        "phone": r.phone,
        "primary_doctor": "",
        "primary_doctor_note": "",
        "note": "",
        **management(),
        "kp-0-name": "山田 太郎",
        "kp-0-name_kana": "やまだ たろう",
        "kp-0-relation": "夫",
        "kp-0-phone": "",
        "kp-0-is_guardian": "on",
    }
    data.update(overrides)
    return data


def test_edit_page_shows_current_values(personas, client_for):
    KeyPerson.objects.create(resident=personas.resident, name="山田 次郎", relation="次男")
    html = client_for(personas.doctor).get(edit_url(personas)).content.decode()
    assert "支援対象者の編集" in html
    assert 'value="長野県伊那市荒井1-1"' in html
    assert 'value="山田 次郎"' in html
    assert "このキーパーソンを削除する" in html
    assert AuditEvent.objects.filter(action=Action.RESIDENT_VIEW, detail__view="edit").exists()


def test_edit_updates_record_and_key_persons(personas, client_for):
    response = client_for(personas.doctor).post(edit_url(personas), edit_data(personas))
    assert response.status_code == 302
    resident = Resident.objects.get(pk=personas.resident.pk)
    assert resident.care_level == "care_4"
    assert resident.address == "長野県伊那市荒井2-2"
    person = KeyPerson.objects.get(resident=resident)
    assert person.name_kana == "ヤマダ タロウ" and person.is_guardian
    event = AuditEvent.objects.filter(action=Action.RESIDENT_UPDATE).order_by("id").first()
    assert event.detail == {"fields": ["address", "care_level"]}
    assert AuditEvent.objects.filter(
        action=Action.RESIDENT_UPDATE, detail__fields=["key_persons"]
    ).exists()


def test_edit_deletes_a_key_person(personas, client_for):
    KeyPerson.objects.create(resident=personas.resident, name="山田 次郎", relation="次男")
    data = edit_data(
        personas,
        **management(total=3, initial=1),
        **{"kp-0-name": "山田 次郎", "kp-0-name_kana": "", "kp-0-relation": "次男",
           "kp-0-is_guardian": "", "kp-0-DELETE": "on"},
    )  # fmt: skip
    response = client_for(personas.doctor).post(edit_url(personas), data)
    assert response.status_code == 302
    assert not KeyPerson.objects.exists()


def test_edit_bad_kana_changes_nothing(personas, client_for):
    response = client_for(personas.doctor).post(
        edit_url(personas), edit_data(personas, name_kana="山田", care_level="care_5")
    )
    assert response.status_code == 200
    assert "フリガナはカタカナまたはひらがなで入力してください。" in response.content.decode()
    assert 'value="山田"' in response.content.decode()
    resident = Resident.objects.get(pk=personas.resident.pk)
    assert resident.care_level == "care_2" and resident.name_kana == "ヤマダ ハナコ"
    assert not KeyPerson.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.RESIDENT_UPDATE).exists()


def test_without_consent_only_basic_fields_are_editable(personas, client_for):
    Consent.objects.update(revoked_on=personas.consent.consented_on)
    KeyPerson.objects.create(resident=personas.resident, name="山田 次郎", relation="次男")
    client = client_for(personas.nurse)
    html = client.get(edit_url(personas)).content.decode()
    assert "基本情報のみ編集できます" in html
    assert "荒井1-1" not in html and "0265-00-0000" not in html and "山田 次郎" not in html
    response = client.post(
        edit_url(personas), edit_data(personas, address="書き換え", phone="0265-99-9999")
    )
    assert response.status_code == 302
    resident = Resident.objects.get(pk=personas.resident.pk)
    assert resident.care_level == "care_4"
    assert resident.address == "長野県伊那市荒井1-1"  # detail fields ignored
    assert KeyPerson.objects.get().name == "山田 次郎"


def test_edit_query_count_does_not_grow_with_key_persons(
    personas, client_for, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.doctor)
    url = edit_url(personas)
    client.get(url)
    KeyPerson.objects.create(resident=personas.resident, name="山田 次郎", relation="次男")
    _, small = count_queries(client, url)
    for i in range(12):
        KeyPerson.objects.create(resident=personas.resident, name=f"山田 {i}", relation="親族")
    response, large = count_queries(client, url)
    assert response.content.decode().count("このキーパーソンを削除する") == 13
    assert small == large
    # access (1), key persons (1), doctors (1), audit row.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 3 + AUDIT_ROW):
        client.get(url)
