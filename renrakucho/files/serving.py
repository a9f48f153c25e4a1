"""Serving stored files: never rendered in the app's origin.

Every response says `X-Content-Type-Options: nosniff` (the browser must not guess a type
other than the stored, content-checked one) and `Content-Security-Policy: default-src 'none';
sandbox` (a document opened anyway runs without scripts or requests). Uploads go out as
downloads (`Content-Disposition: attachment` with a name we make, never the uploaded one for
resident data); only our own JPEG previews are served inline, for <img>.

Access is the caller's business. An audited read checks access, calls `open_stored` (404
when the file is gone, so nothing is audited for a file that cannot be served), audits, then
answers `file_download`.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import timezone

SANDBOX_CSP = "default-src 'none'; sandbox"


def open_stored(field_file: FieldFile):
    """The stored file opened for reading; Http404 when there is none or it is missing."""
    if not field_file:
        raise Http404
    try:
        return field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404


def file_download(
    field_file: FieldFile,
    *,
    content_type: str | None,
    filename: str | None = None,
    inline: bool = False,
) -> FileResponse:
    """The stored file (Http404 when there is none) with `content_type`
    (application/octet-stream when empty), as an attachment named `filename` — or, with
    `inline`, shown in place (our previews) — nosniff and sandboxed."""
    response = FileResponse(
        open_stored(field_file),
        as_attachment=not inline,
        filename=filename or "",
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    return response


def extension_of(field_file: FieldFile) -> str:
    """The stored file's extension (chosen from its content when it was checked)."""
    return field_file.name.rsplit(".", 1)[-1].lower()


def attachment_filename(attachment) -> str:
    """The download name of an attachment row (with `kind`, `created_at` and `file`):
    `<kind>-<YYYYMMDD-HHMM>.<ext>` in local time; nothing of what was uploaded."""
    created = timezone.localtime(attachment.created_at)
    return f"{attachment.kind}-{created:%Y%m%d-%H%M}.{extension_of(attachment.file)}"
