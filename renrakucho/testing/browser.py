"""Real-browser test support: a pytest plugin, registered by renrakucho/conftest.py.

Playwright for Python drives Debian's Chromium (/usr/bin/chromium). Two ways to serve the site:

- pytest-django's `live_server` (WSGI only), as renrakucho/browser_tests does with a
  session-held `browser` in the main thread;
- `asgi_server`: uvicorn serving the ASGI application (websockets included) in a thread, on
  one port that survives `stop()` and `start()`.

`in_browser(scenario)` runs `scenario(browser)` with a Chromium of its own in a thread of its
own, so it coexists with a sync Playwright already held by the main thread. Inside a scenario
the ORM refuses to run (Playwright's event loop runs in that thread): prepare data and sign-ins
before, or in another thread.

Every browser test records the Content-Security-Policy refusals (`csp_refusals(page)`) and
asserts there were none: the CSP refuses inline scripts and styles.
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

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"locale": "ja-JP", "viewport": {"width": 390, "height": 844}}
DEMO_PASSWORD = "renrakucho-demo"


def require_chromium() -> None:
    """Skip the test where Debian's chromium is missing; in CI (CI=true) fail instead."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing (.ci/run installs it)")
    pytest.skip("Debian chromium is not installed; `.ci/run` installs it")


def launch_chromium(playwright):
    """Headless Debian Chromium through a started sync Playwright."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
    )


def new_page(browser, **context_options):
    """A page in a new phone-sized, Japanese context (options override PHONE)."""
    context = browser.new_context(**{**PHONE, **context_options})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def signed_in_page(browser, base_url, who, **context_options):
    """new_page() carrying the session of `who`: a signed-in Django test client, or a user
    (signed in here, in a thread without Playwright's event loop)."""
    page = new_page(browser, **context_options)
    page.context.add_cookies([{"name": "sessionid", "value": _session_key(who), "url": base_url}])
    return page


def log_in(page, base_url, username, password=DEMO_PASSWORD):
    """Signs in through the login form (the demo users' password by default)."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def csp_refusals(*pages) -> list[str]:
    """The list, filled as it happens, of what the Content-Security-Policy refused on these
    pages (Chromium says so on the console). Assert it stays empty."""
    refused: list[str] = []

    def record(message):
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    for page in pages:
        page.on("console", record)
    return refused


def outside_the_browser(work, *args, **kwargs):
    """work(*args, **kwargs) in a thread of its own, for database work inside a scenario: the
    ORM refuses to run in the thread of Playwright's event loop."""

    def run():
        from django.db import connections

        try:
            return work(*args, **kwargs)
        finally:
            connection = connections["default"]
            if not connection.allow_thread_sharing:  # this thread's own connection
                connection.close()

    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(run).result(timeout=30)


def _session_key(who) -> str:
    from django.test import Client

    if isinstance(who, Client):
        return who.cookies["sessionid"].value

    def sign_in():
        client = Client()
        client.force_login(who, backend="renrakucho.accounts.backends.AffiliatedUserBackend")
        return client.cookies["sessionid"].value

    return outside_the_browser(sign_in)


@pytest.fixture
def in_browser():
    """in_browser(scenario, timeout=180) -> scenario(browser), with Chromium in a thread of
    its own (renrakucho/browser_tests may hold Playwright's sync API, and its event loop, in
    the main thread for the whole session)."""
    require_chromium()

    def run(scenario):
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                return scenario(browser)
            finally:
                browser.close()

    def in_thread(scenario, *, timeout: float = 180):
        with ThreadPoolExecutor(max_workers=1) as executor:
            return executor.submit(run, scenario).result(timeout=timeout)

    return in_thread


@pytest.fixture
def reseed_occupations(transactional_db):
    """A committing test ends with a flush, which also drops the occupations that migration
    seeded; the personas need them back."""
    from django.apps import apps

    importlib.import_module("renrakucho.accounts.migrations.0002_seed_occupations").seed(apps, None)


@pytest.fixture(autouse=True)
def _reseed_occupations_for_browser_tests(request):
    """reseed_occupations for every test marked `browser` on a transactional database (the
    same reading of the marks and fixtures as pytest-django's)."""
    if request.node.get_closest_marker("browser") is None:
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("reseed_occupations")


@pytest.fixture
def shared_connection(transactional_db, monkeypatch):
    """On SQLite, every thread uses the test's own database connection, as Django's live
    server does: the in-memory test database refuses concurrent writers on separate
    connections ("database table is locked"). HTTP requests are served one at a time
    (AsgiServer), and the consumers touch the database only when a socket opens.

    PostgreSQL takes concurrent connections: there each thread keeps its own (closed at the end
    of each request, CONN_MAX_AGE=0), since one connection shared by the HTTP worker and a
    consumer's thread would interleave their transactions (a request failing with "can't
    change 'autocommit' now", the flush after the test with "pending trigger events")."""
    from django.db import connections
    from django.db.utils import ConnectionHandler

    connection = connections["default"]
    if connection.vendor != "sqlite":
        yield
        return
    original = ConnectionHandler.__getitem__

    def same_connection(self, alias):
        return connection if alias == "default" else original(self, alias)

    connection.inc_thread_sharing()
    monkeypatch.setattr(ConnectionHandler, "__getitem__", same_connection)
    yield
    monkeypatch.undo()
    connection.dec_thread_sharing()


class AsgiServer:
    """uvicorn serving the ASGI application in a thread: HTTP through the WSGI app with static
    files (one request at a time), and websockets unless `websockets=False` (as a proxy that
    does not pass them). The port survives stop() and start(): pages reconnect to it."""

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

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self) -> None:
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

    def stop(self) -> None:
        """Stops serving; every websocket is cut."""
        if self.running:
            self.server.should_exit = True
            self.thread.join(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def asgi_server_factory(shared_connection):
    """asgi_server_factory(websockets=True) -> a started AsgiServer, stopped after the test."""
    servers: list[AsgiServer] = []

    def make(*, websockets: bool = True) -> AsgiServer:
        server = AsgiServer(websockets=websockets)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def asgi_server(asgi_server_factory) -> AsgiServer:
    """A started AsgiServer with websockets (its base URL: `asgi_server.url`)."""
    return asgi_server_factory()
