"""The source strings are Japanese, so the `ja` catalogue is their identity: fill every empty
msgstr of locale/ja with its msgid (run by `make messages` after extraction)."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "renrakucho/locale/ja/LC_MESSAGES/django.po"

with PO.open("rb") as handle:
    catalog = read_po(handle, locale="ja")
for message in catalog:
    if not message.id:
        continue
    if isinstance(message.id, tuple):
        if not any(message.string):
            message.string = (message.id[0],) + (message.id[1],) * (len(message.string) - 1)
    elif not message.string:
        message.string = message.id
    message.flags.discard("fuzzy")
catalog.fuzzy = False
catalog.project = "renrakucho"
with PO.open("wb") as handle:
    write_po(handle, catalog, width=100)
