"""Videos (MP4/MOV), per-kind size limits, names contradicting contents, and previews."""

import io
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from renrakucho.files.thumbnails import make_thumbnail, pdf_thumbnail, photo_thumbnail
from renrakucho.files.uploads import HEIC, JPEG, MOV, MP4, PDF, PNG, check_upload

ALL = (JPEG, PNG, HEIC, MP4, MOV, PDF)
LIMIT = 1024 * 1024


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def tiny_mp4() -> bytes:
    """The smallest ISO-BMFF file a phone's MP4 starts like: an `ftyp` box, then data."""
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    return ftyp + box(b"free", b"") + box(b"mdat", b"\x00" * 32)


def tiny_mov() -> bytes:
    return box(b"ftyp", b"qt  " + struct.pack(">I", 0) + b"qt  ") + box(b"mdat", b"\x00" * 32)


def real_pdf(size=(595, 842)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (250, 250, 250)).save(buffer, format="PDF")
    return buffer.getvalue()


def png_bytes(size=(1000, 500), mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (0, 128, 0, 128) if mode == "RGBA" else (0, 128, 0)).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


def up(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    "name, content, mime",
    [("clip.mp4", tiny_mp4(), "video/mp4"), ("IMG_0001.MOV", tiny_mov(), "video/quicktime")],
)
def test_videos_are_accepted_as_they_are(name, content, mime):
    checked = check_upload(up(name, content), max_bytes=LIMIT, kinds=ALL, match_name=True)
    assert checked.content_type == mime
    assert checked.name.endswith("." + mime.rsplit("/", 1)[-1].replace("quicktime", "mov"))
    assert checked.read() == content


def test_videos_are_refused_where_not_allowed():
    with pytest.raises(ValidationError) as caught:
        check_upload(up("clip.mp4", tiny_mp4()), max_bytes=LIMIT)  # documents only
    assert caught.value.code == "bad_type"


def test_a_pdf_named_mp4_is_refused_when_names_must_match():
    with pytest.raises(ValidationError) as caught:
        check_upload(up("clip.mp4", real_pdf()), max_bytes=LIMIT, kinds=ALL, match_name=True)
    assert caught.value.code == "name_mismatch"
    assert caught.value.messages == [
        "ファイル名の拡張子（.mp4）とファイルの中身（PDF）が一致しません。"
    ]


@pytest.mark.parametrize("name", ["photo.png", "photo.JPEG", "写真", "photo.bin", "a.b.c"])
def test_names_of_the_same_family_or_unknown_pass(name):
    checked = check_upload(up(name, png_bytes()), max_bytes=LIMIT, kinds=ALL, match_name=True)
    assert checked.content_type == "image/png"


def test_html_named_jpg_is_refused_by_content():
    html = b"<!doctype html><html><script>alert(1)</script></html>"
    with pytest.raises(ValidationError) as caught:
        check_upload(up("photo.jpg", html), max_bytes=LIMIT, kinds=ALL, match_name=True)
    assert caught.value.code == "bad_type"
    assert "JPEG、PNG、HEIC、MP4、MOV、PDF 形式のファイルのみ" in caught.value.messages[0]


def test_limits_per_kind():
    limits = {JPEG: 100, PNG: 100, MP4: LIMIT}
    assert check_upload(up("c.mp4", tiny_mp4()), max_bytes=LIMIT, kinds=ALL, limits=limits)
    with pytest.raises(ValidationError) as caught:
        check_upload(up("p.png", png_bytes()), max_bytes=LIMIT, kinds=ALL, limits=limits)
    assert caught.value.code == "too_large"
    assert "ファイルが大きすぎます。" in caught.value.messages[0]


def test_photo_thumbnail_is_a_small_jpeg_keeping_the_source_size():
    thumb = photo_thumbnail(io.BytesIO(png_bytes((1000, 500))))
    assert (thumb.width, thumb.height) == (480, 240)
    assert (thumb.source_width, thumb.source_height) == (1000, 500)
    with Image.open(thumb.file) as image:
        assert image.format == "JPEG" and image.size == (480, 240) and image.mode == "RGB"


def test_small_photos_are_not_enlarged():
    thumb = make_thumbnail(io.BytesIO(png_bytes((40, 30), mode="RGB")), "image/png")
    assert (thumb.width, thumb.height) == (40, 30)


def test_pdf_first_page_thumbnail():
    thumb = make_thumbnail(io.BytesIO(real_pdf()), "application/pdf")
    assert max(thumb.width, thumb.height) == 480
    with Image.open(thumb.file) as image:
        assert image.format == "JPEG"


def test_no_thumbnail_for_videos_or_broken_pdfs():
    assert make_thumbnail(io.BytesIO(tiny_mp4()), "video/mp4") is None
    assert pdf_thumbnail(io.BytesIO(b"%PDF-1.4\n%%EOF\n")) is None
