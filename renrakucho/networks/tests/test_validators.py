import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from renrakucho.networks.validators import municipality_check_digit, validate_municipality_code


@pytest.mark.parametrize("code", ["202096", "203858", "203840", "131016", "011002", "222127"])
def test_real_codes_pass(code):
    validate_municipality_code(code)


@pytest.mark.parametrize("code", ["202097", "20209", "2020966", "20209a", "２０２０９６", ""])
def test_bad_codes_fail_in_japanese(code):
    with pytest.raises(ValidationError) as error:
        validate_municipality_code(code)
    assert "地方公共団体コード" in error.value.messages[0]


@given(st.from_regex(r"\A[0-9]{5}\Z"))
def test_exactly_one_check_digit_is_valid(first_five):
    valid = [d for d in range(10) if _is_valid(first_five + str(d))]
    assert valid == [municipality_check_digit(first_five)]


def _is_valid(code):
    try:
        validate_municipality_code(code)
    except ValidationError:
        return False
    return True
