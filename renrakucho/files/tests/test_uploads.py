import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from renrakucho.files.uploads import MAX_IMAGE_PIXELS, check_upload

LIMIT = 1024 * 1024

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def jpeg_with_gps(size=(40, 30), orientation=None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 50.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (137.0, 57.0, 3.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_pdf_passes_with_a_random_name():
    checked = check_upload(upload("山田花子_同意書.pdf", PDF_BYTES), max_bytes=LIMIT)
    assert checked.content_type == "application/pdf"
    assert checked.name.endswith(".pdf")
    assert "山田" not in checked.name
    assert checked.read() == PDF_BYTES


@pytest.mark.parametrize(
    "content",
    [
        b"<!doctype html><html><body><script>alert(1)</script></body></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64,
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64,
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    ],
    ids=["html", "svg", "elf", "exe", "gif"],
)
def test_other_content_named_pdf_is_refused(content):
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("form.pdf", content), max_bytes=LIMIT)
    assert "PDF、JPEG、PNG、HEIC 形式のファイルのみ" in caught.value.messages[0]


def test_too_large_and_empty_are_refused():
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("form.pdf", PDF_BYTES + b"0" * LIMIT), max_bytes=LIMIT)
    assert caught.value.messages == ["ファイルが大きすぎます。1MB以下のファイルを選んでください。"]
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("form.pdf", b""), max_bytes=LIMIT)
    assert caught.value.messages == ["ファイルが空です。"]


def test_jpeg_comes_back_without_exif_or_location():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    checked = check_upload(upload("photo.pdf", original, "application/pdf"), max_bytes=LIMIT)
    assert checked.content_type == "image/jpeg"
    assert checked.name.endswith(".jpg")
    data = checked.read()
    assert b"Exif" not in data and b"PhoneMaker" not in data
    reopened = Image.open(io.BytesIO(data))
    assert reopened.format == "JPEG"
    assert not reopened.getexif()
    assert reopened.size == (40, 30)


def test_exif_orientation_is_applied_to_the_pixels():
    # Orientation 6 = rotate 90° clockwise to display: width and height swap.
    checked = check_upload(upload("p.jpg", jpeg_with_gps(orientation=6)), max_bytes=LIMIT)
    assert Image.open(io.BytesIO(checked.read())).size == (30, 40)


def test_png_text_and_exif_chunks_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "自宅 35.84,137.95")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(
        buffer, format="PNG", pnginfo=info, exif=exif
    )
    assert b"eXIf" in buffer.getvalue() and b"Comment" in buffer.getvalue()
    checked = check_upload(upload("scan.png", buffer.getvalue(), "image/png"), max_bytes=LIMIT)
    data = checked.read()
    assert checked.content_type == "image/png"
    assert b"Comment" not in data and b"PhoneMaker" not in data and b"eXIf" not in data
    assert Image.open(io.BytesIO(data)).mode == "RGBA"


def test_broken_image_is_refused():
    truncated = jpeg_with_gps()[:200]
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("p.jpg", truncated, "image/jpeg"), max_bytes=LIMIT)
    assert "画像を読み込めませんでした" in caught.value.messages[0]


def test_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr("renrakucho.files.uploads.MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("p.jpg", jpeg_with_gps(), "image/jpeg"), max_bytes=LIMIT)
    assert "画素数が大きすぎます" in caught.value.messages[0]
    assert MAX_IMAGE_PIXELS > 35_000_000  # an A4 page at 600 dpi still passes


def test_heic_from_a_phone_becomes_jpeg_without_location():
    exif = Image.Exif()
    exif[0x8825] = {2: (35.0, 50.0, 0.0)}  # GPSInfo: latitude
    exif[0x010F] = "Apple"
    raw = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(raw, format="HEIF", exif=exif.tobytes())
    checked = check_upload(upload("IMG_0001.HEIC", raw.getvalue(), "image/heic"), max_bytes=LIMIT)
    assert checked.content_type == "image/jpeg" and checked.name.endswith(".jpg")
    with Image.open(checked.file) as result:
        assert result.format == "JPEG" and result.size == (64, 48)
        assert not result.getexif()
