#!/usr/bin/env bash
# Compile the translation catalogues with Babel (make setup); see compile_translations.py.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -d renrakucho/locale ]; then
    .venv/bin/python scripts/compile_translations.py
fi
