"""Chat in a real browser (Playwright, Debian's Chromium) against the real ASGI application
served by uvicorn in a thread (websockets included; pytest-django's live_server is WSGI only).

Two people chat: messages arrive without reload, 既読 updates, and after the server is
stopped and started again on the same port (every websocket cut), the conversation catches
up: the messages sent meanwhile appear exactly once, in seq order, with no gap.
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

from renrakucho.chat import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _occupations(transactional_db):
    from django.apps import apps

    importlib.import_module("renrakucho.accounts.migrations.0002_seed_occupations").seed(apps, None)


@pytest.fixture
def shared_connection(transactional_db, monkeypatch):
    """Every thread uses the test's database connection (the in-memory SQLite test database
    refuses concurrent writers on separate connections), as Django's live server does."""
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


class Server:
    """uvicorn serving the ASGI app (HTTP one request at a time, websockets) in a thread, on
    a port that survives stop() and start()."""

    def __init__(self, *, websockets: bool = True):
        from a2wsgi import WSGIMiddleware
        from channels.routing import ProtocolTypeRouter
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.wsgi import get_wsgi_application

        from renrakucho.asgi import application

        protocols = {"http": WSGIMiddleware(StaticFilesHandler(get_wsgi_application()), workers=1)}
        if websockets:
            protocols["websocket"] = application.application_mapping["websocket"]
        self.app = ProtocolTypeRouter(protocols)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = self.thread = None

    def start(self):
        import uvicorn

        self.server = uvicorn.Server(
            uvicorn.Config(
                self.app, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning"
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def server(shared_connection):
    running = Server()
    running.start()
    yield running
    if running.thread.is_alive():
        running.stop()


@pytest.fixture
def in_browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium is missing (.ci/run installs it)")
        pytest.skip("Debian chromium is not installed")

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
            return executor.submit(run, scenario).result(timeout=180)

    return in_thread


def signed_in_page(browser, base_url, client, refused):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page


def seqs(page) -> list[int]:
    return [
        int(value)
        for value in page.eval_on_selector_all(
            "#chat-messages .chat-msg", "items => items.map(item => item.dataset.seq)"
        )
    ]


def wait_for_seqs(page, expected: list[int], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if seqs(page) == expected:
            return
        time.sleep(0.1)
    assert seqs(page) == expected


def test_two_people_chat_live_and_catch_up_after_the_server_restarts(
    personas, client_for, server, in_browser
):
    conversation, _ = services.conversation_create(actor=personas.nurse, members=[personas.doctor])
    url = f"{server.url}/chat/{conversation.uuid}/"
    doctor_client = client_for(personas.doctor)
    nurse_client = client_for(personas.nurse)

    def send_while_down(body):
        # Through the service, from a thread without Playwright's event loop.
        def send():
            conversation.refresh_from_db()
            services.message_send(actor=personas.nurse, conversation=conversation, body=body)

        with ThreadPoolExecutor(max_workers=1) as executor:
            executor.submit(send).result(timeout=10)

    def scenario(browser):
        refused = []
        doctor = signed_in_page(browser, server.url, doctor_client, refused)
        nurse = signed_in_page(browser, server.url, nurse_client, refused)
        doctor.goto(url)
        nurse.goto(url)
        doctor.locator('#chat[data-realtime="open"]').wait_for()
        nurse.locator('#chat[data-realtime="open"]').wait_for()

        # The nurse sends; the doctor's open page shows it without reload, within a second.
        nurse.fill("#composer textarea[name=body]", "先生、明日の往診の時間を教えてください。")
        started = time.monotonic()
        nurse.click("#composer button[type=submit]")
        doctor.locator("#seq-1").get_by_text("明日の往診の時間").wait_for(timeout=5_000)
        assert time.monotonic() - started < 3
        # Her composer is empty again and her message is on her page once.
        wait_for_seqs(nurse, [1])
        assert nurse.input_value("#composer textarea[name=body]") == ""

        # The doctor's page read it: 既読 1 appears on the nurse's page by itself.
        nurse.locator("#seq-1 .chat-read").get_by_text("既読 1").wait_for(timeout=5_000)

        doctor.fill("#composer textarea[name=body]", "14時ごろ伺います。")
        doctor.click("#composer button[type=submit]")
        nurse.locator("#seq-2").get_by_text("14時ごろ伺います。").wait_for(timeout=5_000)
        doctor.locator("#seq-2 .chat-read").get_by_text("既読 1").wait_for(timeout=5_000)

        # The server goes away: every socket is cut.
        server.stop()
        doctor.locator('#chat[data-realtime="closed"]').wait_for()
        nurse.locator('#chat[data-realtime="closed"]').wait_for()
        for body in ("1件目（切断中）", "2件目（切断中）", "3件目（切断中）"):
            send_while_down(body)
        server.start()

        # Both pages catch up: 3, 4, 5 exactly once, in order, no gap.
        wait_for_seqs(doctor, [1, 2, 3, 4, 5])
        wait_for_seqs(nurse, [1, 2, 3, 4, 5])
        assert doctor.locator("#seq-5").inner_text().count("3件目（切断中）") == 1
        doctor.locator('#chat[data-realtime="open"]').wait_for(timeout=30_000)

        # Live again after the reconnection, still without duplicates.
        nurse.locator('#chat[data-realtime="open"]').wait_for(timeout=30_000)
        nurse.fill("#composer textarea[name=body]", "再接続後のメッセージです。")
        nurse.click("#composer button[type=submit]")
        doctor.locator("#seq-6").get_by_text("再接続後のメッセージです。").wait_for(timeout=5_000)
        wait_for_seqs(doctor, [1, 2, 3, 4, 5, 6])
        wait_for_seqs(nurse, [1, 2, 3, 4, 5, 6])
        nurse.locator("#seq-6 .chat-read").get_by_text("既読 1").wait_for(timeout=5_000)
        assert not refused, refused

    in_browser(scenario)


@pytest.fixture
def http_only_server(shared_connection):
    """The same, but refusing every websocket (as a proxy that does not pass them would)."""
    running = Server(websockets=False)
    running.start()
    yield running
    running.stop()


def test_without_websockets_the_page_polls_and_scrolls_back(
    personas, client_for, http_only_server, in_browser
):
    from .conftest import bulk_messages

    server = http_only_server
    conversation, _ = services.conversation_create(actor=personas.nurse, members=[personas.doctor])
    bulk_messages(conversation, [personas.nurse, personas.doctor], 45)
    url = f"{server.url}/chat/{conversation.uuid}/"
    doctor_client = client_for(personas.doctor)

    def send(body):
        def write():
            conversation.refresh_from_db()
            services.message_send(actor=personas.nurse, conversation=conversation, body=body)

        with ThreadPoolExecutor(max_workers=1) as executor:
            executor.submit(write).result(timeout=10)

    def scenario(browser):
        refused = []
        doctor = signed_in_page(browser, server.url, doctor_client, refused)
        doctor.goto(url)
        wait_for_seqs(doctor, list(range(16, 46)))
        # The socket is refused; the page says so and polls instead.
        doctor.locator("[data-chat-status]").get_by_text("接続が切れています").wait_for()
        send("ポーリングで届くメッセージ")
        send("もう1件")
        doctor.locator("#seq-47").get_by_text("もう1件").wait_for(timeout=10_000)
        wait_for_seqs(doctor, list(range(16, 48)))
        # Scrolling back to the top loads the earlier messages, once each, in order.
        doctor.locator("[data-chat-earlier]").scroll_into_view_if_needed()
        wait_for_seqs(doctor, list(range(1, 48)))
        assert doctor.locator("[data-chat-earlier]").count() == 0
        assert not refused, refused

    in_browser(scenario)
