"""Checks of Russian payment details: ИНН, КПП, БИК and bank accounts (with control keys).

A wrong digit in the details sends residents' money nowhere, so the control keys the Bank of
Russia and the tax service define are checked, not just the lengths.
"""

import re

from django.core.exceptions import ValidationError

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_ACCOUNT_WEIGHTS = ((7, 1, 3) * 8)[:23]  # 23 digits: 3 from the БИК and the 20 of the account
_KPP_RE = re.compile(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}")


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_valid_inn(value: str) -> bool:
    if not value.isascii() or not value.isdigit():
        return False
    if len(value) == 10:
        return _check_digit(value, _INN10_WEIGHTS) == int(value[9])
    if len(value) == 12:
        return _check_digit(value, _INN11_WEIGHTS) == int(value[10]) and _check_digit(
            value, _INN12_WEIGHTS
        ) == int(value[11])
    return False


def _digits(value: str, count: int) -> bool:
    return len(value) == count and value.isascii() and value.isdigit()


def is_bik(value: str) -> bool:
    return _digits(value, 9)


def is_account(value: str) -> bool:
    return _digits(value, 20)


def account_key_matches(*, bik: str, account: str, correspondent: bool) -> bool:
    """The control key of a 20-digit account with a bank's БИК (Bank of Russia rules): a
    settlement account is checked with the БИК's last three digits, a correspondent account
    with «0» and the БИК's 5th and 6th digits."""
    if not (_digits(bik, 9) and _digits(account, 20)):
        return False
    prefix = "0" + bik[4:6] if correspondent else bik[-3:]
    return sum(int(d) * w for d, w in zip(prefix + account, _ACCOUNT_WEIGHTS, strict=True)) % 10 == 0


def validate_inn(value: str) -> None:
    if not is_valid_inn(value):
        raise ValidationError(
            "ИНН — 10 цифр (организация) или 12 цифр (предприниматель); проверьте цифры: "
            "контрольное число не сходится.",
            code="inn",
        )


def validate_kpp(value: str) -> None:
    if not _KPP_RE.fullmatch(value):
        raise ValidationError("КПП — 9 знаков, например 695001001.", code="kpp")


def validate_bik(value: str) -> None:
    if not _digits(value, 9):
        raise ValidationError("БИК — 9 цифр, например 042809679.", code="bik")


def validate_account_number(value: str) -> None:
    if not _digits(value, 20):
        raise ValidationError("Номер счёта — 20 цифр без пробелов.", code="account")


def is_valid_ogrn(value: str) -> bool:
    """ОГРН (13 digits, an organisation) or ОГРНИП (15, an entrepreneur): the last digit is the
    remainder of the number before it divided by 11 (by 13 for ОГРНИП), taken modulo 10."""
    if _digits(value, 13):
        return int(value[:12]) % 11 % 10 == int(value[12])
    if _digits(value, 15):
        return int(value[:14]) % 13 % 10 == int(value[14])
    return False


def validate_ogrn(value: str) -> None:
    if not is_valid_ogrn(value):
        raise ValidationError(
            "ОГРН — 13 цифр (организация) или ОГРНИП — 15 цифр (предприниматель); проверьте цифры: "
            "контрольное число не сходится."
        )
