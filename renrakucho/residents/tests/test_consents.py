from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.residents.models import Consent

from .conftest import AUDIT_ROW, SIGNED_IN_OVERHEAD

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def url(p):
    return reverse("residents:consents", args=[p.resident.uuid])


def data(**overrides):
    values = {
        "consenter": "proxy",
        "proxy_name": "山田 太郎",
        "proxy_relation": "長男",
        "consented_on": timezone.localdate().isoformat(),
        "scope_team": "on",
        "scope_emergency": "on",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def gps_jpeg() -> bytes:
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 50.0, 12.0)
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 10)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_history_lists_who_when_scopes_and_revocation(personas, client_for):
    Consent.objects.create(
        resident=personas.resident, consenter="proxy", proxy_name="山田 太郎", proxy_relation="長男",
        consented_on=datetime.date(2024, 4, 1), scope_team=True, scope_family=True,
        recorded_by=personas.caremanager, revoked_on=datetime.date(2024, 5, 1),
        revocation_reason="本人の意思確認のため再取得", revoked_by=personas.caremanager,
    )  # fmt: skip
    html = client_for(personas.nurse).get(url(personas)).content.decode()
    assert "同意の履歴" in html
    assert "本人" in html and "代理人" in html and "山田 太郎・長男" in html
    assert "2024年4月1日" in html and "撤回日" in html and "2024年5月1日" in html
    assert "本人の意思確認のため再取得" in html
    assert "支援チーム内での共有" in html and "家族との共有" in html and "救急時の利用" in html
    assert "撤回済み" in html and "有効" in html
    assert "添付なし" in html
    assert AuditEvent.objects.filter(action=Action.CONSENT_VIEW, actor=personas.nurse).exists()


def test_record_consent_with_pdf(personas, client_for, media_root):
    upload = SimpleUploadedFile("山田花子_同意書.pdf", PDF, content_type="application/pdf")
    response = client_for(personas.nurse).post(url(personas), data(scan=upload))
    assert response.status_code == 302
    consent = Consent.objects.exclude(pk=personas.consent.pk).get()
    assert (consent.consenter, consent.proxy_name, consent.recorded_by) == (
        "proxy", "山田 太郎", personas.nurse,
    )  # fmt: skip
    assert consent.scope_team and consent.scope_emergency and not consent.scope_family
    assert consent.form_content_type == "application/pdf"
    assert "山田" not in consent.form_file.name  # random stored name
    assert (media_root / consent.form_file.name).read_bytes() == PDF
    assert AuditEvent.objects.filter(action=Action.CONSENT_CREATE).count() == 1


def test_recording_gives_the_team_the_details(personas, client_for):
    Consent.objects.all().delete()
    client = client_for(personas.caremanager)
    detail = reverse("residents:detail", args=[personas.resident.uuid])
    assert "基本情報のみ表示しています" in client.get(detail).content.decode()
    assert (
        client.post(
            url(personas), data(consenter="self", proxy_name="", proxy_relation="")
        ).status_code
        == 302
    )
    assert "基本情報のみ表示しています" not in client.get(detail).content.decode()


def test_html_named_pdf_is_refused_and_nothing_saved(personas, client_for, media_root):
    upload = SimpleUploadedFile(
        "form.pdf", b"<!doctype html><script>alert(1)</script>", content_type="application/pdf"
    )
    response = client_for(personas.nurse).post(url(personas), data(scan=upload))
    assert response.status_code == 200
    assert (
        "PDF、JPEG、PNG、HEIC 形式のファイルのみアップロードできます。" in response.content.decode()
    )
    assert 'value="山田 太郎"' in response.content.decode()  # typed input kept
    assert Consent.objects.count() == 1
    assert not list(media_root.rglob("*.*"))


def test_too_large_file_is_refused(personas, client_for, media_root, settings):
    settings.CONSENT_FORM_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile(
        "form.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf"
    )
    response = client_for(personas.nurse).post(url(personas), data(scan=upload))
    assert (
        "ファイルが大きすぎます。1MB以下のファイルを選んでください。" in response.content.decode()
    )
    assert Consent.objects.count() == 1


def test_jpeg_with_gps_is_stored_and_served_without_it(personas, client_for, media_root):
    client = client_for(personas.nurse)
    upload = SimpleUploadedFile("IMG_0001.jpg", gps_jpeg(), content_type="image/jpeg")
    assert client.post(url(personas), data(scan=upload)).status_code == 302
    consent = Consent.objects.exclude(pk=personas.consent.pk).get()
    response = client.get(
        reverse("residents:consent_file", args=[personas.resident.uuid, consent.uuid])
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:2] == b"\xff\xd8" and b"Exif" not in body
    assert not Image.open(io.BytesIO(body)).getexif()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action=Action.CONSENT_FILE)
    assert event.actor == personas.nurse and event.target_id == str(consent.uuid)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"proxy_name": ""}, "代理人による同意の場合は代理人氏名を入力してください。"),
        ({"consented_on": "2999-01-01"}, "同意日に未来の日付は指定できません。"),
        ({"scope_team": None, "scope_emergency": None}, "同意の範囲を1つ以上選択してください。"),
        ({"consenter": ""}, "このフィールドは必須です。"),
    ],
)
def test_bad_consent_input(personas, client_for, overrides, message):
    response = client_for(personas.nurse).post(url(personas), data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Consent.objects.count() == 1


def test_revoke_with_date_and_reason(personas, client_for):
    client = client_for(personas.caremanager)
    revoke = reverse(
        "residents:consent_revoke", args=[personas.resident.uuid, personas.consent.uuid]
    )
    today = timezone.localdate().isoformat()
    response = client.post(revoke, {"revoked_on": today, "reason": "本人より撤回の申し出"})
    assert response.status_code == 302
    personas.consent.refresh_from_db()
    assert personas.consent.revoked_on == timezone.localdate()
    assert personas.consent.revocation_reason == "本人より撤回の申し出"
    assert personas.consent.revoked_by == personas.caremanager
    assert AuditEvent.objects.filter(action=Action.CONSENT_REVOKE).count() == 1
    # Revoked today: the team is down to the basic card.
    detail = client.get(reverse("residents:detail", args=[personas.resident.uuid]))
    assert "基本情報のみ表示しています" in detail.content.decode()
    # A second revocation is refused with a Japanese message.
    again = client.post(revoke, {"revoked_on": today, "reason": "重複"})
    assert again.status_code == 200
    assert "この同意は既に撤回されています。" in again.content.decode()


@pytest.mark.parametrize(
    "revoked_on, reason, message",
    [
        ("2999-01-01", "理由", "撤回日に未来の日付は指定できません。"),
        ("2000-01-01", "理由", "撤回日は同意日以降の日付にしてください。"),
        ("today", "", "このフィールドは必須です。"),
    ],
)
def test_bad_revocation(personas, client_for, revoked_on, reason, message):
    if revoked_on == "today":
        revoked_on = timezone.localdate().isoformat()
    revoke = reverse(
        "residents:consent_revoke", args=[personas.resident.uuid, personas.consent.uuid]
    )
    response = client_for(personas.nurse).post(revoke, {"revoked_on": revoked_on, "reason": reason})
    assert response.status_code == 200
    assert message in response.content.decode()
    personas.consent.refresh_from_db()
    assert personas.consent.revoked_on is None


def test_revoking_another_residents_consent_is_404(personas, client_for):
    from renrakucho.testing.personas import add_consent, add_member, make_resident

    other = make_resident(
        personas.net_a, personas.operator_a, name="田中 一郎", kana="タナカ イチロウ"
    )
    add_member(other, personas.nurse, "visiting_nurse")
    other_consent = add_consent(other, personas.nurse)
    revoke = reverse("residents:consent_revoke", args=[personas.resident.uuid, other_consent.uuid])
    today = timezone.localdate().isoformat()
    assert (
        client_for(personas.nurse).post(revoke, {"revoked_on": today, "reason": "x"}).status_code
        == 404
    )
    other_consent.refresh_from_db()
    assert other_consent.revoked_on is None


def test_consent_file_outsiders_404_and_no_file_404(personas, client_for, media_root):
    client = client_for(personas.nurse)
    upload = SimpleUploadedFile("f.pdf", PDF, content_type="application/pdf")
    client.post(url(personas), data(scan=upload))
    consent = Consent.objects.exclude(pk=personas.consent.pk).get()
    file_url = reverse("residents:consent_file", args=[personas.resident.uuid, consent.uuid])
    for who in ("pharmacist", "nurse_b", "operator_c"):
        assert client_for(getattr(personas, who)).get(file_url).status_code == 404
    assert client_for(personas.operator_a).get(file_url).status_code == 200
    no_file = reverse(
        "residents:consent_file", args=[personas.resident.uuid, personas.consent.uuid]
    )
    assert client.get(no_file).status_code == 404
    response = client.get(file_url)
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="consent-{timezone.localdate():%Y%m%d}.pdf"'
    )
    assert AuditEvent.objects.filter(action=Action.CONSENT_FILE).count() == 2


def test_consents_query_count_does_not_grow(
    personas, client_for, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.nurse)
    client.get(url(personas))
    _, small = count_queries(client, url(personas))  # 1 consent
    for i in range(12):
        Consent.objects.create(
            resident=personas.resident, consenter="self", recorded_by=personas.doctor,
            consented_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=i),
            revoked_on=datetime.date(2021, 1, 1), revoked_by=personas.nurse,
        )  # fmt: skip
    response, large = count_queries(client, url(personas))
    assert response.content.decode().count("撤回済み") == 12
    assert small == large
    # access (1), consents with recorder and revoker (1), audit row.
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 2 + AUDIT_ROW):
        client.get(url(personas))


def test_each_revoke_form_has_its_own_ids(personas, client_for):
    import re

    Consent.objects.create(
        resident=personas.resident, consenter="self", recorded_by=personas.doctor,
        consented_on=datetime.date(2024, 1, 1), scope_emergency=True,
    )  # fmt: skip
    html = client_for(personas.nurse).get(url(personas)).content.decode()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert html.count('name="reason"') == 2
