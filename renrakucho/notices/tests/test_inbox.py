"""A recipient's pages: the inbox, one notice (marks read), 確認しました, attachment downloads,
and the navigation badge."""

from __future__ import annotations

import pytest
from django.urls import reverse

from renrakucho.accounts.models import Occupation
from renrakucho.notices.models import NoticeRecipient
from renrakucho.notices.selectors import Segment

from .conftest import SIGNED_IN_OVERHEAD, pdf_upload

MISSING = "00000000-0000-4000-8000-000000000000"


def detail_url(notice):
    return reverse("notices:detail", args=[notice.uuid])


def row(notice, user) -> NoticeRecipient:
    return NoticeRecipient.objects.get(notice=notice, user=user)


@pytest.fixture
def nurses_only():
    return Segment(occupations=(Occupation.objects.get(code="nurse"),))


@pytest.fixture
def with_file(publish, media_root):
    """A notice to everyone in Network A with one PDF attached."""
    from renrakucho.files.uploads import PDF, check_upload

    checked = check_upload(pdf_upload(), max_bytes=1024 * 1024, kinds=(PDF,))
    checked.original_name = "厚生労働省通知.pdf"
    return publish(attachments=[checked])


# --- Inbox ------------------------------------------------------------------------------------


def test_inbox_lists_unread_first_and_flags_confirmation(personas, publish, client_for):
    old = publish("先月の研修会のご案内")
    must = publish("災害時の連絡体制について（確認必須）", confirmation_required=True)
    newest = publish("システムメンテナンスのお知らせ")
    NoticeRecipient.objects.filter(notice=newest, user=personas.nurse).update(
        read_at=newest.published_at
    )
    response = client_for(personas.nurse).get(reverse("notices:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "お知らせ" in html and "未読・確認待ち" in html and "既読のお知らせ" in html
    # Unread ones (newest first) before the read one, though the read one is the newest.
    assert html.index(must.title) < html.index(old.title) < html.index(newest.title)
    assert "確認必須" in html and "未読" in html
    assert "伊那市電子連絡帳" in html and "年" in html


def test_inbox_shows_only_my_notices(personas, publish, client_for, nurses_only):
    publish("看護師向けの研修", segment=nurses_only)
    html = client_for(personas.pharmacist).get(reverse("notices:inbox")).content.decode()
    assert "看護師向けの研修" not in html and "未読のお知らせはありません。" in html
    html = client_for(personas.nurse_b).get(reverse("notices:inbox")).content.decode()
    assert "看護師向けの研修" not in html


def test_inbox_keyset_pages_the_read_ones(personas, publish, client_for):
    for i in range(35):
        publish(f"お知らせ {i:02d}")
    NoticeRecipient.objects.filter(user=personas.nurse).update(read_at="2024-01-01T00:00:00Z")
    client = client_for(personas.nurse)
    first = client.get(reverse("notices:inbox"))
    page = first.context["inbox"].done
    assert len(page.items) == 30 and page.next_cursor
    assert page.items[0].notice.title == "お知らせ 34"
    second = client.get(reverse("notices:inbox"), {"before": page.next_cursor})
    rest = second.context["inbox"].done.items
    assert [r.notice.title for r in rest] == [f"お知らせ {i:02d}" for i in range(4, -1, -1)]
    assert "最新に戻る" in second.content.decode()


def test_inbox_query_count_does_not_grow(
    personas, publish, client_for, count_queries, django_assert_max_num_queries
):
    client = client_for(personas.nurse)
    for i in range(3):
        publish(f"お知らせ {i}", confirmation_required=bool(i % 2))
    _, small = count_queries(client, reverse("notices:inbox"))
    for i in range(27):
        publish(f"追加 {i}", confirmation_required=bool(i % 2))
    NoticeRecipient.objects.filter(user=personas.nurse, notice__title__startswith="追加 1").update(
        read_at="2024-01-01T00:00:00Z"
    )
    response, large = count_queries(client, reverse("notices:inbox"))
    assert response.content.decode().count("追加 ") == 27
    assert small == large
    # the user's Networks (1), pending rows with notices and Networks (1), read rows (1).
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 3):
        client.get(reverse("notices:inbox"))


# --- One notice ---------------------------------------------------------------------------------


def test_opening_marks_read_once(personas, publish, client_for):
    notice = publish()
    client = client_for(personas.nurse)
    response = client.get(detail_url(notice))
    assert response.status_code == 200
    html = response.content.decode()
    assert notice.title in html and "令和6年度の介護報酬改定" in html and "配信" in html
    first = row(notice, personas.nurse).read_at
    assert first is not None
    client.get(detail_url(notice))
    assert row(notice, personas.nurse).read_at == first
    assert row(notice, personas.doctor).read_at is None


def test_non_recipients_get_404(personas, publish, client_for, nurses_only):
    notice = publish(segment=nurses_only)
    for who in ("pharmacist", "doctor", "nurse_b", "operator_c"):
        client = client_for(getattr(personas, who))
        assert client.get(detail_url(notice)).status_code == 404, who
        assert client.post(reverse("notices:confirm", args=[notice.uuid])).status_code == 404
    assert (
        client_for(personas.nurse).get(reverse("notices:detail", args=[MISSING])).status_code == 404
    )


def test_operator_of_the_network_sees_a_notice_not_sent_to_them(
    personas, publish, client_for, nurses_only
):
    notice = publish(segment=nurses_only)
    response = client_for(personas.operator_a).get(detail_url(notice))
    assert response.status_code == 200
    assert "運営者として表示しています" in response.content.decode()
    assert not NoticeRecipient.objects.filter(notice=notice, user=personas.operator_a).exists()


def test_anonymous_and_wrong_methods(personas, publish, client, client_for, with_file):
    notice = with_file
    attachment = notice.attachments.get()
    urls = {
        reverse("notices:inbox"): {"get"},
        detail_url(notice): {"get"},
        reverse("notices:confirm", args=[notice.uuid]): {"post"},
        reverse("notices:attachment", args=[notice.uuid, attachment.uuid]): {"get"},
    }
    member = client_for(personas.nurse)
    for url, methods in urls.items():
        for method in methods:
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login"))
        for method in {"get", "post", "put", "delete"} - methods:
            assert getattr(member, method)(url).status_code == 405, (url, method)


# --- 確認しました --------------------------------------------------------------------------------


def test_confirmation_flow(personas, publish, client_for):
    notice = publish("災害時の連絡体制について", confirmation_required=True)
    client = client_for(personas.caremanager)
    html = client.get(detail_url(notice)).content.decode()
    assert "このお知らせは確認必須です。" in html and "確認しました" in html
    assert row(notice, personas.caremanager).confirmed_at is None
    response = client.post(reverse("notices:confirm", args=[notice.uuid]))
    assert response.status_code == 302 and response["Location"] == detail_url(notice)
    confirmed = row(notice, personas.caremanager)
    assert confirmed.confirmed_at is not None and confirmed.read_at is not None
    html = client.get(detail_url(notice)).content.decode()
    assert "「確認しました」を登録済みです。" in html
    # Confirming again keeps the first time.
    client.post(reverse("notices:confirm", args=[notice.uuid]))
    assert row(notice, personas.caremanager).confirmed_at == confirmed.confirmed_at


def test_confirming_a_notice_without_confirmation_is_refused(personas, publish, client_for):
    notice = publish()
    response = client_for(personas.nurse).post(
        reverse("notices:confirm", args=[notice.uuid]), follow=True
    )
    assert "このお知らせは確認の登録を必要としていません。" in response.content.decode()
    assert row(notice, personas.nurse).confirmed_at is None


def test_an_operator_who_was_not_sent_it_cannot_confirm(personas, publish, client_for, nurses_only):
    notice = publish(segment=nurses_only, confirmation_required=True)
    response = client_for(personas.operator_a).post(reverse("notices:confirm", args=[notice.uuid]))
    assert response.status_code == 404


# --- Attachments ----------------------------------------------------------------------------


def test_recipient_downloads_the_pdf_as_an_attachment(personas, client_for, with_file):
    notice = with_file
    attachment = notice.attachments.get()
    html = client_for(personas.doctor).get(detail_url(notice)).content.decode()
    url = reverse("notices:attachment", args=[notice.uuid, attachment.uuid])
    assert url in html and "厚生労働省通知.pdf" in html
    response = client_for(personas.doctor).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # The operator of the Network too.
    assert client_for(personas.operator_a).get(url).status_code == 200


def test_attachment_is_404_for_non_recipients(
    personas, publish, client_for, media_root, nurses_only
):
    from renrakucho.files.uploads import PDF, check_upload

    checked = check_upload(pdf_upload(), max_bytes=1024 * 1024, kinds=(PDF,))
    notice = publish(segment=nurses_only, attachments=[checked])
    attachment = notice.attachments.get()
    url = reverse("notices:attachment", args=[notice.uuid, attachment.uuid])
    for who in ("pharmacist", "nurse_b", "operator_c"):
        assert client_for(getattr(personas, who)).get(url).status_code == 404, who
    assert client_for(personas.nurse).get(url).status_code == 200
    # An attachment of another notice, reached through a notice I did receive: 404.
    mine = publish("別のお知らせ", segment=Segment(facilities=(personas.pharmacy_a,)))
    crossed = reverse("notices:attachment", args=[mine.uuid, attachment.uuid])
    assert client_for(personas.pharmacist).get(crossed).status_code == 404
    missing = reverse("notices:attachment", args=[notice.uuid, MISSING])
    assert client_for(personas.nurse).get(missing).status_code == 404


# --- Navigation badge ------------------------------------------------------------------------


def test_navigation_shows_the_unread_count(personas, publish, client_for):
    first = publish("一つ目")
    publish("二つ目")
    client = client_for(personas.nurse)
    html = client.get(reverse("notices:inbox")).content.decode()
    assert 'id="nav-notices"' in html and 'aria-label="未読のお知らせ">2</span>' in html
    client.get(detail_url(first))
    html = client.get(reverse("notices:inbox")).content.decode()
    assert 'aria-label="未読のお知らせ">1</span>' in html
    html = client_for(personas.nurse_b).get(reverse("notices:inbox")).content.decode()
    assert 'id="nav-notices"' in html and 'aria-label="未読のお知らせ"' not in html


def test_notice_page_query_count_does_not_grow(
    personas, publish, client_for, media_root, count_queries, django_assert_max_num_queries
):
    from renrakucho.files.uploads import PDF, check_upload

    def files(n):
        return [
            check_upload(pdf_upload(f"{i}.pdf"), max_bytes=1024 * 1024, kinds=(PDF,))
            for i in range(n)
        ]

    client = client_for(personas.nurse)
    one, many = publish("1件", attachments=files(1)), publish("8件", attachments=files(8))
    client.get(detail_url(one))
    _, small = count_queries(client, detail_url(one))
    response, large = count_queries(client, detail_url(many))
    assert len(response.context["attachments"]) == 8
    assert small == large - 1  # the first opening of `many` marks it read (one UPDATE)
    # the inbox row with notice and Network (1), attachments (1).
    with django_assert_max_num_queries(SIGNED_IN_OVERHEAD + 2):
        client.get(detail_url(many))
