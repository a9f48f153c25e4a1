"""Checking uploaded files before they are stored.

The type of an upload is decided by its CONTENT (magic bytes via `filetype`), never by its
name or the browser's Content-Type: an HTML page or an SVG named `form.pdf` is refused. Images
are decoded and re-encoded with Pillow so that EXIF (location, camera, time) and any other
metadata are dropped; a file that does not decode is refused. Stored names are random, so a
file name typed by a user (often the resident's name) never reaches storage paths or logs.

Errors are ValidationError with Japanese messages meant to be shown on the form as they are.
"""

from __future__ import annotations

import io
import uuid
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import filetype
import pillow_heif
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# HEIC is what iPhones photograph in; pillow-heif teaches Pillow to read it.
pillow_heif.register_heif_opener()


@dataclass(frozen=True)
class Kind:
    mime: str
    extension: str
    label: str
    is_image: bool
    # "image", "video" or "document": what a file name's extension may claim (see match_name).
    family: str = "document"
    # Extensions a file of this kind is commonly named with (lower case, without the dot).
    names: tuple[str, ...] = ()


PDF = Kind("application/pdf", "pdf", "PDF", is_image=False, family="document", names=("pdf",))
JPEG = Kind(
    "image/jpeg", "jpg", "JPEG", is_image=True, family="image", names=("jpg", "jpeg", "jpe")
)
PNG = Kind("image/png", "png", "PNG", is_image=True, family="image", names=("png",))
HEIC = Kind("image/heic", "heic", "HEIC", is_image=True, family="image", names=("heic", "heif"))
# Videos are stored as they are (no decoder here to re-encode them); only photos are
# re-encoded without metadata.
MP4 = Kind("video/mp4", "mp4", "MP4", is_image=False, family="video", names=("mp4", "m4v"))
MOV = Kind("video/quicktime", "mov", "MOV", is_image=False, family="video", names=("mov", "qt"))

# Scanned paper forms: a PDF from a scanner or a photo from a phone.
DOCUMENT_KINDS: tuple[Kind, ...] = (PDF, JPEG, PNG, HEIC)
# Everything a name's extension is checked against when `match_name` is on.
KNOWN_KINDS: tuple[Kind, ...] = (PDF, JPEG, PNG, HEIC, MP4, MOV)

# An A4 page scanned at 600 dpi is about 35 million pixels; beyond this a "photo" is more
# likely a decompression bomb than a document.
MAX_IMAGE_PIXELS = 50_000_000
_SNIFF_BYTES = 8192


class CheckedFile(File):
    """A file that passed `check_upload`: random name, content type decided by content."""

    def __init__(self, file, *, name: str, content_type: str):
        super().__init__(file, name=name)
        self.content_type = content_type


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    return size


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("ファイルが大きすぎます。%(limit)sMB以下のファイルを選んでください。")
        % {"limit": _megabytes(limit)},
        code="too_large",
    )


def _extension_of(name: str | None) -> str:
    base = (name or "").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def check_upload(
    upload,
    *,
    max_bytes: int,
    kinds: tuple[Kind, ...] = DOCUMENT_KINDS,
    limits: Mapping[Kind, int] | None = None,
    match_name: bool = False,
) -> CheckedFile:
    """Return a safe copy of `upload` ready for a FileField, or raise ValidationError.

    - empty, or larger than `max_bytes` → refused (code "empty" / "too_large");
    - content not one of `kinds` (whatever the file is called) → refused ("bad_type");
    - `limits` gives a smaller limit per kind (a photo 20 MB, a video 200 MB) → "too_large";
    - with `match_name`, a name whose extension belongs to another family of files than the
      content (a PDF named `clip.mp4`, a photo named `report.pdf`) is refused ("name_mismatch"):
      the content still decides the type, the name may only contradict it. A name without a
      known extension passes.
    - images are decoded and re-encoded without metadata (HEIC, read through pillow-heif,
      becomes JPEG).
    """
    size = _size_of(upload)
    if size == 0:
        raise ValidationError(_("ファイルが空です。"), code="empty")
    if size > max_bytes:
        raise _too_large(max_bytes)
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    guess = filetype.guess(head)
    kind = next((k for k in kinds if guess is not None and guess.mime == k.mime), None)
    if kind is None:
        raise ValidationError(
            _(
                "%(kinds)s 形式のファイルのみアップロードできます。ファイルの中身が対応していない形式です。"
            )
            % {"kinds": "、".join(k.label for k in kinds)},
            code="bad_type",
        )
    if limits and kind in limits and size > limits[kind]:
        raise _too_large(limits[kind])
    if match_name:
        extension = _extension_of(getattr(upload, "name", ""))
        claimed = next((k for k in KNOWN_KINDS if extension in k.names), None)
        if claimed is not None and claimed.family != kind.family:
            raise ValidationError(
                _(
                    "ファイル名の拡張子（.%(extension)s）とファイルの中身（%(kind)s）が一致しません。"
                )
                % {"extension": extension, "kind": kind.label},
                code="name_mismatch",
            )
    if not kind.is_image:
        return CheckedFile(
            getattr(upload, "file", upload),
            name=f"{uuid.uuid4().hex}.{kind.extension}",
            content_type=kind.mime,
        )
    return _reencode_image(upload, kind)


def _reencode_image(upload, kind: Kind) -> CheckedFile:
    unreadable = ValidationError(
        _("画像を読み込めませんでした。ファイルが壊れていないか確認してください。"),
        code="unreadable",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as opened:
                if opened.width * opened.height > MAX_IMAGE_PIXELS:
                    raise ValidationError(
                        _(
                            "画像の画素数が大きすぎます。解像度を下げてからアップロードしてください。"
                        ),
                        code="too_many_pixels",
                    )
                opened.load()
                # Apply the EXIF orientation to the pixels before the EXIF goes away.
                image = ImageOps.exif_transpose(opened)
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise unreadable

    if kind is PNG:
        if image.mode not in ("1", "L", "LA", "RGB", "RGBA"):
            image = image.convert("RGBA")
        out_kind = PNG
    else:
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        out_kind = JPEG
    # A fresh image from raw pixels carries no `info` (EXIF, XMP, ICC, text chunks, comments),
    # whatever a format plug-in would otherwise copy across on save.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    buffer = io.BytesIO()
    if out_kind is PNG:
        clean.save(buffer, format="PNG")
    else:
        clean.save(buffer, format="JPEG", quality=90)
    buffer.seek(0)
    return CheckedFile(
        buffer,
        name=f"{uuid.uuid4().hex}.{out_kind.extension}",
        content_type=out_kind.mime,
    )
