"""Real files made in the test run, for upload tests: a JPEG with GPS EXIF as a phone writes
it, a PNG, a PDF (Pillow writes a one-page PDF), the smallest MP4 and MOV (an ISO-BMFF `ftyp`
box and a data box), an SVG with a script and an HTML page."""

from __future__ import annotations

import io
import struct

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image


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


def has_gps(content: bytes) -> bool:
    """Whether an image still carries location (or device) metadata."""
    with Image.open(io.BytesIO(content)) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(ExifTags.IFD.GPSInfo)) or ExifTags.Base.Make in exif


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
