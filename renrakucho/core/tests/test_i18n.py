"""Japanese first, English available: both catalogues are complete and pages switch language."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_catalogue_is_complete_and_keeps_placeholders(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and not all(_forms(m.string))]
    assert not missing, f"{language}: untranslated {missing[:5]}"
    # A fuzzy entry is a guess from a similar string: it is not compiled, so it is missing too.
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:5]}"
    for message in catalog:
        if not message.id:
            continue
        # A plural entry: the singular form against msgstr[0], the plural against the rest.
        sources = _forms(message.id)
        for index, translated in enumerate(_forms(message.string)):
            source = sources[min(index, len(sources) - 1)]
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(translated)), (
                message.id
            )


def _forms(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def test_japanese_catalogue_is_the_identity_of_the_japanese_sources():
    # A guess left by makemessages (「緊急」 shown as 「男性」) would otherwise reach the screen.
    with (LOCALE / "ja" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle)
    wrong = [
        (m.id, m.string)
        for m in catalog
        if m.id and not isinstance(m.id, tuple) and m.id != m.string
    ]
    assert not wrong, wrong[:5]


def test_login_page_is_japanese_by_default_and_english_on_request(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="ja"' in body and "ログイン" in body

    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert 'lang="en"' in body and "Log in" in body and "ログインID" not in body
