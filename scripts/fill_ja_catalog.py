"""The source strings are Japanese, so the `ja` catalogue is their identity: every msgstr of
locale/ja becomes its msgid (run by `make messages` after extraction). Every entry is rewritten,
not only the empty ones: makemessages fills new entries with "fuzzy" guesses from similar
strings (「緊急」 became 「男性」), which must not survive."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "renrakucho/locale/ja/LC_MESSAGES/django.po"

with PO.open("rb") as handle:
    catalog = read_po(handle, locale="ja")
for message in catalog:
    if not message.id:
        continue
    if isinstance(message.id, tuple):
        singular, plural = message.id[0], message.id[1]
        count = max(len(message.string), 1)
        # Japanese has one plural form; keep as many slots as the catalogue declares.
        message.string = (singular,) + (plural,) * (count - 1)
    else:
        message.string = message.id
    message.flags.discard("fuzzy")
    message.previous_id = []
catalog.fuzzy = False
catalog.project = "renrakucho"
with PO.open("wb") as handle:
    write_po(handle, catalog, width=100)
