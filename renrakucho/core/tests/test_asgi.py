"""The ASGI entry point `make run` and production serve (renrakucho.asgi:application):
HTTP reaches the Django app through a2wsgi's thread pool."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def asgi_get(path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    from renrakucho.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = []

    async def run():
        request_sent = False

        async def receive():
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.sleep(30)
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)

        await asyncio.wait_for(application(scope, receive, send), timeout=20)

    # A thread of its own: Playwright's sync API (browser tests, same session) keeps an event
    # loop running in the main thread, where asyncio.run() is refused.
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(asyncio.run, run()).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


def test_healthz_through_asgi():
    status, headers, body = asgi_get("/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}


def test_login_page_through_asgi_in_japanese():
    status, headers, body = asgi_get("/accounts/login/")
    assert status == 200
    assert "ログイン" in body.decode()
    assert b"content-security-policy" in {name.lower() for name in headers}
