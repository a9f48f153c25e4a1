"""Small JPEG previews of checked uploads: photos (Pillow) and the first page of PDFs
(pypdfium2). Videos get none (no decoder here).

Only call these with a file that passed `check_upload`: photos are already re-encoded without
metadata and within the pixel limit. A preview that cannot be made is simply absent
(`None`); it never refuses the upload, which was checked already.
"""

from __future__ import annotations

import io
import logging
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image

logger = logging.getLogger(__name__)

THUMBNAIL_MAX_PX = 480
_JPEG_QUALITY = 80


@dataclass(frozen=True)
class Thumbnail:
    file: ContentFile  # JPEG, random name
    width: int
    height: int
    # The size of the photo the preview was made from (None for a PDF page).
    source_width: int | None = None
    source_height: int | None = None


def _as_jpeg(image: Image.Image, *, max_px: int) -> tuple[ContentFile, int, int]:
    image = image.copy()
    image.thumbnail((max_px, max_px))
    if image.mode in ("RGBA", "LA", "P"):
        # Transparent areas become white, as on paper.
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=_JPEG_QUALITY)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), *image.size


def photo_thumbnail(file, *, max_px: int = THUMBNAIL_MAX_PX) -> Thumbnail | None:
    """A JPEG no larger than `max_px` on its longer side, or None if the photo cannot be read."""
    try:
        file.seek(0)
        with Image.open(file) as opened:
            opened.load()
            content, width, height = _as_jpeg(opened, max_px=max_px)
            source = opened.size
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("photo thumbnail failed", exc_info=True)
        return None
    finally:
        file.seek(0)
    return Thumbnail(content, width, height, source_width=source[0], source_height=source[1])


def pdf_thumbnail(file, *, max_px: int = THUMBNAIL_MAX_PX) -> Thumbnail | None:
    """The first page of a PDF rendered as a JPEG, or None when the PDF cannot be rendered
    (damaged, encrypted, no pages)."""
    import pypdfium2 as pdfium

    try:
        file.seek(0)
        document = pdfium.PdfDocument(file.read())
        try:
            if len(document) == 0:
                return None
            page = document[0]
            width, height = page.get_size()
            if width <= 0 or height <= 0:
                return None
            # Render at the final size directly: a poster-sized page must not become a
            # gigantic bitmap first.
            bitmap = page.render(scale=max_px / max(width, height))
            image = bitmap.to_pil()
            content, out_width, out_height = _as_jpeg(image, max_px=max_px)
        finally:
            document.close()
    except (pdfium.PdfiumError, OSError, ValueError):
        logger.warning("pdf thumbnail failed", exc_info=True)
        return None
    finally:
        file.seek(0)
    return Thumbnail(content, out_width, out_height)


def make_thumbnail(file, content_type: str) -> Thumbnail | None:
    """The preview for a checked file of `content_type`, or None (videos, failures)."""
    if content_type in ("image/jpeg", "image/png"):
        return photo_thumbnail(file)
    if content_type == "application/pdf":
        return pdf_thumbnail(file)
    return None
