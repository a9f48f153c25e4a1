"""Redis across two server processes: a message sent through uvicorn process 1 reaches a
websocket connected to uvicorn process 2 (channels-redis pub/sub, REDIS_URL).

Both processes serve `renrakucho.asgi:application` from the same SQLite file (WAL lets two
processes share it), migrated here in a temporary directory: the test database of pytest
lives in memory and cannot be shared across processes. Redis database 14 is this test's own.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REDIS_URL = "redis://127.0.0.1:6379/14"
ROOT = Path(__file__).resolve().parents[3]

SETUP = """
import json
import django
django.setup()
from django.test import Client
from renrakucho.accounts.models import ApiToken
from renrakucho.chat import services
from renrakucho.testing.personas import make_personas

personas = make_personas()
conversation, _ = services.conversation_create(actor=personas.nurse, members=[personas.doctor])
_, token = ApiToken.issue(user=personas.nurse)
client = Client()
client.force_login(personas.doctor, backend="renrakucho.accounts.backends.AffiliatedUserBackend")
print(json.dumps({
    "conversation": str(conversation.uuid),
    "token": token,
    "session": client.cookies["sessionid"].value,
}))
"""


def _redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
    except redis.exceptions.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running at 127.0.0.1:6379")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    return client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode(errors="replace")[-2000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"uvicorn on {port} did not start")


@pytest.fixture
def servers(tmp_path):
    """(environment data, port 1, port 2): two uvicorn processes on one migrated database."""
    redis_client = _redis_or_skip()
    redis_client.flushdb()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        RENRAKUCHO_VAR_DIR=str(tmp_path),
        REDIS_URL=REDIS_URL,
        SECRET_KEY="two-processes-test-key-0123456789abcdef",
        DJANGO_SETTINGS_MODULE="renrakucho.settings",
        HUEY_IMMEDIATE="1",
        DEBUG="0",
    )
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    setup = subprocess.run(
        [python, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
    )
    data = json.loads(setup.stdout.decode().strip().splitlines()[-1])
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [
                python,
                "-m",
                "uvicorn",
                "renrakucho.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_until_up(port, process)
        yield data, ports[0], ports[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        redis_client.flushdb()


def test_message_sent_through_process_1_reaches_a_socket_on_process_2(servers):
    from websockets.sync.client import connect

    data, first, second = servers
    conversation = data["conversation"]
    with connect(
        f"ws://127.0.0.1:{second}/ws/chat/{conversation}/",
        additional_headers={
            "Cookie": f"sessionid={data['session']}",
            "Origin": f"http://127.0.0.1:{second}",
        },
        open_timeout=10,
    ) as websocket:
        request = urllib.request.Request(
            f"http://127.0.0.1:{first}/api/v1/conversations/{conversation}/messages",
            data=json.dumps({"body": "プロセス1から送りました"}).encode(),
            headers={
                "Authorization": f"Bearer {data['token']}",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        sent_at = time.monotonic()
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
            assert json.loads(response.read())["seq"] == 1
        nudge = json.loads(websocket.recv(timeout=5))
        elapsed = time.monotonic() - sent_at
    assert nudge == {"type": "message.created", "id": conversation, "seq": 1}
    assert elapsed < 5
    # And the doctor's page on process 2 fetches it through the ordinary view.
    fragment = urllib.request.Request(
        f"http://127.0.0.1:{second}/chat/{conversation}/messages/?after_seq=0",
        headers={"Cookie": f"sessionid={data['session']}"},
    )
    with urllib.request.urlopen(fragment, timeout=10) as response:
        assert "プロセス1から送りました" in response.read().decode()
