"""Japanese text folding for search keys.

"やまだ", "ﾔﾏﾀﾞ", "ヤマダ" and "ＹＡＭＡＤＡ"-style input must meet the same key, so keys are
NFKC-normalised (full/half width), katakana folded to hiragana, lower-cased and stripped of
spaces (names are typed with and without the space between family and given name).
"""

import re
import unicodedata

import jaconv

_SPACES = re.compile(r"[\s\u3000]+")
KANA_PATTERN = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb\u309b\u309c\s\u3000・ー]+$")


def fold(text: str) -> str:
    key = text or ""
    # Repeat until stable: removing a space or case-folding can create a new composable pair.
    for _ in range(3):
        folded = unicodedata.normalize(
            "NFKC", _SPACES.sub("", jaconv.kata2hira(unicodedata.normalize("NFKC", key))).casefold()
        )
        if folded == key:
            break
        key = folded
    return key


def is_kana(text: str) -> bool:
    """True when `text` (after width folding) is made of kana, spaces and the long-vowel mark."""
    return bool(KANA_PATTERN.match(unicodedata.normalize("NFKC", text or "")))


def to_katakana(text: str) -> str:
    """Canonical stored form of a kana field: full-width katakana."""
    return jaconv.hira2kata(unicodedata.normalize("NFKC", text or "")).strip()
