#!/usr/bin/env bash
# make test: ruff, import-linter, makemigrations --check, pytest on SQLite (browser tests
# included), then pytest on PostgreSQL (browser tests excluded: they already ran against the
# live server of the SQLite pass).
#
#   CI=true          PostgreSQL must be reachable and Chromium installed, else the run fails.
#   DATABASE_URL     PostgreSQL for the second pass (default below); pytest-django creates and
#                    drops test_<name> (test_<name>_gw0, _gw1 … with xdist) itself.
#   PYTEST_WORKERS   xdist workers per pass (default 0: one process, measured faster here —
#                    each worker migrates its own database and the cores are shared).
#   PYTEST_ARGS      extra pytest arguments for both passes (e.g. "-x -k consent").
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
CI="${CI:-false}"
WORKERS="${PYTEST_WORKERS:-0}"
PG_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/renrakucho_test}"
CHROMIUM=/usr/bin/chromium
EXTRA=()  # PYTEST_ARGS split as the shell would (quotes kept together)
if [ -n "${PYTEST_ARGS:-}" ]; then
    mapfile -t EXTRA < <(python3 -c 'import shlex, sys; print(*shlex.split(sys.argv[1]), sep="\n")' "$PYTEST_ARGS")
fi

started=$SECONDS
recap=()
logdir="$(mktemp -d)"

finish() {
    local status=$?
    rm -rf "$logdir"
    if [ "${#recap[@]}" -gt 0 ]; then
        step "summary"
        printf '  %s\n' "${recap[@]}"
    fi
    echo "  make test took $((SECONDS - started))s: $([ "$status" = 0 ] && echo OK || echo FAILED)"
    exit "$status"
}
trap finish EXIT

step() { printf '\n== %s\n' "$*"; }
note() { printf 'NOTE: %s\n' "$*"; }
fail() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# The tests run with the defaults of settings.py, whatever the developer's shell has set.
test_env=(env -u DATABASE_URL -u REDIS_URL -u DEBUG HUEY_IMMEDIATE=true)

xdist=()
if [ "$WORKERS" != "0" ]; then
    xdist=(-n "$WORKERS")
fi

run_pytest() {  # run_pytest <label> <env and args…>: keeps pytest's last line for the recap
    local label="$1"
    shift
    local log="$logdir/$label.log" status=0
    "$@" 2>&1 | tee "$log" || status=$?
    recap+=("$label: $(grep -E '(passed|failed|error|skipped|deselected|no tests ran).* in [0-9.]+s' "$log" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')")
    return "$status"
}

step "ruff check / ruff format --check"
"$BIN/ruff" check .
"$BIN/ruff" format --check .

step "import-linter (layer contracts in pyproject.toml)"
"$BIN/lint-imports" --no-cache

step "makemigrations --check"
"${test_env[@]}" "$BIN/python" manage.py makemigrations --check --dry-run

markexpr=()
if [ ! -x "$CHROMIUM" ]; then
    if [ "$CI" = "true" ]; then
        fail "$CHROMIUM is missing: browser tests cannot run (.ci/run installs Debian's chromium)"
    fi
    note "$CHROMIUM is missing: browser tests (-m browser) are skipped. Install it with"
    note "  apt-get install -y chromium   (.ci/run does this in CI)"
    markexpr=(-m "not browser")
fi

step "pytest on SQLite"
run_pytest sqlite "${test_env[@]}" "$BIN/pytest" -q -rfE "${xdist[@]}" "${markexpr[@]}" \
    "${EXTRA[@]}"

step "pytest on PostgreSQL"
pg_shown="$("$BIN/python" - "$PG_URL" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit

url = urlsplit(sys.argv[1])
netloc = url.netloc
if url.password:
    netloc = netloc.replace(f":{url.password}@", ":***@")
print(urlunsplit(url._replace(netloc=netloc)))
PY
)"
if "$BIN/python" - "$PG_URL" <<'PY'; then
import sys

import dj_database_url
import psycopg

config = dj_database_url.parse(sys.argv[1])
if config["ENGINE"] != "django.db.backends.postgresql":
    sys.exit(f"not a PostgreSQL URL: {config['ENGINE']}")
# The test database does not exist yet; pytest-django creates it from the server's
# maintenance database, so that is what must answer.
try:
    psycopg.connect(
        dbname="postgres",
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        connect_timeout=3,
    ).close()
except psycopg.Error as error:
    sys.exit(f"PostgreSQL: {str(error).splitlines()[0]}")
PY
    run_pytest postgresql env -u REDIS_URL -u DEBUG HUEY_IMMEDIATE=true DATABASE_URL="$PG_URL" \
        "$BIN/pytest" -q -rfE "${xdist[@]}" -m "not browser" "${EXTRA[@]}"
elif [ "$CI" = "true" ]; then
    fail "PostgreSQL is not reachable at $pg_shown (CI=true requires it; .ci/run starts it)"
else
    note "PostgreSQL is not reachable at $pg_shown: the PostgreSQL pass is skipped."
    recap+=("postgresql: skipped (not reachable at $pg_shown)")
fi
