"""A meter reading as people write it: «123,456», «123.456», «00123».

Shared by the reading forms (a resident's, an operator's) and the meters import, so that all
accept and refuse the same; a refusal is the billing imports' one `FieldError`, whose message
the form shows as it is.
"""

import re
from decimal import Decimal

from kabinet.billing.imports.fields import FieldError

_NUMBER_RE = re.compile(r"([0-9]+)(?:[.,]([0-9]*))?")


def shown(value: Decimal) -> str:
    """A reading as a resident writes it: decimal comma, no exponent."""
    return f"{value:f}".replace(".", ",")


def parse_reading(text: str, *, digits_before: int, digits_after: int) -> Decimal:
    """A reading typed by a resident: «123,456», «123.456», «00123», spaces ignored."""
    value = re.sub(r"\s", "", text)
    if not value:
        raise FieldError("Введите показание.")
    match = _NUMBER_RE.fullmatch(value)
    if not match:
        raise FieldError("Введите число: только цифры и запятая, например 123,456.")
    whole, fraction = match.group(1), (match.group(2) or "")
    if len(whole.lstrip("0")) > digits_before:
        raise FieldError(f"На этом счётчике {digits_before} цифр до запятой, а введено больше.")
    if len(fraction.rstrip("0")) > digits_after:
        if digits_after == 0:
            raise FieldError("Введите целое число, без запятой: у этого счётчика нет цифр после запятой.")
        raise FieldError(f"После запятой не больше {digits_after} цифр: так показывает этот счётчик.")
    return Decimal(f"{whole}.{fraction or 0}").quantize(Decimal(1).scaleb(-digits_after))
