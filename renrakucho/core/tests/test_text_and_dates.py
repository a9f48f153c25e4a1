import datetime

from hypothesis import given
from hypothesis import strategies as st

from renrakucho.core.dates import japanese_date, wareki
from renrakucho.core.text import fold, is_kana, to_katakana


def test_fold_meets_hiragana_halfwidth_and_katakana():
    assert fold("やまだ") == fold("ﾔﾏﾀﾞ") == fold("ヤマダ") == "やまだ"
    assert fold("山田 花子") == "山田花子"
    assert fold("ＡＢＣ") == "abc"


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


def test_kana_check_and_canonical_form():
    assert is_kana("ヤマダ ハナコ") and is_kana("やまだ　はなこ") and is_kana("ﾔﾏﾀﾞ")
    assert not is_kana("山田")
    assert to_katakana("やまだ はなこ") == "ヤマダ ハナコ"
    assert to_katakana("ﾔﾏﾀﾞ") == "ヤマダ"


def test_japanese_dates():
    assert japanese_date(datetime.date(2026, 11, 22)) == "2026年11月22日"
    assert wareki(datetime.date(2026, 11, 22)) == "令和8年11月22日"
    assert wareki(datetime.date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(datetime.date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki(datetime.date(1938, 4, 12)) == "昭和13年4月12日"
