"""timeline.services: posting, editing, retracting; vitals flags; notifications; audit; push."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.notifications.models import Notification
from renrakucho.testing.files import (
    HTML_PAGE,
    SVG_WITH_SCRIPT,
    jpeg_with_gps,
    mov_bytes,
    mp4_bytes,
    pdf_bytes,
    png_bytes,
    upload,
)
from renrakucho.timeline import services
from renrakucho.timeline.models import Attachment, Post, PostVersion, VitalSigns


@pytest.fixture
def pushes(monkeypatch):
    sent = []
    monkeypatch.setattr(
        services, "publish_on_commit", lambda group, message: sent.append((group, message))
    )
    return sent


def create(personas, access_for, author=None, **fields):
    author = author or personas.nurse
    defaults = {
        "kind": "message",
        "body": "本日訪問しました。",
        "visibility": "team",
        "urgent": False,
    }
    return services.post_create(actor=author, access=access_for(author), **{**defaults, **fields})


def notified(kind=None):
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return sorted((n.user.username, n.kind, n.urgent) for n in rows)


# --- Creating ---------------------------------------------------------------------------


def test_a_message_is_posted_audited_notified_and_pushed(personas, access_for, pushes):
    post = create(personas, access_for, body="  夕食は半分ほど。\n水分はよく摂れています。 ")
    assert post.body == "夕食は半分ほど。\n水分はよく摂れています。"
    assert post.author == personas.nurse and post.author_network == personas.net_a
    assert post.version == 1 and post.search_key
    event = AuditEvent.objects.get(action=Action.POST_CREATE)
    assert event.actor == personas.nurse and event.target_id == str(post.uuid)
    assert event.resident_uuid == personas.resident.uuid
    assert "夕食" not in str(event.detail)  # no clinical content in the log
    assert notified() == [
        ("p-caremanager", "new_post", False),
        ("p-doctor", "new_post", False),
    ]
    assert Notification.objects.filter(url=f"/posts/{post.uuid}/").count() == 2
    assert pushes == [
        (f"resident.{personas.resident.uuid}", {"type": "post.created", "id": str(post.uuid)})
    ]


def test_mentions_in_a_post_notify_the_team_member_and_an_edit_only_the_new_one(
    personas, access_for, pushes
):
    post = create(personas, access_for, body="@p-doctor 褥瘡の写真をご確認ください。")
    assert [(u, k) for u, k, _ in notified("mention")] == [("p-doctor", "mention")]
    services.post_edit(
        actor=personas.nurse,
        access=access_for(personas.nurse),
        post=post,
        body="@p-doctor @p-caremanager 褥瘡の写真をご確認ください。",
    )
    assert [u for u, _, _ in notified("mention")] == ["p-caremanager", "p-doctor"]
    # Unchanged body: nobody is mentioned again.
    services.post_edit(
        actor=personas.nurse, access=access_for(personas.nurse), post=post, urgent=True
    )
    assert len(notified("mention")) == 2


def test_urgent_post_notifies_every_other_member_as_urgent(personas, access_for, pushes):
    create(personas, access_for, urgent=True, author=personas.doctor)
    assert notified() == [
        ("p-caremanager", "urgent_post", True),
        ("p-nurse", "urgent_post", True),
    ]


def test_abnormal_vitals_are_flagged_and_notified(personas, access_for, pushes):
    post = create(
        personas,
        access_for,
        kind="vitals",
        body="",
        vitals={"systolic": "182", "diastolic": "96", "spo2": "88", "temperature": "36.8"},
    )
    vitals = VitalSigns.objects.get(post=post)
    assert vitals.abnormal == ["systolic", "spo2"]
    assert vitals.temperature == Decimal("36.8") and vitals.resident == personas.resident
    assert notified() == [
        ("p-caremanager", "abnormal_vitals", False),
        ("p-doctor", "abnormal_vitals", False),
    ]
    assert AuditEvent.objects.get(action=Action.POST_CREATE).detail["abnormal"] == [
        "systolic",
        "spo2",
    ]


def test_the_networks_own_thresholds_apply(personas, access_for, pushes):
    personas.net_a.vital_thresholds = {"temperature": {"high": 37.5}}
    personas.net_a.save(update_fields=["vital_thresholds"])
    post = create(personas, access_for, kind="vitals", body="", vitals={"temperature": "37.5"})
    assert post.vitals.abnormal == ["temperature"]


def test_a_visit_report_needs_its_time_and_may_carry_vitals(personas, access_for, pushes):
    with pytest.raises(ValidationError) as caught:
        create(personas, access_for, kind="visit", vitals={"pulse": "70"})
    assert caught.value.message_dict == {"visited_at": ["訪問記録には訪問日時を入力してください。"]}
    visited = timezone.now() - datetime.timedelta(hours=2)
    post = create(personas, access_for, kind="visit", visited_at=visited, vitals={"pulse": "70"})
    assert post.vitals.measured_at == visited and post.vitals.pulse == 70
    assert notified("new_post")  # nothing abnormal


def test_bad_input_gives_japanese_errors_and_saves_nothing(personas, access_for, pushes):
    cases = [
        ({"kind": "vitals", "body": "測定"}, {"vitals": ["バイタルを1項目以上入力してください。"]}),
        ({"body": "   "}, {"body": ["本文を入力してください。"]}),
        ({"kind": "diary"}, {"kind": ["記事の種類を選択してください。"]}),
        (
            {"vitals": {"temperature": "60"}},
            {"temperature": ["体温は30.0〜45.0℃の範囲で入力してください。"]},
        ),
        (
            {"visited_at": timezone.now() + datetime.timedelta(days=1)},
            {"visited_at": ["訪問日時に未来の日時は入力できません。"]},
        ),
        (
            {"visibility": "medical", "author": personas.caremanager},
            {"visibility": ["「医療・看護職のみ」は、医療・看護職の方だけが選べます。"]},
        ),
    ]
    for fields, errors in cases:
        with pytest.raises(ValidationError) as caught:
            create(personas, access_for, **fields)
        assert caught.value.message_dict == errors, fields
    assert not Post.objects.exists() and not VitalSigns.objects.exists()
    assert not Notification.objects.exists() and not pushes
    assert not AuditEvent.objects.filter(action=Action.POST_CREATE).exists()


def test_only_team_members_post(personas, access_for, pushes):
    with pytest.raises(PermissionDenied):  # the operator reads the timeline but does not post
        create(personas, access_for, author=personas.operator_a)
    assert not Post.objects.exists()


def test_a_medical_post_is_announced_to_medical_members_only(personas, access_for, pushes):
    create(personas, access_for, visibility="medical", kind="medical_care")
    assert notified() == [("p-doctor", "new_post", False)]


# --- Attachments -------------------------------------------------------------------------


def test_photo_location_is_removed_and_previews_are_made(personas, access_for, pushes, media_root):
    post = create(
        personas,
        access_for,
        kind="life",
        body="",
        files=[
            upload("山田さん_褥瘡.jpg", jpeg_with_gps(), "image/jpeg"),
            upload("指示書.pdf", pdf_bytes(), "application/pdf"),
            upload("歩行.mp4", mp4_bytes(), "video/mp4"),
            upload("IMG_0002.MOV", mov_bytes(), "video/quicktime"),
            upload("scan.png", png_bytes(), "image/png"),
        ],
    )
    photo, pdf, mp4, mov, png = Attachment.objects.filter(post=post).order_by("id")
    assert [a.kind for a in (photo, pdf, mp4, mov, png)] == [
        "photo", "pdf", "video", "video", "photo",
    ]  # fmt: skip
    assert photo.content_type == "image/jpeg" and "山田" not in photo.file.name
    with photo.file.open("rb") as handle:
        data = handle.read()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif() and image.size == (64, 48)
    assert (photo.width, photo.height) == (64, 48) and photo.size == len(data)
    for with_preview in (photo, pdf, png):
        with with_preview.thumbnail.open("rb") as handle, Image.open(handle) as image:
            assert image.format == "JPEG" and max(image.size) <= 480
    assert not mp4.thumbnail and not mov.thumbnail
    assert mp4.content_type == "video/mp4" and mov.content_type == "video/quicktime"
    assert AuditEvent.objects.get(action=Action.POST_CREATE).detail["attachments"] == [
        str(a.uuid) for a in (photo, pdf, mp4, mov, png)
    ]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("drawing.svg", SVG_WITH_SCRIPT, "JPEG、PNG、HEIC、MP4、MOV、PDF 形式のファイルのみ"),
        ("photo.jpg", HTML_PAGE, "JPEG、PNG、HEIC、MP4、MOV、PDF 形式のファイルのみ"),
        (
            "clip.mp4",
            pdf_bytes(),
            "ファイル名の拡張子（.mp4）とファイルの中身（PDF）が一致しません。",
        ),
        ("empty.jpg", b"", "ファイルが空です。"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "形式のファイルのみ"),
    ],
    ids=["svg", "html-as-jpg", "pdf-as-mp4", "zero-bytes", "exe"],
)
def test_refused_files_save_nothing(
    personas, access_for, pushes, media_root, name, content, message
):
    with pytest.raises(ValidationError) as caught:
        create(personas, access_for, files=[upload("ok.png", png_bytes()), upload(name, content)])
    (error,) = caught.value.message_dict["files"]
    assert error.startswith("2件目のファイル: ") and message in error
    assert not Post.objects.exists() and not Attachment.objects.exists()
    assert not list(media_root.rglob("*.*"))


def test_size_limits_come_from_settings(personas, access_for, pushes, media_root, settings):
    settings.TIMELINE_MAX_PHOTO_MB = 0.001  # about 1 kB
    big = jpeg_with_gps(size=(400, 300))
    assert len(big) > 1100
    with pytest.raises(ValidationError) as caught:
        create(personas, access_for, files=[upload("big.jpg", big)])
    assert caught.value.error_dict["files"][0].code == "too_large"
    assert "ファイルが大きすぎます。" in caught.value.messages[0]
    settings.TIMELINE_MAX_PHOTO_MB = 20
    settings.TIMELINE_MAX_VIDEO_MB = 0.00001
    with pytest.raises(ValidationError):
        create(personas, access_for, files=[upload("clip.mp4", mp4_bytes())])
    assert create(personas, access_for, files=[upload("big.jpg", big)])


def test_too_many_files(personas, access_for, pushes, media_root, settings):
    settings.TIMELINE_MAX_FILES = 2
    with pytest.raises(ValidationError) as caught:
        create(personas, access_for, files=[upload(f"{i}.png", png_bytes()) for i in range(3)])
    assert caught.value.message_dict == {
        "files": ["添付できるファイルは1件の記事につき2件までです。"]
    }


# --- Editing ---------------------------------------------------------------------------


def test_an_edit_keeps_the_previous_version(personas, access_for, pushes):
    post = create(personas, access_for, kind="vitals", body="朝", vitals={"temperature": "36.4"})
    pushes.clear()
    edited = services.post_edit(
        actor=personas.nurse,
        access=access_for(personas.nurse),
        post=post,
        body="朝の測定",
        vitals={"temperature": "36.9", "pulse": "80"},
    )
    assert edited.version == 2 and edited.edited_at is not None and edited.body == "朝の測定"
    version = PostVersion.objects.get(post=post)
    assert (version.version, version.body, version.kind) == (1, "朝", "vitals")
    assert version.vitals == {"temperature": "36.4"} and version.edited_by == personas.nurse
    vitals = VitalSigns.objects.get(post=post)
    assert (vitals.temperature, vitals.pulse) == (Decimal("36.9"), 80)
    event = AuditEvent.objects.get(action=Action.POST_EDIT)
    assert event.detail["changed"] == ["body", "vitals"] and event.detail["version"] == 2
    assert pushes == [
        (f"resident.{personas.resident.uuid}", {"type": "post.updated", "id": str(post.uuid)})
    ]


def test_an_edit_that_changes_nothing_writes_nothing(personas, access_for, pushes):
    post = create(personas, access_for)
    services.post_edit(actor=personas.nurse, access=access_for(personas.nurse), post=post,
                       body=post.body)  # fmt: skip
    assert not PostVersion.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.POST_EDIT).exists()


def test_only_the_author_edits_and_not_after_retraction(personas, access_for, pushes):
    post = create(personas, access_for)
    for other in (personas.doctor, personas.caremanager, personas.operator_a):
        with pytest.raises(PermissionDenied):
            services.post_edit(actor=other, access=access_for(other), post=post, body="x")
    services.post_retract(
        actor=personas.nurse, access=access_for(personas.nurse), post=post, reason="誤投稿"
    )
    post.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.post_edit(actor=personas.nurse, access=access_for(personas.nurse), post=post,
                           body="x")  # fmt: skip
    assert caught.value.messages == ["取り消された記事は編集できません。"]


def test_an_edit_removing_vitals_and_making_urgent(personas, access_for, pushes):
    post = create(personas, access_for, vitals={"spo2": "95"})
    Notification.objects.all().delete()
    services.post_edit(actor=personas.nurse, access=access_for(personas.nurse), post=post,
                       vitals={}, urgent=True)  # fmt: skip
    assert not VitalSigns.objects.filter(post=post).exists()
    assert PostVersion.objects.get(post=post).vitals == {"spo2": 95}
    assert notified() == [
        ("p-caremanager", "urgent_post", True),
        ("p-doctor", "urgent_post", True),
    ]


def test_an_edit_adding_an_abnormal_value_notifies(personas, access_for, pushes):
    post = create(personas, access_for, vitals={"spo2": "95"})
    Notification.objects.all().delete()
    services.post_edit(actor=personas.nurse, access=access_for(personas.nurse), post=post,
                       vitals={"spo2": "85"})  # fmt: skip
    assert notified() == [
        ("p-caremanager", "abnormal_vitals", False),
        ("p-doctor", "abnormal_vitals", False),
    ]


def test_edit_errors_save_nothing(personas, access_for, pushes):
    post = create(personas, access_for, kind="vitals", body="", vitals={"pulse": "70"})
    with pytest.raises(ValidationError) as caught:
        services.post_edit(actor=personas.nurse, access=access_for(personas.nurse), post=post,
                           vitals={"temperature": "60"})  # fmt: skip
    assert "体温は30.0〜45.0℃の範囲で入力してください。" in caught.value.messages
    post.refresh_from_db()
    assert post.version == 1 and not PostVersion.objects.exists()


# --- Retraction ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["nurse", "caremanager", "operator_a"])
def test_author_lead_or_operator_retracts(personas, access_for, pushes, who):
    post = create(personas, access_for)
    pushes.clear()
    actor = getattr(personas, who)
    services.post_retract(actor=actor, access=access_for(actor), post=post, reason=" 別の方の記録 ")
    post.refresh_from_db()
    assert post.is_retracted and post.retracted_by == actor
    assert post.retraction_reason == "別の方の記録"
    assert post.body == "本日訪問しました。"  # kept, not shown
    event = AuditEvent.objects.get(action=Action.POST_RETRACT)
    assert event.actor == actor and event.target_id == str(post.uuid)
    assert pushes == [
        (f"resident.{personas.resident.uuid}", {"type": "post.updated", "id": str(post.uuid)})
    ]


def test_retraction_rules(personas, access_for, pushes):
    post = create(personas, access_for)
    with pytest.raises(PermissionDenied):
        services.post_retract(
            actor=personas.doctor, access=access_for(personas.doctor), post=post, reason="x"
        )
    access = access_for(personas.nurse)
    with pytest.raises(ValidationError) as caught:
        services.post_retract(actor=personas.nurse, access=access, post=post, reason="  ")
    assert caught.value.message_dict == {"reason": ["取り消しの理由を入力してください。"]}
    services.post_retract(actor=personas.nurse, access=access, post=post, reason="重複")
    with pytest.raises(ValidationError) as caught:
        services.post_retract(actor=personas.nurse, access=access, post=post, reason="重複")
    assert caught.value.messages == ["この記事は既に取り消されています。"]


def test_heic_from_a_phone_is_stored_as_jpeg(personas, access_for, pushes, media_root):
    exif = Image.Exif()
    exif[0x8825] = {2: (35.0, 50.0, 0.0)}  # GPSInfo: latitude
    raw = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(raw, format="HEIF", exif=exif.tobytes())
    post = create(personas, access_for, files=[upload("IMG_0001.HEIC", raw.getvalue())])
    photo = post.attachments.get()
    assert photo.kind == "photo" and photo.content_type == "image/jpeg"
    assert photo.file.name.endswith(".jpg") and photo.thumbnail
    with photo.file.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG" and not image.getexif()


def test_an_urgent_post_with_abnormal_vitals_notifies_once_as_urgent(personas, access_for, pushes):
    create(personas, access_for, urgent=True, vitals={"spo2": "82"})
    assert notified() == [
        ("p-caremanager", "urgent_post", True),
        ("p-doctor", "urgent_post", True),
    ]
