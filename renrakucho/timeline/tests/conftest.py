"""Fixtures of the timeline tests (the shared personas come from renrakucho/conftest).

Real files are made here, in the test run: a JPEG with GPS EXIF, a PNG, a PDF (Pillow
writes a one-page PDF), the smallest MP4 and MOV (an ISO-BMFF `ftyp` box and a data box).
"""

from __future__ import annotations

import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from renrakucho.timeline.access import access_timeline
from renrakucho.timeline.models import Attachment, Post, VitalSigns


def jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 50.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (137.0, 57.0, 3.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png_bytes(size=(32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 128, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (595, 842), (250, 250, 250)).save(buffer, format="PDF")
    return buffer.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes() -> bytes:
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    return ftyp + _box(b"free", b"") + _box(b"mdat", b"\x00" * 64)


def mov_bytes() -> bytes:
    return _box(b"ftyp", b"qt  " + struct.pack(">I", 0) + b"qt  ") + _box(b"mdat", b"\x00" * 64)


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def access_for(personas):
    """access_for(user, resident=None) → the user's TimelineAccess to the resident."""

    def make(user, resident=None):
        return access_timeline(user, (resident or personas.resident).uuid)

    return make


@pytest.fixture
def bulk_posts(personas):
    """bulk_posts(n, author=None) → n posts written straight to the database (no service:
    fast), each with vitals (one abnormal), a photo and a PDF row (files not on disk), from
    alternating authors. For query-count tests at two sizes."""

    def make(n, *, author=None, resident=None):
        resident = resident or personas.resident
        authors = [author] if author else [personas.nurse, personas.doctor, personas.caremanager]
        posts = Post.objects.bulk_create(
            [
                Post(
                    resident=resident,
                    author=authors[i % len(authors)],
                    author_network=resident.network,
                    kind="visit",
                    body=f"訪問しました {i}\n変わりなし",
                    visited_at=timezone.now(),
                    urgent=i % 7 == 0,
                )
                for i in range(n)
            ]
        )
        VitalSigns.objects.bulk_create(
            [
                VitalSigns(
                    post=post,
                    resident=resident,
                    measured_at=timezone.now(),
                    systolic=120 + i % 70,
                    diastolic=70,
                    temperature="36.5",
                    spo2=95,
                    abnormal=["systolic"] if 120 + i % 70 >= 180 else [],
                )
                for i, post in enumerate(posts)
            ]
        )
        Attachment.objects.bulk_create(
            [
                Attachment(
                    post=post,
                    resident=resident,
                    uploaded_by=post.author,
                    kind=kind,
                    file=f"timeline/test/{post.pk}.{ext}",
                    thumbnail=f"timeline/thumbs/test/{post.pk}.jpg",
                    content_type=content_type,
                    size=1000,
                )
                for post in posts
                for kind, ext, content_type in (
                    ("photo", "jpg", "image/jpeg"),
                    ("pdf", "pdf", "application/pdf"),
                )
            ]
        )
        return posts

    return make
