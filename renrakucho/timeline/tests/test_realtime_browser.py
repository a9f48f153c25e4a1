"""Realtime in a real browser: static/js/realtime.js against the real ASGI application.

pytest-django's live_server speaks WSGI only (no websockets), so these tests serve
renrakucho.asgi's websocket stack and the WSGI app (with static files) through uvicorn in a
thread (`asgi_server`, renrakucho/testing/browser.py). Two browser contexts, signed in by session cookie: the doctor's open timeline shows
the nurse's new post without reload, and the nurse sees the doctor's read mark (既読) appear.
"""

from __future__ import annotations

import pytest

from renrakucho.testing.browser import csp_refusals, log_in, new_page, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_post_and_read_mark_appear_without_reload(personas, asgi_server, in_browser):
    base = asgi_server.url
    timeline = f"{base}/residents/{personas.resident.uuid}/timeline/"

    def scenario(browser):
        doctor = signed_in_page(browser, base, personas.doctor)
        nurse = signed_in_page(browser, base, personas.nurse)
        refused = csp_refusals(doctor, nurse)
        doctor.goto(timeline)
        # realtime.js marks the container once the server accepted the socket (group joined).
        doctor.locator('#timeline-posts[data-realtime="open"]').wait_for()

        nurse.goto(timeline)
        nurse.select_option("select[name=kind]", "message")
        nurse.fill("textarea[name=body]", "夕方の訪問で食事量が半分でした。")
        nurse.click("section.composer button[type=submit]")
        nurse.wait_for_load_state()

        # Appears on the doctor's page without reload, newest first.
        first = doctor.locator("#timeline-posts article.post").first
        first.get_by_text("夕方の訪問で食事量が半分でした。").wait_for(timeout=5_000)
        post_uuid = first.get_attribute("data-post")
        # And the doctor's notification badge counts it.
        doctor.locator("#nav-notifications-badge:not([hidden])").wait_for(timeout=5_000)

        # The doctor opens the post (marks it read); the nurse's page shows 既読 1 by itself.
        nurse.locator('#timeline-posts[data-realtime="open"]').wait_for()
        nurse_meta = nurse.locator(f"#post-{post_uuid} .post-meta")
        assert "既読 0" in nurse_meta.inner_text()
        doctor.goto(f"{base}/posts/{post_uuid}/")
        nurse_meta.get_by_text("既読 1").wait_for(timeout=5_000)
        assert not refused, refused

    in_browser(scenario)


def test_demo_nurse_visit_report_reaches_demo_doctor_live(
    asgi_server, in_browser, media_root, tmp_path
):
    """The issue's journey on the demo data: demo-nurse posts a visit report with a photo and
    vitals on 山田 花子's timeline; demo-doctor's open timeline shows it without reload; he
    opens it and the nurse's page shows 既読 by him; the vitals graph has the new point."""
    from django.core.management import call_command
    from django.utils import timezone

    from renrakucho.residents.models import Resident
    from renrakucho.timeline.models import Attachment

    call_command("seed_demo", verbosity=0)
    hanako = Resident.objects.get(name="山田 花子")
    base = asgi_server.url
    timeline = f"{base}/residents/{hanako.uuid}/timeline/"
    from renrakucho.testing.files import has_gps, jpeg_with_gps

    photo = tmp_path / "wound.jpg"  # as a phone writes it: with GPS coordinates in its EXIF
    photo.write_bytes(jpeg_with_gps((640, 480)))
    visited = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    body = "褥瘡は改善傾向。写真を添付します。"

    def scenario(browser):
        doctor, nurse = new_page(browser), new_page(browser)
        refused = csp_refusals(doctor, nurse)  # inline script or style would be refused
        log_in(doctor, base, "demo-doctor")
        doctor.goto(timeline)
        doctor.locator('#timeline-posts[data-realtime="open"]').wait_for()

        log_in(nurse, base, "demo-nurse")
        nurse.goto(timeline)
        nurse.select_option("select[name=kind]", "visit")
        nurse.fill("textarea[name=body]", body)
        nurse.fill("input[name=visited_at]", visited)
        nurse.click("details.vitals-fields summary")
        nurse.fill("input[name=systolic]", "132")
        nurse.fill("input[name=diastolic]", "78")
        nurse.fill("input[name=temperature]", "36.8")
        nurse.fill("input[name=spo2]", "94")
        nurse.set_input_files("input[name=files]", str(photo))
        nurse.click("section.composer button[type=submit]")
        nurse.wait_for_load_state()
        assert "記事を投稿しました。" in nurse.content()

        # The doctor's page shows it without reload, newest first, with the photo and vitals.
        first = doctor.locator("#timeline-posts article.post").first
        first.get_by_text(body).wait_for(timeout=5_000)
        post_uuid = first.get_attribute("data-post")
        assert first.locator("img").count() >= 1
        assert "94" in first.inner_text()

        # He opens it; the nurse's open timeline shows 既読 1 by itself, and the readers are him.
        nurse.locator('#timeline-posts[data-realtime="open"]').wait_for()
        nurse_post = nurse.locator(f"#post-{post_uuid}")
        assert "既読 0" in nurse_post.inner_text()
        doctor.goto(f"{base}/posts/{post_uuid}/")
        nurse_post.get_by_text("既読 1").wait_for(timeout=5_000)
        nurse_post.get_by_text("既読 1").click()
        nurse.wait_for_load_state()
        assert "宮坂 誠" in nurse.locator("#readers").inner_text()

        # The vitals graph has the new point as its latest SpO2 value.
        doctor.goto(f"{base}/residents/{hanako.uuid}/vitals/")
        spo2 = doctor.locator('figure.vitals-chart[data-vital="spo2"]')
        spo2.wait_for()
        assert spo2.get_attribute("data-latest") == "94"
        assert spo2.locator("canvas").count() == 1
        assert not refused, refused
        for page in (doctor, nurse):
            page.context.close()
        return post_uuid

    post_uuid = in_browser(scenario)
    stored = Attachment.objects.get(post__uuid=post_uuid)
    assert stored.content_type == "image/jpeg"
    with stored.file.open("rb") as handle:
        assert not has_gps(handle.read())  # the location is gone
