"""The timeline pages: what they show (in Japanese), the composer, edit/history/retract,
attachments served safely, vitals graphs data, print, and their audit rows."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from renrakucho.audit.models import Action, AuditEvent
from renrakucho.notifications.models import Notification
from renrakucho.testing.files import jpeg_with_gps, mp4_bytes, pdf_bytes, upload
from renrakucho.timeline import services
from renrakucho.timeline.models import Attachment, Post, PostVersion


def timeline_url(personas, **query):
    url = reverse("timeline:timeline", kwargs={"resident_uuid": personas.resident.uuid})
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def post_url(name, post):
    return reverse(f"timeline:{name}", kwargs={"post_uuid": post.uuid})


def make(personas, access_for, author=None, **fields):
    author = author or personas.nurse
    defaults = {"kind": "message", "body": "様子に変わりありません。", "visibility": "team",
                "urgent": False}  # fmt: skip
    return services.post_create(actor=author, access=access_for(author), **{**defaults, **fields})


def views_of(action=Action.POST_VIEW):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- The timeline page --------------------------------------------------------------------


def test_timeline_shows_header_composer_and_posts(personas, access_for, client_for, media_root):
    visit = make(
        personas, access_for, kind="visit", body="訪問しました。\n食欲あり。",
        visited_at=timezone.now() - datetime.timedelta(hours=1),
        vitals={"systolic": "185", "diastolic": "90", "temperature": "36.6"},
        files=[upload("傷.jpg", jpeg_with_gps(), "image/jpeg"), upload("指示書.pdf", pdf_bytes())],
    )  # fmt: skip
    urgent = make(
        personas, access_for, author=personas.doctor, body="至急連絡ください", urgent=True
    )
    response = client_for(personas.caremanager).get(timeline_url(personas))
    assert response.status_code == 200
    html = response.content.decode()
    # Header: name, kana, age.
    assert "山田 花子" in html and "ヤマダ ハナコ" in html
    assert f"{personas.resident.age}歳" in html
    # Composer (multipart, with vitals and files), Japanese labels.
    assert 'enctype="multipart/form-data"' in html and "記事を書く" in html
    assert "体温（℃）" in html and 'name="files"' in html and "multiple" in html
    # The care manager is not medical staff: no medical-only choice.
    assert 'value="medical"' not in html
    # Posts newest first, author with kana and occupation, kind badge, time, urgent badge.
    assert html.index(f'id="post-{urgent.uuid}"') < html.index(f'id="post-{visit.uuid}"')
    assert "看護 花子" in html and "カンゴ ハナコ" in html and "看護師" in html
    assert "訪問記録" in html and "緊急" in html
    assert "訪問しました。<br>食欲あり。" in html
    assert "収縮期血圧" in html and "185" in html and "基準値外" in html and "36.6" in html
    photo, pdf = visit.attachments.order_by("id")
    assert reverse("timeline:attachment_thumbnail", args=[photo.uuid]) in html
    assert reverse("timeline:attachment", args=[pdf.uuid]) in html
    assert "PDFをダウンロード" in html
    assert f"/meetings/new/?resident={personas.resident.uuid}" in html  # a team member
    # Nothing the CSP refuses: no inline script or style attribute.
    assert "<script>" not in html and ' style="' not in html
    # One audit row naming the posts shown.
    (event,) = views_of()
    assert event.actor == personas.caremanager and event.resident_uuid == personas.resident.uuid
    assert event.detail["posts"] == [str(urgent.uuid), str(visit.uuid)]


def test_timeline_pages_by_keyset_with_htmx_more(personas, access_for, client_for, bulk_posts):
    posts = bulk_posts(25)
    client = client_for(personas.nurse)
    html = client.get(timeline_url(personas)).content.decode()
    newest = sorted(posts, key=lambda p: p.pk, reverse=True)
    assert html.count('<article class="post') == 20
    cursor = str(newest[19].uuid)
    assert f"?before={cursor}" in html and "さらに表示" in html
    # Without JavaScript the link opens the next page…
    page2 = client.get(timeline_url(personas, before=cursor)).content.decode()
    assert (
        page2.count('<article class="post') == 5
        and "<html" in page2
        and "最新の記事に戻る" in page2
    )
    # …with htmx only the next posts come back.
    fragment = client.get(timeline_url(personas, before=cursor), HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body and body.count('<article class="post') == 5
    assert f'id="post-{newest[24].uuid}"' in body and "さらに表示" not in body
    assert views_of()[-1].detail["posts"] == [str(p.uuid) for p in newest[20:]]
    # Only the first page follows new posts live (static/js/realtime.js).
    assert f'data-realtime-timeline="/ws/residents/{personas.resident.uuid}/"' in html
    assert (
        'data-post-fragment-url="/posts/00000000-0000-0000-0000-000000000000/?fragment=1"' in html
    )
    assert "data-realtime-timeline" not in page2


def test_operator_reads_without_composer_and_no_medical_posts(personas, access_for, client_for):
    make(personas, access_for, author=personas.doctor, visibility="medical", body="医療のみ")
    make(personas, access_for, body="チーム向け")
    html = client_for(personas.operator_a).get(timeline_url(personas)).content.decode()
    assert "記事を書く" not in html and "チーム向け" in html and "医療のみ" not in html
    assert "会議を予定する" not in html  # a team's meeting is for its members
    html = client_for(personas.doctor).get(timeline_url(personas)).content.decode()
    assert "医療のみ" in html and "医療・看護職のみ" in html


def test_posting_from_the_composer(personas, client_for, media_root):
    client = client_for(personas.nurse)
    response = client.post(
        timeline_url(personas),
        {
            "kind": "visit",
            "body": "訪問。入浴介助。",
            "visited_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "temperature": "36.8",
            "spo2": "88",
            "visibility": "medical",
            "files": [upload("a.jpg", jpeg_with_gps()), upload("clip.mp4", mp4_bytes())],
        },
    )
    assert response.status_code == 302 and response["Location"] == timeline_url(personas)
    post = Post.objects.get()
    assert post.kind == "visit" and post.visibility == "medical" and post.visited_at
    assert post.vitals.abnormal == ["spo2"] and post.attachments.count() == 2
    assert AuditEvent.objects.filter(action=Action.POST_CREATE).count() == 1
    # Medical post with an abnormal value: only the doctor is told.
    assert [(n.user, n.kind) for n in Notification.objects.all()] == [
        (personas.doctor, "abnormal_vitals")
    ]
    html = client.get(timeline_url(personas)).content.decode()
    assert "記事を投稿しました。" in html


def test_composer_errors_are_japanese_keep_input_and_save_nothing(personas, client_for, media_root):
    client = client_for(personas.nurse)
    response = client.post(
        timeline_url(personas),
        {"kind": "visit", "body": "熱が高い", "temperature": "60", "pulse": "abc",
         "visibility": "team", "files": [upload("x.jpg", b"<html><script></script></html>")]},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "体温は30.0〜45.0℃の範囲で入力してください。" in html
    assert "脈拍は数値で入力してください。" in html
    assert "入力内容に誤りがあります。" in html
    assert "熱が高い</textarea>" in html and 'value="60"' in html
    assert not Post.objects.exists() and not Attachment.objects.exists()
    response = client.post(
        timeline_url(personas),
        {"kind": "visit", "body": "訪問", "visibility": "team",
         "files": [upload("x.jpg", b"<html><script></script></html>")]},
    )  # fmt: skip
    html = response.content.decode()
    assert "訪問記録には訪問日時を入力してください。" in html
    assert "1件目のファイル: JPEG、PNG、HEIC、MP4、MOV、PDF 形式のファイルのみ" in html
    assert not Post.objects.exists()


# --- One post ----------------------------------------------------------------------------


def test_post_page_and_fragment(personas, access_for, client_for):
    post = make(personas, access_for, vitals={"spo2": "97"})
    client = client_for(personas.doctor)
    page = client.get(post_url("post_detail", post)).content.decode()
    assert "<html" in page and "タイムラインに戻る" in page and "SpO2" in page
    for kwargs in ({"HTTP_HX_REQUEST": "true"}, {"data": {"fragment": "1"}}):
        fragment = client.get(post_url("post_detail", post), **kwargs).content.decode()
        assert "<html" not in fragment and f'id="post-{post.uuid}"' in fragment
    events = views_of()
    assert len(events) == 3 and {e.target_id for e in events} == {str(post.uuid)}
    # The doctor may neither edit nor retract the nurse's post: no links.
    assert post_url("post_edit", post) not in page and post_url("post_retract", post) not in page
    mine = client_for(personas.nurse).get(post_url("post_detail", post)).content.decode()
    assert post_url("post_edit", post) in mine and post_url("post_retract", post) in mine


def test_the_timeline_page_marks_what_it_shows_read_and_a_fragment_does_not(
    personas, access_for, client_for
):
    from renrakucho.timeline.models import ReadReceipt

    shown = make(personas, access_for, body="夕方の訪問で食事量が半分でした。")
    client = client_for(personas.doctor)
    client.get(post_url("post_detail", shown), HTTP_HX_REQUEST="true")
    assert not ReadReceipt.objects.filter(user=personas.doctor).exists()
    client.get(reverse("timeline:timeline", args=[personas.resident.uuid]))
    assert ReadReceipt.objects.filter(user=personas.doctor, post=shown).exists()
    # The author's own posts are not "read" by them.
    client_for(personas.nurse).get(reverse("timeline:timeline", args=[personas.resident.uuid]))
    assert not ReadReceipt.objects.filter(user=personas.nurse).exists()


def test_edit_keeps_history(personas, access_for, client_for):
    post = make(personas, access_for, kind="vitals", body="朝", vitals={"temperature": "37.0"})
    client = client_for(personas.nurse)
    form = client.get(post_url("post_edit", post)).content.decode()
    assert "\n朝</textarea>" in form and 'value="37.0"' in form and "記事の編集" in form
    response = client.post(
        post_url("post_edit", post),
        {"kind": "vitals", "body": "朝の検温", "temperature": "37.2", "visibility": "team"},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.version == 2 and post.body == "朝の検温"
    html = client.get(timeline_url(personas)).content.decode()
    assert "編集済み" in html and post_url("post_history", post) in html
    history = client.get(post_url("post_history", post)).content.decode()
    assert "編集履歴" in history and "第1版" in history and "37.2" in history
    old = history[history.index("以前の版") :]
    assert "朝" in old and "37.0" in old and "看護 花子" in old
    assert PostVersion.objects.get(post=post).body == "朝"
    # A bad edit keeps the form and changes nothing.
    response = client.post(
        post_url("post_edit", post),
        {"kind": "vitals", "body": "x", "temperature": "60", "visibility": "team"},
    )
    assert "体温は30.0〜45.0℃の範囲で入力してください。" in response.content.decode()
    post.refresh_from_db()
    assert post.version == 2


def test_retraction_leaves_a_marker_and_stops_serving_files(
    personas, access_for, client_for, media_root
):
    post = make(personas, access_for, body="誤って投稿", files=[upload("a.jpg", jpeg_with_gps())])
    photo = post.attachments.get()
    lead = client_for(personas.caremanager)
    page = lead.get(post_url("post_retract", post)).content.decode()
    assert "記事の取り消し" in page and "取り消しの理由" in page
    response = lead.post(post_url("post_retract", post), {"reason": ""})
    assert "取り消しの理由を入力してください。" in response.content.decode()
    response = lead.post(post_url("post_retract", post), {"reason": "別の方の記録のため"})
    assert response.status_code == 302 and response["Location"] == timeline_url(personas)
    html = client_for(personas.nurse).get(timeline_url(personas)).content.decode()
    assert "この記事は取り消されました（理由: 別の方の記録のため）" in html
    assert "誤って投稿" not in html
    assert reverse("timeline:attachment", args=[photo.uuid]) not in html
    for name in ("attachment", "attachment_thumbnail"):
        url = reverse(f"timeline:{name}", args=[photo.uuid])
        assert client_for(personas.nurse).get(url).status_code == 404
    assert Attachment.objects.filter(pk=photo.pk).exists()  # kept, not served
    again = client_for(personas.nurse).get(post_url("post_retract", post), follow=True)
    assert "この記事は既に取り消されています。" in again.content.decode()
    edit = client_for(personas.nurse).get(post_url("post_edit", post), follow=True)
    assert "取り消された記事は編集できません。" in edit.content.decode()


# --- Attachments ---------------------------------------------------------------------------


def test_downloads_are_attachments_with_nosniff_and_sandbox(
    personas, access_for, client_for, media_root
):
    post = make(
        personas, access_for,
        files=[upload("褥瘡.jpg", jpeg_with_gps()), upload("clip.mp4", mp4_bytes()),
               upload("指示書.pdf", pdf_bytes())],
    )  # fmt: skip
    photo, video, pdf = post.attachments.order_by("id")
    client = client_for(personas.doctor)
    for attachment, content_type in (
        (photo, "image/jpeg"), (video, "video/mp4"), (pdf, "application/pdf"),
    ):  # fmt: skip
        response = client.get(reverse("timeline:attachment", args=[attachment.uuid]))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("attachment;")
        assert "褥瘡" not in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        data = b"".join(response.streaming_content)
        if attachment is photo:
            with Image.open(io.BytesIO(data)) as image:
                assert not image.getexif()
    events = views_of(Action.ATTACHMENT_VIEW)
    assert [e.target_id for e in events] == [str(a.uuid) for a in (photo, video, pdf)]
    assert all(e.detail["post"] == str(post.uuid) for e in events)
    # Previews: photos and PDFs inline as JPEG; none for videos.
    for attachment in (photo, pdf):
        response = client.get(reverse("timeline:attachment_thumbnail", args=[attachment.uuid]))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "attachment" not in response.get("Content-Disposition", "")
    missing = client.get(reverse("timeline:attachment_thumbnail", args=[video.uuid]))
    assert missing.status_code == 404


# --- Vitals ----------------------------------------------------------------------------------


def test_vitals_page_table_and_json(personas, access_for, client_for):
    make(personas, access_for, kind="vitals", body="", vitals={"systolic": "120", "spo2": "96"})
    make(personas, access_for, kind="vitals", body="", vitals={"systolic": "190", "pulse": "70"})
    make(personas, access_for, author=personas.doctor, kind="vitals", body="",
         visibility="medical", vitals={"systolic": "150"})  # fmt: skip
    retracted = make(personas, access_for, kind="vitals", body="", vitals={"systolic": "99"})
    services.post_retract(actor=personas.nurse, access=access_for(personas.nurse),
                          post=retracted, reason="誤り")  # fmt: skip
    client = client_for(personas.caremanager)  # not medical staff
    html = client.get(reverse("timeline:vitals", args=[personas.resident.uuid])).content.decode()
    assert "バイタルの推移" in html and "data-vitals-url=" in html
    assert "vitals.js" in html and "uPlot.iife.min.js" in html and "<script>" not in html
    assert "190" in html and "基準値外" in html and "150" not in html
    data = client.get(reverse("timeline:vitals_json", args=[personas.resident.uuid])).json()
    charts = {chart["key"]: chart for chart in data["vitals"]}
    assert set(charts) == {"systolic", "spo2", "pulse"}
    assert charts["systolic"]["v"] == [120.0, 190.0]  # not the medical 150 nor the retracted 99
    assert charts["systolic"]["low"] == 90.0 and charts["systolic"]["high"] == 180.0
    assert charts["systolic"]["unit"] == "mmHg" and charts["systolic"]["label"] == "収縮期血圧"
    assert len(charts["systolic"]["t"]) == 2 and charts["spo2"]["high"] is None
    assert [e.detail["view"] for e in views_of()] == ["vitals", "vitals.json"]
    doctor = client_for(personas.doctor).get(
        reverse("timeline:vitals_json", args=[personas.resident.uuid])
    )
    assert {c["key"]: c for c in doctor.json()["vitals"]}["systolic"]["v"] == [120.0, 190.0, 150.0]


# --- Print ---------------------------------------------------------------------------------


def test_print_a_period(personas, access_for, client_for):
    old = make(personas, access_for, body="先月の記録")
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    make(personas, access_for, body="今日の記録", vitals={"spo2": "85"})
    url = reverse("timeline:print", args=[personas.resident.uuid])
    client = client_for(personas.doctor)
    html = client.get(url).content.decode()
    assert "支援経過記録" in html and "今日の記録" in html and "先月の記録" not in html
    assert "山田 花子" in html and "ヤマダ ハナコ" in html and "基準値外" in html
    today = timezone.localdate()
    wide = client.get(url, {"from": (today - datetime.timedelta(days=60)).isoformat(),
                            "to": today.isoformat()}).content.decode()  # fmt: skip
    assert "先月の記録" in wide and wide.index("先月の記録") < wide.index("今日の記録")
    events = views_of(Action.TIMELINE_PRINT)
    assert len(events) == 2 and events[1].detail["start"] == str(
        today - datetime.timedelta(days=60)
    )
    assert events[1].detail["posts"] == [str(old.uuid), str(Post.objects.latest("id").uuid)]
    bad = client.get(url, {"from": today.isoformat(), "to": "2020-01-01"}).content.decode()
    assert "終了日は開始日以降の日付にしてください。" in bad
    bad = client.get(url, {"from": "昨日"}).content.decode()
    assert "開始日を正しく入力してください。" in bad
    assert len(views_of(Action.TIMELINE_PRINT)) == 2  # nothing shown, nothing logged


def test_print_stylesheet_hides_the_screen_parts():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[3] / "static" / "css" / "app.css").read_text()
    assert "@media print" in css and ".no-print" in css


# --- The resident card ------------------------------------------------------------------


def test_resident_card_links_to_the_timeline(personas, client_for):
    html = (
        client_for(personas.doctor)
        .get(reverse("residents:detail", args=[personas.resident.uuid]))
        .content.decode()
    )
    assert timeline_url(personas) in html and "タイムライン" in html


@pytest.mark.parametrize("language", ["ja"])
def test_pages_are_japanese(personas, access_for, client_for, language):
    post = make(personas, access_for)
    client = client_for(personas.nurse)
    for url, text in (
        (timeline_url(personas), "投稿する"),
        (post_url("post_detail", post), "タイムラインに戻る"),
        (post_url("post_edit", post), "更新する"),
        (post_url("post_history", post), "この記事は編集されていません。"),
        (post_url("post_retract", post), "取り消す"),
        (reverse("timeline:print", args=[personas.resident.uuid]), "期間を表示"),
    ):
        response = client.get(url)
        assert response.status_code == 200 and text in response.content.decode(), url
