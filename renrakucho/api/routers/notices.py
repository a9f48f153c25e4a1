"""Notices (お知らせ) from the operators, as their recipients see them: the inbox (waiting
ones first), marking one read, 「確認しました」, and the attached PDFs.

Access as on the pages (notices.access): a notice is reached by its recipients and by the
operators of its Network; anyone else gets 404. Read and confirm are a recipient's own
inbox row: 404 for anyone who was not sent the notice. Notices carry no resident data, so,
as on the pages, reading them is not audited.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from django.http import Http404
from django.urls import reverse
from ninja import Query, Router

from renrakucho.api import selectors
from renrakucho.api.errors import write_errors
from renrakucho.api.schemas_notices import NoticeInbox, NoticeOut
from renrakucho.files.serving import file_download
from renrakucho.notices import selectors as notice_selectors
from renrakucho.notices import services as notice_services
from renrakucho.notices.access import access_notice

router = Router(tags=["notices"])


def _attachment(notice, attachment) -> dict[str, Any]:
    return {
        "id": attachment.uuid,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": reverse(
            "api:notice_attachment",
            kwargs={"notice_id": notice.uuid, "attachment_id": attachment.uuid},
        ),
    }


def notice_out(notice, recipient) -> dict[str, Any]:
    """The notice with the reader's copy (`recipient`, None for an operator who was not sent
    it). Expects the notice's network joined and its attachments prefetched."""
    return {
        "id": notice.uuid,
        "network": notice.network,
        "title": notice.title,
        "body": notice.body,
        "confirmation_required": notice.confirmation_required,
        "published_at": notice.published_at,
        "read_at": recipient.read_at if recipient else None,
        "confirmed_at": recipient.confirmed_at if recipient else None,
        "pending": recipient.is_pending if recipient else False,
        "attachments": [_attachment(notice, a) for a in notice.attachments.all()],
    }


def _rows_out(rows) -> list[dict[str, Any]]:
    return [notice_out(row.notice, row) for row in rows]


@router.get("/notices", response=NoticeInbox, summary="お知らせの一覧")
def notice_inbox(
    request,
    cursor: Annotated[uuid.UUID | None, Query(description="前のページの next_cursor")] = None,
):
    """The caller's notices: those waiting for them (unread, or 確認必須 and not yet
    confirmed) first — on the first page only — then the others as keyset pages."""
    box = notice_selectors.inbox(request.user, before=str(cursor) if cursor else None)
    done = box.done.items if box.done else []
    selectors.with_notice_attachments([*box.pending, *done])
    return {
        "pending": _rows_out(box.pending),
        "items": _rows_out(done),
        "next_cursor": box.done.next_cursor if box.done else None,
    }


def _recipient(request, notice_id: str):
    access = access_notice(request.user, notice_id)
    if not access.is_recipient:
        raise Http404
    return access


def _answer(access) -> dict[str, Any]:
    selectors.with_notice_attachments([access.recipient])
    return notice_out(access.notice, access.recipient)


@router.post("/notices/{notice_id}/read", response=NoticeOut, summary="お知らせを既読にする")
def notice_read(request, notice_id: str):
    """Mark the notice read (the first time only; idempotent)."""
    access = _recipient(request, notice_id)
    notice_services.notice_open(user=request.user, recipient=access.recipient)
    return _answer(access)


@router.post("/notices/{notice_id}/confirm", response=NoticeOut, summary="「確認しました」")
def notice_confirm(request, notice_id: str):
    """「確認しました」 for a 確認必須 notice (also marks it read; idempotent). 422 when the
    notice does not ask for confirmation."""
    access = _recipient(request, notice_id)
    with write_errors():
        notice_services.notice_confirm(user=request.user, recipient=access.recipient)
    return _answer(access)


@router.get(
    "/notices/{notice_id}/attachments/{attachment_id}",
    url_name="notice_attachment",
    response={200: None},
    summary="お知らせの添付ファイル",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF（Content-Disposition: attachment）",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def notice_attachment(request, notice_id: str, attachment_id: str):
    """A notice's PDF, always as a download with nosniff (recipients and the Network's
    operators; 404 for anyone else)."""
    access = access_notice(request.user, notice_id)
    found = notice_selectors.attachment_of(access.notice, attachment_id)
    if found is None:
        raise Http404
    return file_download(found.file, content_type=found.content_type, filename=found.filename)
