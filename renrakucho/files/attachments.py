"""Files attached to a post, a message, a board thread or a meeting: checking a batch of
uploads and storing each one with its preview.

The rules are the timeline's, shared by every feature that takes attachments:

- at most `TIMELINE_MAX_FILES` files (a feature may pass its own number and wording);
- content-checked types (`ATTACHMENT_KINDS`: photos, videos, PDF) with a size limit per kind
  from settings (`TIMELINE_MAX_PHOTO_MB`, `TIMELINE_MAX_PDF_MB`, `TIMELINE_MAX_VIDEO_MB`);
- a name whose extension contradicts the content is refused;
- errors are one ValidationError under "files", each refused file named by its position
  (never by its name, which often carries the resident's name), keeping the code of
  `uploads.check_upload` ("too_large", "bad_type", "empty", "name_mismatch", …) or
  "too_many_files", so the API can answer 413/415.

Storing: each feature builds its own (unsaved) attachment row and hands it to
`store_attachment`, which fills the fields every attachment model has in common — `kind`
("photo" / "video" / "pdf"), `content_type`, `size`, `file`, and, with a preview, `thumbnail`,
`width`, `height` — saves the file and the preview into the row's own FileFields (under the
row's `upload_to`) and saves the row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .thumbnails import make_thumbnail
from .uploads import HEIC, JPEG, MOV, MP4, PDF, PNG, CheckedFile, Kind, check_upload

ATTACHMENT_KINDS: tuple[Kind, ...] = (JPEG, PNG, HEIC, MP4, MOV, PDF)


def _megabytes(value: float) -> int:
    return int(value * 1024 * 1024)


def size_limits() -> dict[Kind, int]:
    """The largest file of each kind, in bytes, from settings (read at each call)."""
    photo = _megabytes(settings.TIMELINE_MAX_PHOTO_MB)
    pdf = _megabytes(settings.TIMELINE_MAX_PDF_MB)
    video = _megabytes(settings.TIMELINE_MAX_VIDEO_MB)
    return {JPEG: photo, PNG: photo, HEIC: photo, PDF: pdf, MP4: video, MOV: video}


def check_files(
    files: Iterable,
    *,
    kinds: tuple[Kind, ...] = ATTACHMENT_KINDS,
    max_files: int | None = None,
    too_many: str | None = None,
    max_bytes: int | None = None,
) -> list[CheckedFile]:
    """Check every upload (content type, size per kind, name not contradicting content) and
    return the checked copies in order, or raise ValidationError under "files".

    `max_files` defaults to `TIMELINE_MAX_FILES`; `too_many` is the (translated) message for
    more files than that, with `%(n)d` for the number; `max_bytes` replaces the per-kind
    limits by one limit for every kind.
    """
    files = list(files)
    if max_files is None:
        max_files = settings.TIMELINE_MAX_FILES
    if len(files) > max_files:
        message = too_many if too_many is not None else _("添付できるファイルは%(n)d件までです。")
        raise ValidationError(
            {"files": ValidationError(message % {"n": max_files}, code="too_many_files")}
        )
    if max_bytes is None:
        per_kind = size_limits()
        cap = max(per_kind.values())
    else:
        per_kind, cap = None, max_bytes
    checked, errors = [], []
    for number, upload in enumerate(files, start=1):
        try:
            checked.append(
                check_upload(upload, max_bytes=cap, kinds=kinds, limits=per_kind, match_name=True)
            )
        except ValidationError as error:
            errors.append(
                ValidationError(
                    _("%(n)d件目のファイル: %(message)s")
                    % {"n": number, "message": error.messages[0]},
                    code=getattr(error, "code", None) or "invalid",
                )
            )
    if errors:
        raise ValidationError({"files": errors})
    return checked


def attachment_kind(content_type: str) -> str:
    """ "photo", "video" or "pdf": the value of an attachment model's `kind`."""
    if content_type.startswith("image/"):
        return "photo"
    if content_type.startswith("video/"):
        return "video"
    return "pdf"


def store_attachment(row, checked: CheckedFile, *, thumbnail: bool = True):
    """Fill in `row` (an unsaved attachment of the calling feature, its own links already
    set) from `checked`, store the file — and with `thumbnail`, its JPEG preview (none for a
    video or a file that cannot be previewed) and the photo's size — then save the row and
    return it."""
    preview = make_thumbnail(checked, checked.content_type) if thumbnail else None
    row.kind = attachment_kind(checked.content_type)
    row.content_type = checked.content_type
    row.size = checked.size
    if thumbnail:
        row.width = preview.source_width if preview else None
        row.height = preview.source_height if preview else None
    row.file.save(checked.name, checked, save=False)
    if preview is not None:
        row.thumbnail.save(preview.file.name, preview.file, save=False)
    row.save()
    return row
