#!/usr/bin/env bash
# Create or update .venv from uv.lock (make setup). Uses `uv` from PATH, else a uv installed
# once into .bootstrap/ with the machine's python3.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="${UV_VERSION:-0.13.9}"
PYTHON="${PYTHON:-python3}"

if command -v uv >/dev/null 2>&1; then
    UV=uv
elif [ -x .bootstrap/bin/uv ]; then
    UV=.bootstrap/bin/uv
else
    echo "== installing uv ${UV_VERSION} into .bootstrap/"
    "$PYTHON" -m venv .bootstrap
    .bootstrap/bin/pip install --quiet --disable-pip-version-check "uv==${UV_VERSION}"
    UV=.bootstrap/bin/uv
fi

echo "== uv sync --frozen ($("$UV" --version))"
# The machine's interpreter (resolved through shims such as pyenv's, so that an existing .venv
# is recognised as made from it), never a downloaded one: not every machine can download.
interpreter="$("$PYTHON" -c 'import sys; print(sys.executable)')"
# RENRAKUCHO_EXTRAS="s3" adds optional dependency groups (S3-compatible storage needs boto3).
extras=()
for extra in ${RENRAKUCHO_EXTRAS:-}; do extras+=(--extra "$extra"); done
UV_PYTHON_DOWNLOADS=never "$UV" sync --frozen --python "$interpreter" "${extras[@]}"
