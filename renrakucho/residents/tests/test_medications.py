"""服薬・病名: per-resident medication and disease lists with append-only history."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents import medication_services as services
from renrakucho.residents.access import access_resident
from renrakucho.residents.models import Consent, Diagnosis, Medication
from renrakucho.testing.personas import add_consent, add_member, make_resident

from .conftest import AUDIT_ROW, SIGNED_IN_OVERHEAD

TODAY = timezone.localdate()


def lists_url(p):
    return reverse("residents:medications", args=[p.resident.uuid])


def card_url(p):
    return reverse("residents:detail", args=[p.resident.uuid])


def add_med(p, name="アムロジピン錠5mg", *, actor=None, **fields):
    access = access_resident(actor or p.nurse, p.resident.uuid)
    return services.medication_add(
        actor=actor or p.nurse,
        access=access,
        fields={"name": name, "dose": "1回1錠 1日1回 朝食後", **fields},
    )


def add_dx(p, name="高血圧症", *, actor=None, **fields):
    access = access_resident(actor or p.doctor, p.resident.uuid)
    return services.diagnosis_add(
        actor=actor or p.doctor, access=access, fields={"name": name, **fields}
    )


# --- Lists page, add ----------------------------------------------------------------------


def test_add_medication_shows_on_lists_and_card_with_audit(personas, client_for):
    client = client_for(personas.nurse)
    response = client.post(
        reverse("residents:medication_add", args=[personas.resident.uuid]),
        {
            "name": "アムロジピン錠5mg",
            "dose": "1回1錠 1日1回 朝食後",
            "since": "2024-04-01",
            "until": "",
            "note": "血圧が低い日は相談",
        },
    )
    assert response.status_code == 302 and response["Location"] == lists_url(personas)
    medication = Medication.objects.get()
    assert medication.recorded_by == personas.nurse and medication.since == datetime.date(
        2024, 4, 1
    )
    event = AuditEvent.objects.filter(action=Action.MEDICATION_ADD).get()
    assert event.actor == personas.nurse and event.resident_uuid == personas.resident.uuid
    assert event.target_id == str(medication.uuid)
    assert "アムロジピン" not in str(event.detail)  # names of fields only, never values

    page = client.get(lists_url(personas))
    html = page.content.decode()
    assert "服薬・病名" in html and "服薬中の薬" in html
    assert "アムロジピン錠5mg" in html and "1回1錠 1日1回 朝食後" in html
    assert "2024年4月1日" in html  # Japanese date
    assert "看護 花子" in html
    assert "服薬を登録しました。" in html
    assert AuditEvent.objects.filter(action=Action.MEDICATION_VIEW, actor=personas.nurse).exists()

    card = client.get(card_url(personas)).content.decode()
    assert "アムロジピン錠5mg" in card and lists_url(personas) in card


def test_add_diagnosis(personas, client_for):
    client = client_for(personas.doctor)
    response = client.post(
        reverse("residents:diagnosis_add", args=[personas.resident.uuid]),
        {"name": "2型糖尿病", "since": "2019-06-01", "note": ""},
    )
    assert response.status_code == 302
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.name == "2型糖尿病" and diagnosis.recorded_by == personas.doctor
    assert AuditEvent.objects.filter(action=Action.DIAGNOSIS_ADD, actor=personas.doctor).exists()
    html = client.get(card_url(personas)).content.decode()
    assert "2型糖尿病" in html and "2019年6月1日" in html


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("medication_add", {"name": "", "dose": "1錠"}, "薬剤名を入力してください。"),
        (
            "medication_add",
            {"name": "ロキソプロフェン", "since": "2024-05-01", "until": "2024-04-01"},
            "終了日は開始日以降の日付にしてください。",
        ),
        ("diagnosis_add", {"name": ""}, "病名を入力してください。"),
        (
            "diagnosis_add",
            {"name": "骨粗鬆症", "since": (TODAY + datetime.timedelta(days=3)).isoformat()},
            "診断日に未来の日付は指定できません。",
        ),
    ],
)
def test_bad_input_is_refused_in_japanese_and_kept(personas, client_for, name, data, message):
    response = client_for(personas.nurse).post(
        reverse(f"residents:{name}", args=[personas.resident.uuid]), data
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if data["name"]:
        assert f'value="{data["name"]}"' in html  # what was typed is kept
    assert not Medication.objects.exists() and not Diagnosis.objects.exists()
    assert not AuditEvent.objects.filter(
        action__in=[Action.MEDICATION_ADD, Action.DIAGNOSIS_ADD]
    ).exists()


# --- Edit: a new version, the old one kept --------------------------------------------------


def test_edit_writes_a_new_version_and_keeps_history(personas, client_for):
    first = add_med(personas, since=datetime.date(2024, 4, 1))
    client = client_for(personas.doctor)
    edit = reverse("residents:medication_edit", args=[personas.resident.uuid, first.uuid])
    form = client.get(edit)
    assert form.status_code == 200 and "アムロジピン錠5mg" in form.content.decode()
    response = client.post(
        edit,
        {"name": "アムロジピン錠5mg", "dose": "1回2錠 1日1回 朝食後", "since": "2024-04-01"},
    )
    assert response.status_code == 302

    first.refresh_from_db()
    second = Medication.objects.get(replaces=first)
    assert first.superseded_at is not None and first.superseded_by == personas.doctor
    assert first.dose == "1回1錠 1日1回 朝食後"  # the old row is never overwritten
    assert second.dose == "1回2錠 1日1回 朝食後" and second.recorded_by == personas.doctor
    assert second.lineage == first.lineage and second.first_recorded_at == first.first_recorded_at
    assert second.superseded_at is None
    event = AuditEvent.objects.filter(action=Action.MEDICATION_EDIT).get()
    assert event.detail["fields"] == ["dose"] and event.target_id == str(second.uuid)

    lists = client.get(lists_url(personas)).content.decode()
    assert "1回2錠" in lists and "1回1錠 1日1回" not in lists and "編集済み" in lists

    # History from either version shows both, newest first, with who and when.
    for version in (first, second):
        history = client.get(
            reverse("residents:medication_history", args=[personas.resident.uuid, version.uuid])
        )
        html = history.content.decode()
        assert history.status_code == 200
        assert html.index("1回2錠") < html.index("1回1錠")
        assert "以前の内容" in html and "現在の内容" in html
        assert "伊那 一郎" in html and "看護 花子" in html and "イナ イチロウ" in html


def test_edit_without_a_change_is_refused(personas, client_for):
    med = add_med(personas)
    response = client_for(personas.nurse).post(
        reverse("residents:medication_edit", args=[personas.resident.uuid, med.uuid]),
        {"name": med.name, "dose": med.dose},
    )
    assert response.status_code == 200
    assert "変更された項目がありません。" in response.content.decode()
    assert Medication.objects.count() == 1


def test_an_old_version_cannot_be_edited_or_ended(personas, client_for):
    first = add_dx(personas)
    access = access_resident(personas.doctor, personas.resident.uuid)
    services.diagnosis_edit(
        actor=personas.doctor, access=access, diagnosis=first, fields={"name": "本態性高血圧症"}
    )
    client = client_for(personas.nurse)
    edit = reverse("residents:diagnosis_edit", args=[personas.resident.uuid, first.uuid])
    response = client.post(edit, {"name": "誤りの上書き"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "residents:diagnosis_history", args=[personas.resident.uuid, first.uuid]
    )
    assert not Diagnosis.objects.filter(name="誤りの上書き").exists()
    with pytest.raises(ValidationError) as raised:
        services.diagnosis_end(actor=personas.doctor, access=access, diagnosis=first, reason="x")
    assert "すでに別の内容に更新されています" in raised.value.messages[0]
    end = reverse("residents:diagnosis_end", args=[personas.resident.uuid, first.uuid])
    html = client.post(end, {"reason": "誤登録"}).content.decode()
    assert "すでに別の内容に更新されています" in html
    assert Diagnosis.objects.filter(ended_at__isnull=False).count() == 0


# --- End with a reason ------------------------------------------------------------------------


def test_end_with_reason_moves_the_item_to_past(personas, client_for):
    med = add_med(personas)
    client = client_for(personas.caremanager)
    end = reverse("residents:medication_end", args=[personas.resident.uuid, med.uuid])
    response = client.post(end, {"reason": "処方終了（主治医の指示）"})
    assert response.status_code == 302
    med.refresh_from_db()
    assert med.ended_at and med.ended_by == personas.caremanager
    assert med.end_reason == "処方終了（主治医の指示）"
    assert Medication.objects.count() == 1  # nothing deleted
    assert AuditEvent.objects.filter(action=Action.MEDICATION_END).get().target_id == str(med.uuid)

    html = client.get(lists_url(personas)).content.decode()
    assert "終了したもの" in html and "処方終了（主治医の指示）" in html
    assert "服薬中の薬は登録されていません。" in html
    card = client.get(card_url(personas)).content.decode()
    assert "アムロジピン" not in card
    history = client.get(
        reverse("residents:medication_history", args=[personas.resident.uuid, med.uuid])
    ).content.decode()
    assert "処方終了（主治医の指示）" in history and "介護 支援" in history


def test_end_without_reason_is_refused(personas, client_for):
    dx = add_dx(personas)
    response = client_for(personas.doctor).post(
        reverse("residents:diagnosis_end", args=[personas.resident.uuid, dx.uuid]), {"reason": ""}
    )
    assert response.status_code == 200
    assert "終了の理由を入力してください。" in response.content.decode()
    dx.refresh_from_db()
    assert dx.ended_at is None
    access = access_resident(personas.doctor, personas.resident.uuid)
    with pytest.raises(ValidationError):
        services.diagnosis_end(actor=personas.doctor, access=access, diagnosis=dx, reason="  ")


def test_a_course_past_its_until_date_is_no_longer_current(personas, client_for):
    add_med(
        personas,
        "セフカペン",
        since=TODAY - datetime.timedelta(days=10),
        until=TODAY - datetime.timedelta(days=3),
    )
    add_med(personas, "マグミット", until=TODAY)
    html = client_for(personas.nurse).get(card_url(personas)).content.decode()
    assert "マグミット" in html and "セフカペン" not in html
    lists = client_for(personas.nurse).get(lists_url(personas)).content.decode()
    assert lists.index("セフカペン") > lists.index("終了したもの")
    assert "終了日を過ぎました" in lists


# --- Access ---------------------------------------------------------------------------------


def _views(p):
    med = add_med(p)
    dx = add_dx(p)
    r = p.resident.uuid
    return (
        med,
        dx,
        {
            "medications": ([r], {"get"}),
            "medication_add": ([r], {"post"}),
            "medication_edit": ([r, med.uuid], {"get", "post"}),
            "medication_end": ([r, med.uuid], {"post"}),
            "medication_history": ([r, med.uuid], {"get"}),
            "diagnosis_add": ([r], {"post"}),
            "diagnosis_edit": ([r, dx.uuid], {"get", "post"}),
            "diagnosis_end": ([r, dx.uuid], {"post"}),
            "diagnosis_history": ([r, dx.uuid], {"get"}),
        },
    )


def test_outsiders_and_other_networks_get_404_everywhere(personas, client_for):
    _, _, views = _views(personas)
    for who in ("pharmacist", "nurse_b", "operator_c"):
        client = client_for(getattr(personas, who))
        for name, (args, methods) in views.items():
            url = reverse(f"residents:{name}", args=args)
            for method in methods:
                response = getattr(client, method)(url, {"name": "x", "reason": "x"})
                assert response.status_code == 404, (who, name, method)
    assert Medication.objects.count() == 1 and Diagnosis.objects.count() == 1
    assert not Medication.objects.filter(ended_at__isnull=False).exists()


def test_unknown_resident_or_item_is_404(personas, client_for):
    _, _, views = _views(personas)
    missing = "00000000-0000-4000-8000-000000000000"
    client = client_for(personas.operator_a)
    for name, (args, methods) in views.items():
        for bad in ([missing, *args[1:]], [args[0], missing] if len(args) == 2 else None):
            if bad is None:
                continue
            for method in methods:
                response = getattr(client, method)(reverse(f"residents:{name}", args=bad))
                assert response.status_code == 404, (name, bad, method)


def test_an_item_of_another_resident_is_404(personas, client_for):
    other = make_resident(personas.net_a, personas.nurse, name="田中 一郎", kana="タナカ イチロウ")
    add_member(other, personas.nurse, "visiting_nurse")
    add_consent(other, personas.nurse)
    med = add_med(personas)
    client = client_for(personas.nurse)
    for name in ("medication_edit", "medication_history"):
        assert (
            client.get(reverse(f"residents:{name}", args=[other.uuid, med.uuid])).status_code == 404
        )
    response = client.post(
        reverse("residents:medication_end", args=[other.uuid, med.uuid]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert Medication.objects.get().ended_at is None


def test_anonymous_goes_to_login_and_wrong_method_is_405(personas, client, client_for):
    _, _, views = _views(personas)
    member = client_for(personas.nurse)
    for name, (args, methods) in views.items():
        url = reverse(f"residents:{name}", args=args)
        for method in methods:
            response = getattr(client, method)(url)
            assert response.status_code == 302, (name, method)
            assert response["Location"].startswith(reverse("accounts:login"))
        for method in {"get", "post", "put", "delete"} - methods:
            assert getattr(member, method)(url).status_code == 405, (name, method)


def test_without_consent_in_force_every_page_is_403_and_the_card_hides_the_lists(
    personas, client_for
):
    med, _, views = _views(personas)
    Consent.objects.update(revoked_on=personas.consent.consented_on)
    for who in ("nurse", "operator_a"):
        client = client_for(getattr(personas, who))
        for name, (args, methods) in views.items():
            for method in methods:
                response = getattr(client, method)(
                    reverse(f"residents:{name}", args=args), {"name": "x", "reason": "x"}
                )
                assert response.status_code == 403, (who, name, method)
        card = client.get(card_url(personas)).content.decode()
        assert "アムロジピン" not in card and "服薬中の薬" not in card
    assert Medication.objects.count() == 1 and Medication.objects.get().ended_at is None
    access = access_resident(personas.nurse, personas.resident.uuid)
    with pytest.raises(PermissionDenied):
        services.medication_edit(
            actor=personas.nurse, access=access, medication=med, fields={"dose": "2錠"}
        )


def test_operator_may_read_and_edit(personas, client_for):
    med = add_med(personas)
    client = client_for(personas.operator_a)
    assert client.get(lists_url(personas)).status_code == 200
    response = client.post(
        reverse("residents:medication_end", args=[personas.resident.uuid, med.uuid]),
        {"reason": "重複登録"},
    )
    assert response.status_code == 302


# --- Query counts ------------------------------------------------------------------------------


def _fill(p, n):
    for i in range(n):
        med = add_med(p, f"薬剤 {i:03d}", since=datetime.date(2024, 1, 1))
        access = access_resident(p.nurse, p.resident.uuid)
        services.medication_edit(
            actor=p.doctor, access=access, medication=med, fields={"dose": f"{i}錠"}
        )
        add_dx(p, f"病名 {i:03d}")
        ended = add_med(p, f"中止薬 {i:03d}")
        services.medication_end(actor=p.nurse, access=access, medication=ended, reason="中止")


def test_lists_page_query_count_does_not_grow(
    personas, client_for, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.nurse)
    _fill(personas, 1)
    _, small = count_queries(client, lists_url(personas))
    _fill(personas, 12)
    response, large = count_queries(client, lists_url(personas))
    assert response.content.decode().count("薬剤 0") == 13
    assert small == large
    # access (1), current medications and diagnoses, past medications and diagnoses (4),
    # audit row.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 5 + AUDIT_ROW):
        client.get(lists_url(personas))


def test_history_query_count_does_not_grow(
    personas, client_for, count_queries, django_assert_max_num_queries
):
    med = add_med(personas)
    access = access_resident(personas.nurse, personas.resident.uuid)
    client = client_for(personas.nurse)
    url = reverse("residents:medication_history", args=[personas.resident.uuid, med.uuid])
    latest = services.medication_edit(
        actor=personas.nurse, access=access, medication=med, fields={"dose": "v1"}
    )
    _, small = count_queries(client, url)
    for i in range(10):
        latest = services.medication_edit(
            actor=personas.doctor if i % 2 else personas.caremanager,
            access=access,
            medication=latest,
            fields={"dose": f"v{i + 2}"},
        )
    response, large = count_queries(client, url)
    assert response.content.decode().count("以前の内容") == 11
    assert small == large
    # access (1), the item (1), its versions with recorder/superseder/ender (1), audit row.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 3 + AUDIT_ROW):
        client.get(url)


def test_card_query_count_with_lists_does_not_grow(personas, client_for, count_queries):
    client = client_for(personas.nurse)
    _fill(personas, 1)
    _, small = count_queries(client, card_url(personas))
    _fill(personas, 10)
    response, large = count_queries(client, card_url(personas))
    assert response.content.decode().count("薬剤 0") == 11
    assert small == large
