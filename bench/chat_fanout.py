"""make bench, chat part: the time from sending a chat message to its delivery to 20 members.

Method: two uvicorn processes serve the ASGI application with the Redis channel layer
(REDIS_URL, a database of its own) over one database (a temporary SQLite file, or
`renrakucho_bench_chat` on PostgreSQL when DATABASE_URL is set). Twenty members of one group
conversation keep a websocket open to `/ws/chat/<uuid>/`, ten on each process; a twenty-first
member sends messages through the REST API of the first process
(`POST /api/v1/conversations/{id}/messages`), one at a time. A message counts as delivered
when the last of the twenty sockets has received its `message.created` nudge; the figure is
the time from just before the POST to that moment, so it includes the request (write, audit,
commit), Redis pub/sub across processes and the websocket hop, but not the fragment each page
then fetches (that is an ordinary page view, measured elsewhere).

Prints one JSON line: {"name": "chat_fanout", "rows": 20 (members), "p50_ms", "p95_ms",
"queries" (of one send, counted in process), "messages", "target_p95_ms", "p95_ok"}.

    .venv/bin/python bench/chat_fanout.py [--members 20] [--messages 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
REDIS_BENCH_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
TARGET_P95_MS = 100


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(tmp: Path, database_url: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "renrakucho.settings",
            "RENRAKUCHO_VAR_DIR": str(tmp),
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_BENCH_URL,
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
            "HUEY_IMMEDIATE": "true",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def setup_data(members: int) -> dict:
    """Runs inside this process with the servers' environment: users, a conversation, an API
    token for the sender and a session per member."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from renrakucho.accounts.services import api_token_issue
    from renrakucho.testing.personas import make_facility, make_network, make_user

    network = make_network("202096", "ベンチ町", "bench-chat")
    facility = make_facility(network, "ベンチ訪問看護ステーション", "visiting_nursing")
    sender = make_user("bench-sender", "送信 太郎", "ソウシン タロウ", "nurse", facility)
    readers = [
        make_user(f"bench-member-{i:02d}", f"受信 {i}", f"ジュシン {i}", "nurse", facility)
        for i in range(members)
    ]
    _, token = api_token_issue(user=sender, name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.post(
        "/api/v1/conversations",
        {"members": [str(user.uuid) for user in readers], "title": "ベンチ"},
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    conversation = response.json()["id"]
    with CaptureQueriesContext(connection) as queries:
        sent = api.post(
            f"/api/v1/conversations/{conversation}/messages",
            {"body": "計測の準備"},
            content_type="application/json",
        )
    assert sent.status_code in (200, 201), sent.content
    cookies = []
    for user in readers:
        browser = Client()
        browser.force_login(user, backend="renrakucho.accounts.backends.AffiliatedUserBackend")
        cookies.append(browser.cookies["sessionid"].value)
    return {
        "conversation": conversation,
        "token": token,
        "cookies": cookies,
        "send_queries": len(queries.captured_queries),
    }


def start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            PYTHON,
            "-m",
            "uvicorn",
            "renrakucho.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def wait_up(port: int, deadline: float = 30) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"uvicorn on port {port} did not start")


def post_message(port: int, conversation: str, token: str, body: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/conversations/{conversation}/messages",
        data=json.dumps({"body": body}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


async def measure(ports, data, messages: int) -> list[float]:
    import websockets

    conversation = data["conversation"]
    arrivals: dict[int, list[float]] = {}
    members = len(data["cookies"])
    done: dict[int, asyncio.Event] = {}

    async def listen(socket_, index):
        async for raw in socket_:
            message = json.loads(raw)
            if message.get("type") != "message.created":
                continue
            seq = message.get("seq")
            times = arrivals.setdefault(seq, [])
            times.append(time.perf_counter())
            if len(times) == members and seq in done:
                done[seq].set()

    sockets = []
    for index, cookie in enumerate(data["cookies"]):
        port = ports[index % 2]
        sockets.append(
            await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/chat/{conversation}/",
                additional_headers={"Cookie": f"sessionid={cookie}"},
                origin=f"http://127.0.0.1:{port}",
            )
        )
    listeners = [asyncio.create_task(listen(s, i)) for i, s in enumerate(sockets)]
    await asyncio.sleep(0.5)  # every consumer has joined its group
    latencies = []
    seq = 1  # the setup message
    for number in range(messages):
        seq += 1
        done[seq] = asyncio.Event()
        started = time.perf_counter()
        await asyncio.to_thread(post_message, ports[0], conversation, data["token"], f"{number}")
        try:
            await asyncio.wait_for(done[seq].wait(), timeout=10)
        except TimeoutError:
            raise SystemExit(f"message {seq} did not reach all {members} members in 10 s")
        latencies.append((max(arrivals[seq]) - started) * 1000)
    for task in listeners:
        task.cancel()
    for socket_ in sockets:
        await socket_.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()

    import redis

    try:
        redis.Redis.from_url(REDIS_BENCH_URL).flushdb()
    except redis.RedisError as error:
        print(json.dumps({"name": "chat_fanout", "error": f"Redis unreachable: {error}"}))
        return

    with tempfile.TemporaryDirectory(prefix="rk-bench-chat-") as tmp_name:
        tmp = Path(tmp_name)
        base = os.environ.get("DATABASE_URL", "")
        if base.startswith("postgres"):
            database_url = base.rsplit("/", 1)[0] + "/renrakucho_bench_chat"
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                            "renrakucho_bench_chat"], check=True)  # fmt: skip
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres",
                            "renrakucho_bench_chat"], check=True)  # fmt: skip
        else:
            database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        (tmp / "static").mkdir()  # STATIC_ROOT under the var dir: silences whitenoise
        env = server_env(tmp, database_url)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True
        )
        os.environ.update(env)
        data = setup_data(args.members)

        ports = [free_port(), free_port()]
        servers = [start_server(env, port, tmp / f"uvicorn-{port}.log") for port in ports]
        try:
            for port in ports:
                wait_up(port)
            latencies = asyncio.run(measure(ports, data, args.messages))
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(timeout=10)
        latencies.sort()
        p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
        print(
            json.dumps(
                {
                    "name": "chat_fanout",
                    "rows": args.members,
                    "p50_ms": round(statistics.median(latencies), 2),
                    "p95_ms": round(p95, 2),
                    "queries": data["send_queries"],
                    "messages": len(latencies),
                    "processes": 2,
                    "target_p95_ms": TARGET_P95_MS,
                    "p95_ok": p95 < TARGET_P95_MS,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
