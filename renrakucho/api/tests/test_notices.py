"""GET /notices, POST /notices/{id}/read and /confirm, GET /notices/{id}/attachments/{id}."""

import pytest

from renrakucho.accounts.models import Occupation
from renrakucho.audit.models import AuditEvent
from renrakucho.files.uploads import PDF, check_upload
from renrakucho.notices import services
from renrakucho.notices.models import NoticeRecipient
from renrakucho.notices.selectors import Segment
from renrakucho.testing.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

# Outsiders of a notice sent to Network A's nurses: a pharmacist of A, a nurse of B, the
# operator of C.
OUTSIDERS = ["pharmacist", "nurse_b", "operator_c"]


@pytest.fixture
def publish(personas):
    def run(title="介護報酬改定のお知らせ", *, occupations=("nurse",), files=(), **kwargs):
        attachments = []
        for name, content in files:
            checked = check_upload(upload(name, content), max_bytes=10**7, kinds=(PDF,))
            checked.original_name = name
            attachments.append(checked)
        return services.notice_publish(
            actor=personas.operator_a,
            network=personas.net_a,
            title=title,
            body="添付の通知をご確認ください。",
            segment=Segment(occupations=tuple(Occupation.objects.filter(code__in=occupations))),
            attachments=attachments,
            **kwargs,
        )

    return run


def test_inbox_waiting_first_with_attachments(personas, api_for, publish, media_root):
    read = publish("先月のお知らせ")
    NoticeRecipient.objects.filter(notice=read, user=personas.nurse).update(
        read_at=read.published_at
    )
    waiting = publish(
        "研修会のご案内", confirmation_required=True, files=[("研修会.pdf", pdf_bytes())]
    )
    response = api_for(personas.nurse).get("/notices")
    assert response.status_code == 200
    body = response.json()
    (pending,) = body["pending"]
    assert pending["id"] == str(waiting.uuid) and pending["title"] == "研修会のご案内"
    assert pending["confirmation_required"] is True and pending["pending"] is True
    assert pending["read_at"] is None and pending["network"]["slug"] == "ina"
    (attachment,) = pending["attachments"]
    assert (
        attachment["filename"] == "研修会.pdf" and attachment["content_type"] == "application/pdf"
    )
    assert attachment["url"] == f"/api/v1/notices/{waiting.uuid}/attachments/{attachment['id']}"
    assert [n["id"] for n in body["items"]] == [str(read.uuid)]
    assert body["items"][0]["pending"] is False and body["next_cursor"] is None
    # Notices carry no resident data: reading them is not audited (as on the pages).
    assert not AuditEvent.objects.filter(actor=personas.nurse).exists()


def test_inbox_is_empty_for_people_not_sent_anything(personas, api_for, publish):
    publish()
    for who in OUTSIDERS:
        body = api_for(getattr(personas, who)).get("/notices").json()
        assert body == {"pending": [], "items": [], "next_cursor": None}


def test_inbox_pages(personas, api_for, publish):
    notices = [publish(f"お知らせ {i}") for i in range(3)]
    NoticeRecipient.objects.filter(user=personas.nurse).update(read_at=notices[0].published_at)
    api = api_for(personas.nurse)
    page = api.client.get("/api/v1/notices").json()
    assert len(page["items"]) == 3  # fewer than a page


def test_inbox_bad_cursor_wrong_method_and_anonymous(personas, api_for):
    assert api_for(personas.nurse).get("/notices", {"cursor": "x"}).status_code == 422
    assert api_for(personas.nurse).post("/notices", {}).status_code == 405
    assert api_for(None).get("/notices").status_code == 401


@pytest.mark.parametrize("n", [1, 30])
def test_inbox_query_count(
    personas, api_for, publish, media_root, django_assert_max_num_queries, n
):
    for i in range(n):
        publish(f"お知らせ {i}", files=[("a.pdf", pdf_bytes())])
    api = api_for(personas.nurse)
    # auth 4; pending rows (+notice, network) 1; other rows 1; attachments 1.
    with django_assert_max_num_queries(7):
        response = api.get("/notices")
    assert len(response.json()["pending"]) == n


# --- read, confirm -------------------------------------------------------------------------------
def test_read(personas, api_for, publish):
    notice = publish()
    api = api_for(personas.nurse)
    response = api.post(f"/notices/{notice.uuid}/read")
    assert response.status_code == 200
    first = response.json()["read_at"]
    assert first and response.json()["pending"] is False
    assert api.post(f"/notices/{notice.uuid}/read").json()["read_at"] == first


def test_confirm(personas, api_for, publish):
    notice = publish(confirmation_required=True)
    api = api_for(personas.nurse)
    assert api.post(f"/notices/{notice.uuid}/read").json()["pending"] is True
    response = api.post(f"/notices/{notice.uuid}/confirm")
    assert response.status_code == 200
    assert response.json()["confirmed_at"] and response.json()["pending"] is False
    row = NoticeRecipient.objects.get(notice=notice, user=personas.nurse)
    assert row.confirmed_at is not None


def test_confirm_a_notice_without_confirmation_is_422(personas, api_for, publish):
    notice = publish()
    response = api_for(personas.nurse).post(f"/notices/{notice.uuid}/confirm")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "このお知らせは確認の登録を必要としていません。"


def test_the_operator_who_was_not_sent_it_has_no_copy_to_mark(personas, api_for, publish):
    notice = publish()
    assert api_for(personas.operator_a).post(f"/notices/{notice.uuid}/read").status_code == 404


@pytest.mark.parametrize("who", OUTSIDERS)
def test_read_and_confirm_outsiders_404(personas, api_for, publish, who):
    notice = publish(confirmation_required=True)
    api = api_for(getattr(personas, who))
    assert api.post(f"/notices/{notice.uuid}/read").status_code == 404
    assert api.post(f"/notices/{notice.uuid}/confirm").status_code == 404
    assert api.post("/notices/not-a-uuid/read").status_code == 404


def test_read_and_confirm_wrong_method_and_anonymous(personas, api_for, publish):
    notice = publish(confirmation_required=True)
    assert api_for(personas.nurse).get(f"/notices/{notice.uuid}/read").status_code == 405
    assert api_for(personas.nurse).get(f"/notices/{notice.uuid}/confirm").status_code == 405
    assert api_for(None).post(f"/notices/{notice.uuid}/read").status_code == 401
    assert api_for(None).post(f"/notices/{notice.uuid}/confirm").status_code == 401
    assert not NoticeRecipient.objects.filter(read_at__isnull=False).exists()


# --- attachments ----------------------------------------------------------------------------------
def test_attachment_download(personas, api_for, publish, media_root):
    notice = publish(files=[("通知.pdf", pdf_bytes())])
    attachment = notice.attachments.get()
    url = f"/notices/{notice.uuid}/attachments/{attachment.uuid}"
    for user in (personas.nurse, personas.operator_a):
        response = api_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for who in OUTSIDERS:
        assert api_for(getattr(personas, who)).get(url).status_code == 404
    other = publish("別のお知らせ")
    assert (
        api_for(personas.nurse)
        .get(f"/notices/{other.uuid}/attachments/{attachment.uuid}")
        .status_code
        == 404
    )
    assert api_for(personas.nurse).post(url).status_code == 405
    assert api_for(None).get(url).status_code == 401
