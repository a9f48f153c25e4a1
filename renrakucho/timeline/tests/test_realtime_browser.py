"""Realtime in a real browser: static/js/realtime.js against the real ASGI application.

pytest-django's live_server speaks WSGI only (no websockets), so these tests serve
renrakucho.asgi's websocket stack and the WSGI app (with static files) through uvicorn in a
thread. Two browser contexts, signed in by session cookie: the doctor's open timeline shows
the nurse's new post without reload, and the nurse sees the doctor's read mark (既読) appear.
"""

from __future__ import annotations

import importlib
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _occupations(transactional_db):
    # A committing test ends with a flush, which also drops the occupations that migration
    # seeded; the personas need them.
    from django.apps import apps

    importlib.import_module("renrakucho.accounts.migrations.0002_seed_occupations").seed(apps, None)


@pytest.fixture
def shared_connection(transactional_db, monkeypatch):
    """Every thread uses the test's own database connection, as Django's live server does: the
    in-memory SQLite test database refuses concurrent writers on separate connections
    ("database table is locked"). HTTP requests are served one at a time (below), and the
    consumers touch the database only when a socket opens."""
    from django.db import connections
    from django.db.utils import ConnectionHandler

    connection = connections["default"]
    original = ConnectionHandler.__getitem__

    def same_connection(self, alias):
        return connection if alias == "default" else original(self, alias)

    connection.inc_thread_sharing()
    monkeypatch.setattr(ConnectionHandler, "__getitem__", same_connection)
    yield
    monkeypatch.undo()
    connection.dec_thread_sharing()


@pytest.fixture
def asgi_server(shared_connection):
    """The base URL of uvicorn serving the ASGI application in a thread."""
    import uvicorn
    from a2wsgi import WSGIMiddleware
    from channels.routing import ProtocolTypeRouter
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.wsgi import get_wsgi_application

    from renrakucho.asgi import application

    app = ProtocolTypeRouter(
        {
            "http": WSGIMiddleware(StaticFilesHandler(get_wsgi_application()), workers=1),
            "websocket": application.application_mapping["websocket"],
        }
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def in_browser():
    """in_browser(scenario) runs scenario(browser) with Chromium, in a thread of its own: the
    browser journeys (renrakucho/browser_tests) may hold Playwright's sync API, and its event
    loop, in the main thread for the whole session."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium is missing (.ci/run installs it)")
        pytest.skip("Debian chromium is not installed; `.ci/run` installs it")

    def run(scenario):
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                return scenario(browser)
            finally:
                browser.close()

    def in_thread(scenario):
        with ThreadPoolExecutor(max_workers=1) as executor:
            return executor.submit(run, scenario).result(timeout=120)

    return in_thread


def signed_in_page(browser, base_url, client):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_new_post_and_read_mark_appear_without_reload(
    personas, client_for, asgi_server, in_browser
):
    timeline = f"{asgi_server}/residents/{personas.resident.uuid}/timeline/"
    doctor_client = client_for(personas.doctor)
    nurse_client = client_for(personas.nurse)

    def scenario(browser):
        doctor = signed_in_page(browser, asgi_server, doctor_client)
        nurse = signed_in_page(browser, asgi_server, nurse_client)
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
        doctor.goto(f"{asgi_server}/posts/{post_uuid}/")
        nurse_meta.get_by_text("既読 1").wait_for(timeout=5_000)

    in_browser(scenario)


def _login(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "renrakucho-demo")
    page.click("button[type=submit]")
    page.wait_for_load_state()


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
    timeline = f"{asgi_server}/residents/{hanako.uuid}/timeline/"
    from renrakucho.testing.files import has_gps, jpeg_with_gps

    photo = tmp_path / "wound.jpg"  # as a phone writes it: with GPS coordinates in its EXIF
    photo.write_bytes(jpeg_with_gps((640, 480)))
    visited = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    body = "褥瘡は改善傾向。写真を添付します。"

    def scenario(browser):
        contexts = [
            browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
            for _ in range(2)
        ]
        doctor, nurse = (context.new_page() for context in contexts)
        refused = []  # what the Content-Security-Policy blocked (inline script or style)
        for page in (doctor, nurse):
            page.set_default_timeout(10_000)
            page.on(
                "console",
                lambda message: (
                    refused.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
        _login(doctor, asgi_server, "demo-doctor")
        doctor.goto(timeline)
        doctor.locator('#timeline-posts[data-realtime="open"]').wait_for()

        _login(nurse, asgi_server, "demo-nurse")
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
        doctor.goto(f"{asgi_server}/posts/{post_uuid}/")
        nurse_post.get_by_text("既読 1").wait_for(timeout=5_000)
        nurse_post.get_by_text("既読 1").click()
        nurse.wait_for_load_state()
        assert "宮坂 誠" in nurse.locator("#readers").inner_text()

        # The vitals graph has the new point as its latest SpO2 value.
        doctor.goto(f"{asgi_server}/residents/{hanako.uuid}/vitals/")
        spo2 = doctor.locator('figure.vitals-chart[data-vital="spo2"]')
        spo2.wait_for()
        assert spo2.get_attribute("data-latest") == "94"
        assert spo2.locator("canvas").count() == 1
        assert not refused, refused
        for context in contexts:
            context.close()
        return post_uuid

    post_uuid = in_browser(scenario)
    stored = Attachment.objects.get(post__uuid=post_uuid)
    assert stored.content_type == "image/jpeg"
    with stored.file.open("rb") as handle:
        assert not has_gps(handle.read())  # the location is gone
