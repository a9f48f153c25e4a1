"""Real files made in the test run for upload tests: a JPEG with GPS EXIF, a PDF (Pillow
writes a one-page PDF), an SVG with a script, an HTML page."""

from __future__ import annotations

import io

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


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (595, 842), (250, 250, 250)).save(buffer, format="PDF")
    return buffer.getvalue()


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def has_gps(content: bytes) -> bool:
    with Image.open(io.BytesIO(content)) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(ExifTags.IFD.GPSInfo)) or ExifTags.Base.Make in exif
