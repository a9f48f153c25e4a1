from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (6, 5, 4, 3, 2)


def municipality_check_digit(first_five: str) -> int:
    """Check digit of a 全国地方公共団体コード (JIS X 0401/0402).

    Each of the first five digits is multiplied by 6, 5, 4, 3, 2; the check digit is the last
    digit of 11 minus the remainder of the sum divided by 11.
    """
    total = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def validate_municipality_code(value: str) -> None:
    if not (isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("地方公共団体コードは6桁の半角数字で入力してください。"), code="format"
        )
    if municipality_check_digit(value[:5]) != int(value[5]):
        raise ValidationError(
            _("地方公共団体コードの検査数字が正しくありません。"), code="check_digit"
        )
