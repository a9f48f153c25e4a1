"""Compile renrakucho/locale/<lang>/LC_MESSAGES/django.po to .mo with Babel (make setup).

GNU gettext's msgfmt is not on every machine; Babel is in the venv. Like msgfmt (and unlike
`pybabel compile`, which skips a whole catalogue whose header is marked fuzzy, as
`makemessages` leaves it), fuzzy entries are left out but the catalogue is compiled. A
catalogue with errors (placeholders that differ from the msgid's) fails the build.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "renrakucho" / "locale"


def main() -> int:
    failed = False
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        errors = [
            f"{po_path}:{message.lineno}: {error}"
            for message, message_errors in catalog.check()
            for error in message_errors
        ]
        if errors:
            print("\n".join(errors), file=sys.stderr)
            failed = True
            continue
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        print(f"compiled {mo_path.relative_to(LOCALE.parent.parent)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
