"""Serving stored files (files.serving): downloads and previews, nosniff and sandboxed,
404 when the file is missing."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone

from renrakucho.files.serving import (
    attachment_filename,
    extension_of,
    file_download,
    open_stored,
)
from renrakucho.notices.models import NoticeAttachment


@pytest.fixture
def stored(media_root):
    row = NoticeAttachment()
    row.file.save("abc.PDF", ContentFile(b"%PDF-1.4 test"), save=False)
    return row.file


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_download(stored):
    response = file_download(stored, content_type="application/pdf", filename="doc-1.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="doc-1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert _body(response) == b"%PDF-1.4 test"


def test_no_type_is_octet_stream_and_a_japanese_name_is_encoded(stored):
    response = file_download(stored, content_type="", filename="お知らせ.pdf")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")


def test_inline_for_previews(stored):
    response = file_download(stored, content_type="image/jpeg", inline=True)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_missing_or_no_file_is_404(stored):
    stored.storage.delete(stored.name)
    with pytest.raises(Http404):
        open_stored(stored)
    with pytest.raises(Http404):
        file_download(stored, content_type="application/pdf")
    with pytest.raises(Http404):
        open_stored(NoticeAttachment().file)


def test_names(stored):
    assert extension_of(stored) == "pdf"

    class Row:
        kind = "photo"
        file = stored
        created_at = timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 5))

    assert attachment_filename(Row) == "photo-20261201-0905.pdf"
