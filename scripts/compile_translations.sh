#!/usr/bin/env bash
# Compile renrakucho/locale/*/LC_MESSAGES/django.po to .mo with Babel (make setup).
# Babel comes with the venv; GNU gettext (msgfmt) is not on every machine. *.mo are not in git.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -d renrakucho/locale ] && find renrakucho/locale -name 'django.po' | grep -q .; then
    .venv/bin/pybabel -q compile -d renrakucho/locale -D django
fi
