"""The operator's pages: list with counts, publish form, tracking per facility, remind."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from renrakucho.accounts.models import Occupation
from renrakucho.audit.models import Action, AuditEvent
from renrakucho.facilities.models import FacilityType
from renrakucho.notices.models import Notice, NoticeAttachment, NoticeRecipient
from renrakucho.notices.selectors import Segment
from renrakucho.notifications.models import Notification

from .conftest import SIGNED_IN_OVERHEAD, pdf_upload, png_bytes

MISSING = "00000000-0000-4000-8000-000000000000"


def tracking_url(notice):
    return reverse("notices:tracking", args=[notice.uuid])


def form_data(p, **extra):
    data = {
        "network": str(p.net_a.uuid),
        "title": "インフルエンザ予防接種のお知らせ",
        "body": "今年度の定期接種について、添付の資料をご確認ください。",
        "audience": "all",
    }
    data.update(extra)
    return data


# --- Who reaches the manage pages ----------------------------------------------------------


def _manage_urls(notice):
    return {
        reverse("notices:manage"): {"get"},
        reverse("notices:create"): {"get", "post"},
        tracking_url(notice): {"get"},
        reverse("notices:remind", args=[notice.uuid]): {"post"},
    }


def test_non_operators_get_404_everywhere(personas, publish, client_for):
    notice = publish()
    for who in ("nurse", "doctor", "pharmacist", "nurse_b"):
        client = client_for(getattr(personas, who))
        for url, methods in _manage_urls(notice).items():
            for method in methods:
                assert getattr(client, method)(url).status_code == 404, (who, url, method)
    assert Notice.objects.count() == 1
    assert not NoticeRecipient.objects.filter(reminded_at__isnull=False).exists()


def test_operator_of_another_network_gets_404_on_a_notice(personas, publish, client_for):
    notice = publish()
    client = client_for(personas.operator_c)
    assert client.get(tracking_url(notice)).status_code == 404
    assert client.post(reverse("notices:remind", args=[notice.uuid])).status_code == 404
    assert not NoticeRecipient.objects.filter(reminded_at__isnull=False).exists()
    # Their own console lists only their Network's notices.
    html = client.get(reverse("notices:manage")).content.decode()
    assert notice.title not in html and "配信したお知らせはまだありません。" in html
    # ...and cannot publish to Network A by posting its UUID.
    response = client.post(reverse("notices:create"), form_data(personas))
    assert response.status_code == 200
    assert Notice.objects.count() == 1


def test_unknown_notice_is_404(personas, client_for):
    client = client_for(personas.operator_a)
    assert client.get(reverse("notices:tracking", args=[MISSING])).status_code == 404
    assert client.post(reverse("notices:remind", args=[MISSING])).status_code == 404


def test_anonymous_goes_to_login_and_wrong_method_is_405(personas, publish, client, client_for):
    notice = publish()
    operator = client_for(personas.operator_a)
    for url, methods in _manage_urls(notice).items():
        for method in methods:
            response = getattr(client, method)(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))
        for method in {"get", "post", "put", "delete"} - methods:
            assert getattr(operator, method)(url).status_code == 405, (url, method)


def test_console_index_links_to_notices(personas, client_for):
    html = client_for(personas.operator_a).get(reverse("console:index")).content.decode()
    assert reverse("notices:manage") in html and "お知らせの配信" in html


# --- Publish form ---------------------------------------------------------------------------


def test_publish_to_everyone_with_a_pdf(personas, client_for, media_root):
    client = client_for(personas.operator_a)
    page = client.get(reverse("notices:create"))
    html = page.content.decode()
    assert "お知らせを配信する" in html and "確認必須" in html
    assert "いーなクリニック" in html and "看護師" in html and "薬局" in html
    assert "まっくん訪問看護" not in html  # facilities of other Networks are not offered
    response = client.post(
        reverse("notices:create"),
        form_data(personas, confirmation_required="on", attachments=[pdf_upload()]),
    )
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == tracking_url(notice)
    assert notice.confirmation_required and notice.recipient_count == 5
    attachment = NoticeAttachment.objects.get()
    assert (
        attachment.filename == "厚生労働省通知.pdf" and attachment.content_type == "application/pdf"
    )
    assert "厚生労働省" not in attachment.file.name  # stored under a random name
    assert AuditEvent.objects.filter(action=Action.NOTICE_PUBLISH).count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "お知らせを5人に配信しました。" in html


def test_publish_to_a_segment(personas, client_for):
    response = client_for(personas.operator_a).post(
        reverse("notices:create"),
        form_data(
            personas,
            audience="segment",
            occupations=["pharmacist", "doctor"],
            facility_types=[FacilityType.PHARMACY],
            facilities=[str(personas.clinic_a.uuid)],
        ),
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert set(notice.recipients.values_list("user__username", flat=True)) == {
        "p-pharmacist",
        "p-doctor",
    }
    assert set(notice.occupations.values_list("code", flat=True)) == {"pharmacist", "doctor"}
    assert notice.facility_types == [FacilityType.PHARMACY]
    assert list(notice.facilities.all()) == [personas.clinic_a]


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"title": ""}, "件名を入力してください。"),
        ({"body": ""}, "本文を入力してください。"),
        ({"audience": "segment"}, "職種・事業所の種別・事業所のいずれかを1つ以上選んでください。"),
        (
            {"audience": "segment", "occupations": ["doctor"], "facility_types": ["pharmacy"]},
            "配信先の条件に当てはまる利用者がいません。条件を見直してください。",
        ),
        (
            {"attachments": [pdf_upload("写真.pdf", png_bytes())]},
            "PDF 形式のファイルのみアップロードできます。",
        ),
        (
            {"attachments": [pdf_upload("page.pdf", b"<html><script>alert(1)</script></html>")]},
            "PDF 形式のファイルのみアップロードできます。",
        ),
        ({"attachments": [pdf_upload("空.pdf", b"")]}, "ファイルが空です。"),
    ],
)
def test_bad_input_is_refused_in_japanese_and_nothing_is_saved(
    personas, client_for, media_root, extra, message
):
    data = form_data(personas, **extra)
    response = client_for(personas.operator_a).post(reverse("notices:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if data["title"]:
        assert f'value="{data["title"]}"' in html  # what was typed is kept
    assert not Notice.objects.exists() and not NoticeRecipient.objects.exists()
    assert not NoticeAttachment.objects.exists() and not list(media_root.rglob("*.pdf"))
    assert not Notification.objects.exists()


def test_oversized_pdf_is_refused(personas, client_for, media_root, settings):
    settings.NOTICE_ATTACHMENT_MAX_MB = 0.001  # about 1 KB
    big = pdf_upload("大きい.pdf", b"%PDF-1.4\n" + b"0" * 2048)
    response = client_for(personas.operator_a).post(
        reverse("notices:create"), form_data(personas, attachments=[big])
    )
    assert "ファイルが大きすぎます。" in response.content.decode()
    assert not Notice.objects.exists()


def test_too_many_files_are_refused(personas, client_for, media_root):
    files = [pdf_upload(f"{i}.pdf") for i in range(11)]
    response = client_for(personas.operator_a).post(
        reverse("notices:create"), form_data(personas, attachments=files)
    )
    assert "添付できるファイルは10件までです。" in response.content.decode()
    assert not Notice.objects.exists()


def test_a_facility_of_another_network_cannot_be_posted(personas, client_for):
    response = client_for(personas.operator_a).post(
        reverse("notices:create"),
        form_data(personas, audience="segment", facilities=[str(personas.nursing_b.uuid)]),
    )
    assert response.status_code == 200
    assert "正しく選択してください" in response.content.decode()  # not among the choices
    assert not Notice.objects.exists()


# --- Tracking ------------------------------------------------------------------------------


def test_tracking_per_facility_and_pending_people(personas, publish, client_for, more_staff):
    more_staff(2, facility=personas.pharmacy_a, occupation="pharmacist")
    notice = publish(confirmation_required=True)
    now = timezone.now()
    NoticeRecipient.objects.filter(notice=notice, user=personas.doctor).update(
        read_at=now, confirmed_at=now
    )
    NoticeRecipient.objects.filter(notice=notice, user=personas.pharmacist).update(read_at=now)
    response = client_for(personas.operator_a).get(tracking_url(notice))
    assert response.status_code == 200
    rows = {r.facility_name: r for r in response.context["facilities"]}
    assert (
        rows["いーな薬局"].recipients,
        rows["いーな薬局"].read,
        rows["いーな薬局"].confirmed,
    ) == (
        3,
        1,
        0,
    )
    assert (rows["いーなクリニック"].recipients, rows["いーなクリニック"].confirmed) == (1, 1)
    assert response.context["totals"] == {"recipients": 7, "read": 2, "confirmed": 1}
    html = response.content.decode()
    assert "事業所ごとの状況" in html and "未読・未確認の人" in html
    pending = {r.user.username for r in response.context["pending"].items}
    assert pending == {
        "p-nurse", "p-caremanager", "p-pharmacist", "p-operator-a", "staff-1", "staff-2"
    }  # fmt: skip
    assert "薬 太郎" in html and "クスリ タロウ" in html and "既読・未確認" in html
    assert "伊那 一郎" not in html.split("未読・未確認の人")[1]


def test_manage_list_shows_counts(personas, publish, client_for):
    notice = publish("研修会のご案内", confirmation_required=True)
    now = timezone.now()
    NoticeRecipient.objects.filter(
        notice=notice, user__in=[personas.nurse, personas.doctor]
    ).update(read_at=now)
    NoticeRecipient.objects.filter(notice=notice, user=personas.nurse).update(confirmed_at=now)
    response = client_for(personas.operator_a).get(reverse("notices:manage"))
    item = response.context["page"].items[0]
    assert (item.n_recipients, item.n_read, item.n_confirmed) == (5, 2, 1)
    html = response.content.decode()
    assert "研修会のご案内" in html and "確認必須" in html and "配信数" in html


def test_manage_list_query_count_does_not_grow(
    personas, publish, client_for, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.operator_a)
    for i in range(3):
        publish(f"お知らせ {i}")
    _, small = count_queries(client, reverse("notices:manage"))
    for i in range(27):
        publish(f"追加 {i}")
    response, large = count_queries(client, reverse("notices:manage"))
    assert response.content.decode().count("追加 ") == 27
    assert small == large
    # operated Networks (2: the user's Network links, the Networks), notices with counts (1).
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 3):
        client.get(reverse("notices:manage"))


def test_tracking_query_count_does_not_grow(
    personas, publish, client_for, more_staff, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.operator_a)
    small_notice = publish("5人")
    _, small = count_queries(client, tracking_url(small_notice))
    more_staff(25)
    more_staff(20, facility=personas.care_office_a, occupation="care_manager")
    large_notice = publish("50人", confirmation_required=True)
    response, large = count_queries(client, tracking_url(large_notice))
    assert len(response.context["pending"].items) == 50
    assert small == large
    # operated Networks (2), the notice (1), per-facility counts (1), pending people with
    # users and facilities (1) and their occupations (1), attachments (1).
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 7):
        client.get(tracking_url(large_notice))


# --- Remind ---------------------------------------------------------------------------------


def test_remind_reaches_only_those_pending(personas, publish, client_for):
    notice = publish("災害時の連絡体制", confirmation_required=True)
    now = timezone.now()
    # Confirmed (done), read but not confirmed (pending), unread (pending).
    NoticeRecipient.objects.filter(notice=notice, user=personas.doctor).update(
        read_at=now, confirmed_at=now
    )
    NoticeRecipient.objects.filter(notice=notice, user=personas.nurse).update(read_at=now)
    Notification.objects.all().delete()
    response = client_for(personas.operator_a).post(
        reverse("notices:remind", args=[notice.uuid]), follow=True
    )
    assert response.status_code == 200
    assert "3人に再通知しました。" in response.content.decode()
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"p-nurse", "p-caremanager", "p-pharmacist"}  # not the operator herself
    reminded = set(
        NoticeRecipient.objects.filter(notice=notice, reminded_at__isnull=False).values_list(
            "user__username", flat=True
        )
    )
    assert reminded == notified
    event = AuditEvent.objects.filter(action=Action.NOTICE_REMIND).get()
    assert event.actor == personas.operator_a and event.detail == {"reminded": 3}
    assert event.target_id == str(notice.uuid)


def test_remind_without_confirmation_counts_only_unread(personas, publish, client_for):
    notice = publish(segment=Segment(occupations=(Occupation.objects.get(code="nurse"),)))
    client_for(personas.nurse).get(reverse("notices:detail", args=[notice.uuid]))
    Notification.objects.all().delete()
    response = client_for(personas.operator_a).post(
        reverse("notices:remind", args=[notice.uuid]), follow=True
    )
    assert "未読・未確認の利用者はいません。" in response.content.decode()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.NOTICE_REMIND).exists()


def test_remind_query_count_does_not_grow(personas, publish, client_for, more_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(personas.operator_a)
    small_notice = publish("5人")
    more_staff(45)
    large_notice = publish("50人")
    counts = []
    for notice in (small_notice, large_notice):
        with CaptureQueriesContext(connection) as context:
            client.post(reverse("notices:remind", args=[notice.uuid]))
        counts.append(len(context.captured_queries))
    assert (
        NoticeRecipient.objects.filter(notice=large_notice, reminded_at__isnull=False).count() == 49
    )
    assert counts[0] == counts[1]
