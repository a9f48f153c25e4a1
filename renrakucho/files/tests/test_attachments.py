"""The shared attachment rules (files.attachments): count, kinds, per-kind limits from
settings, errors by position; storing a checked file with its preview in a feature's row."""

import pytest
from django.core.exceptions import ValidationError

from renrakucho.files.attachments import (
    ATTACHMENT_KINDS,
    attachment_kind,
    check_files,
    size_limits,
    store_attachment,
)
from renrakucho.files.uploads import JPEG, MOV, PDF, PNG
from renrakucho.testing.files import jpeg_with_gps, mp4_bytes, pdf_bytes, png_bytes, upload


def test_every_kind_passes_in_order_with_random_names():
    files = [
        upload("山田さん.jpg", jpeg_with_gps()),
        upload("a.png", png_bytes()),
        upload("b.pdf", pdf_bytes()),
        upload("c.mp4", mp4_bytes()),
    ]
    checked = check_files(files)
    assert [f.content_type for f in checked] == [
        "image/jpeg",
        "image/png",
        "application/pdf",
        "video/mp4",
    ]
    assert not any("山田" in f.name for f in checked)


def test_too_many_files_default_wording_and_setting(settings):
    settings.TIMELINE_MAX_FILES = 1
    files = [upload("a.png", png_bytes()), upload("b.png", png_bytes())]
    with pytest.raises(ValidationError) as caught:
        check_files(files)
    assert caught.value.message_dict == {"files": ["添付できるファイルは1件までです。"]}
    assert caught.value.error_dict["files"][0].code == "too_many_files"


def test_too_many_files_with_a_feature_s_number_and_wording():
    files = [upload(f"{i}.png", png_bytes()) for i in range(3)]
    with pytest.raises(ValidationError) as caught:
        check_files(files, max_files=2, too_many="1件につき%(n)d件まで")
    assert caught.value.message_dict == {"files": ["1件につき2件まで"]}
    assert len(check_files(files, max_files=3)) == 3


def test_refused_files_are_named_by_position_with_check_upload_s_code():
    files = [upload("ok.png", png_bytes()), upload("empty.jpg", b""), upload("x.mp4", pdf_bytes())]
    with pytest.raises(ValidationError) as caught:
        check_files(files)
    errors = caught.value.error_dict["files"]
    assert [e.code for e in errors] == ["empty", "name_mismatch"]
    assert errors[0].messages == ["2件目のファイル: ファイルが空です。"]
    assert errors[1].messages[0].startswith("3件目のファイル: ")


def test_limits_per_kind_come_from_settings(settings):
    settings.TIMELINE_MAX_PHOTO_MB = 0.001
    assert size_limits()[JPEG] == size_limits()[PNG] == 1048
    with pytest.raises(ValidationError) as caught:
        check_files([upload("big.jpg", jpeg_with_gps(size=(400, 300)))])
    assert caught.value.error_dict["files"][0].code == "too_large"
    # A PDF is held to its own limit, not the photo's.
    assert check_files([upload("doc.pdf", pdf_bytes())])


def test_one_limit_for_every_kind_and_fewer_kinds(settings):
    with pytest.raises(ValidationError) as caught:
        check_files([upload("c.mp4", mp4_bytes())], kinds=(PDF, JPEG))
    assert caught.value.error_dict["files"][0].code == "bad_type"
    with pytest.raises(ValidationError) as caught:
        check_files([upload("p.png", png_bytes())], max_bytes=10)
    assert caught.value.error_dict["files"][0].code == "too_large"
    # With one limit, the per-kind limits of settings do not apply.
    settings.TIMELINE_MAX_PHOTO_MB = 0.001
    big = jpeg_with_gps(size=(400, 300))
    assert check_files([upload("big.jpg", big)], max_bytes=1024 * 1024)


def test_attachment_kind():
    assert [attachment_kind(k.mime) for k in ATTACHMENT_KINDS] == [
        "photo",
        "photo",
        "photo",
        "video",
        "video",
        "pdf",
    ]
    assert attachment_kind(MOV.mime) == "video"


class _Field:
    def __init__(self):
        self.saved = None

    def save(self, name, content, save=True):
        assert save is False
        content.seek(0)
        self.saved = (name, content.read())


class _Row:
    """What a feature's attachment model offers: FileFields `file` (and `thumbnail`)."""

    def __init__(self):
        self.file, self.thumbnail, self.saves = _Field(), _Field(), 0

    def save(self):
        self.saves += 1


def test_store_attachment_fills_the_row_with_a_preview():
    (checked,) = check_files([upload("p.jpg", jpeg_with_gps(size=(640, 480)))])
    row = store_attachment(_Row(), checked)
    assert row.saves == 1
    assert (row.kind, row.content_type, row.size) == ("photo", "image/jpeg", checked.size)
    assert (row.width, row.height) == (640, 480)
    assert row.file.saved[0] == checked.name and row.file.saved[1][:2] == b"\xff\xd8"
    assert row.thumbnail.saved[0].endswith(".jpg")


def test_store_attachment_of_a_video_has_no_preview():
    (checked,) = check_files([upload("c.mp4", mp4_bytes())])
    row = store_attachment(_Row(), checked)
    assert row.kind == "video" and row.thumbnail.saved is None
    assert row.width is None and row.height is None


def test_store_attachment_without_previews_leaves_those_fields_alone():
    (checked,) = check_files([upload("d.pdf", pdf_bytes())])
    row = _Row()
    del row.thumbnail
    row = store_attachment(row, checked, thumbnail=False)
    assert row.kind == "pdf" and row.saves == 1
    assert not hasattr(row, "width") and not hasattr(row, "thumbnail")
