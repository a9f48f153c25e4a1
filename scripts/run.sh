#!/usr/bin/env bash
# make run: migrate, load the demo data (idempotent), collect static files, then serve
# http://$HOST:$PORT/ (uvicorn, ASGI) and run the task consumer (huey) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py seed_demo
"$BIN/python" manage.py collectstatic --noinput --verbosity 0

pids=()
stop() {
    trap - INT TERM EXIT
    if [ "${#pids[@]}" -gt 0 ]; then
        echo
        echo "== stopping (web server and task consumer)"
        kill -TERM "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

"$BIN/uvicorn" renrakucho.asgi:application --host "$HOST" --port "$PORT" &
pids+=($!)
"$BIN/python" manage.py run_huey &
pids+=($!)

# Announce once the server answers, so the logins are the last thing on the screen.
for _ in $(seq 1 100); do
    if "$BIN/python" - "http://$HOST:$PORT/healthz" <<'PY' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=1).read()
PY
        break
    fi
    sleep 0.2
done

"$BIN/python" - "http://$HOST:$PORT/" <<'PY'
import sys

from renrakucho.demo.data import DEMO_LOGINS, PASSWORD

print(f"\nrenrakucho is running: {sys.argv[1]}   (Ctrl-C stops the server and the task consumer)")
print(f"demo logins — password for all: {PASSWORD}")
for username, description in DEMO_LOGINS:
    print(f"  {username:<18} {description}")
print()
PY

# Whichever stops first (Ctrl-C, or a crash), stop the other too.
status=0
wait -n "${pids[@]}" || status=$?
exit "$status"
