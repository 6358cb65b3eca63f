"""The values of billing files as people and the billing system write them, checked one field
at a time: the one set of field parsers every kind of file uses, and its one `FieldError`.

Each parser takes a field's text and returns the value to store, or raises `FieldError` whose
message is the reason, in Russian, for the row report (`строка N: причина`). Files of a million
rows go through here, so the parsers of values that repeat are wrapped in `remembered`.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from kabinet.core import normalize

from ..models import VolumeSource

MONEY_LIMIT = Decimal(10) ** 12  # max_digits=14, decimal_places=2
TARIFF_LIMIT = Decimal(10) ** 10  # 14 digits, 4 places
VOLUME_LIMIT = Decimal(10) ** 10  # 16 digits, 6 places
CACHE_LIMIT = 50_000  # distinct texts a remembered parser keeps before starting afresh
_AREA_LIMIT = Decimal(10) ** 7  # max_digits=9 with 2 decimal places
_CENT = Decimal("0.01")
_AREA_RE = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
_NUMBER_RE = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
_SPACES_RE = re.compile(r"[\s\u00a0\u202f]")
_PERIOD_RES = (
    (re.compile(r"([0-9]{4})-([0-9]{1,2})(?:-01)?"), (1, 2)),  # 2026-10, 2026-10-01
    (re.compile(r"(?:0?1\.)?([0-9]{1,2})\.([0-9]{4})"), (2, 1)),  # 10.2026, 01.10.2026
)
_DATE_RES = (
    (re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"), (1, 2, 3)),
    (re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})"), (3, 2, 1)),
)
VOLUME_SOURCES = {
    "": "",
    "meter": VolumeSource.METER,
    "прибор": VolumeSource.METER,
    "ипу": VolumeSource.METER,
    "по прибору учета": VolumeSource.METER,
    "average": VolumeSource.AVERAGE,
    "среднее": VolumeSource.AVERAGE,
    "по среднему": VolumeSource.AVERAGE,
    "norm": VolumeSource.NORM,
    "норматив": VolumeSource.NORM,
    "по нормативу": VolumeSource.NORM,
    "area": VolumeSource.AREA,
    "площадь": VolumeSource.AREA,
    "fixed": VolumeSource.FIXED,
    "фикс": VolumeSource.FIXED,
}


class FieldError(ValueError):
    """A value in a row can't be imported; the message is the reason, in Russian."""


def remembered(parse: Callable[[str], object]) -> Callable[[str], object]:
    """Parse each distinct text once. The memory is bounded: it starts afresh when full."""
    known: dict[str, object] = {}
    failed: dict[str, str] = {}

    def parse_remembered(text: str) -> object:
        try:
            return known[text]
        except KeyError:
            pass
        if text in failed:
            raise FieldError(failed[text])
        if len(known) > CACHE_LIMIT:
            known.clear()
            failed.clear()
        try:
            value = known[text] = parse(text)
        except FieldError as exc:
            failed[text] = str(exc)
            raise
        return value

    return parse_remembered


def shown(text: str, limit: int = 40) -> str:
    """A value quoted for the error report: printable and not too long."""
    value = normalize.clean_text("".join(ch if ch.isprintable() else " " for ch in text))
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"«{value}»"


def has_control_characters(value: str) -> bool:
    # NUL is refused by PostgreSQL, the rest would only hide in the back-office.
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def parse_account_number(text: str, *, hint: str = "") -> str:
    """An account number as `normalize.account_number` writes it. `hint` follows the reason
    when the number is malformed (the accounts file, where the operator types new ones)."""
    number = normalize.account_number(text)
    if not number:
        raise FieldError("не указан номер лицевого счёта")
    if not normalize.is_valid_account_number(number):
        raise FieldError(f"номер лицевого счёта {shown(text)} указан с ошибкой{hint}")
    return number


def parse_text(text: str, *, label: str, limit: int, required: bool = False, missing: str = "") -> str:
    """Text with its spaces tidied; `missing` (or «не указано: label») when required and empty."""
    value = normalize.clean_text(text)
    if not value and (required or missing):
        raise FieldError(missing or f"не указано: {label}")
    if has_control_characters(value):
        raise FieldError(f"{label} {shown(text)} содержит недопустимые (управляющие) символы")
    if len(value) > limit:
        raise FieldError(f"{label} длиннее {limit} знаков")
    return value


def parse_period(text: str) -> datetime.date:
    """A month: 2026-10, 2026-10-01, 10.2026 or 01.10.2026; the first of the month."""
    value = text.strip()
    for pattern, (year, month) in _PERIOD_RES:
        match = pattern.fullmatch(value)
        if match and 1 <= int(match[month]) <= 12 and 2000 <= int(match[year]) <= 2100:
            return datetime.date(int(match[year]), int(match[month]), 1)
    raise FieldError(f"период {shown(text)} не распознан: нужен месяц, например 2026-10 или 10.2026")


def parse_date(text: str, *, label: str) -> datetime.date:
    value = text.strip()
    if not value:
        raise FieldError(f"не указана {label}")
    for pattern, (year, month, day) in _DATE_RES:
        match = pattern.fullmatch(value)
        if match:
            try:
                return datetime.date(int(match[year]), int(match[month]), int(match[day]))
            except ValueError:
                break
    raise FieldError(f"{label} {shown(text)} не распознана: нужна дата, например 12.10.2026 или 2026-10-12")


def parse_decimal(
    text: str, *, label: str, places: int, limit: Decimal, required: bool = True, negative: bool = False
) -> Decimal | None:
    """A number with a decimal point or comma, within `limit` and `places` (the column's)."""
    value = _SPACES_RE.sub("", text)  # 1C writes «1 234,56» with a (no-break) space
    if not value:
        if required:
            raise FieldError(f"не указано: {label}")
        return None
    if not _NUMBER_RE.fullmatch(value):
        raise FieldError(f"{label} {shown(text)} — не число")
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise FieldError(f"{label} {shown(text)} — не число") from None
    if number < 0 and not negative:
        raise FieldError(f"{label} {shown(text)} отрицательное")
    if abs(number) >= limit:
        raise FieldError(f"{label} {shown(text)} слишком велико")
    if number.as_tuple().exponent < -places:  # type: ignore[operator]
        raise FieldError(f"{label} {shown(text)}: не больше {places} знаков после запятой")
    return number


def parse_area(text: str) -> Decimal | None:
    """An account's area in m², two places at most; empty when the file does not know it."""
    value = re.sub(r"\s", "", text)  # 1C may write «1 234,5» with a no-break space
    if not value:
        return None
    if not _AREA_RE.fullmatch(value):
        raise FieldError(f"площадь {shown(text)} — не число: нужно неотрицательное число, например 54,3")
    area = Decimal(value.replace(",", "."))
    if area < 0:
        raise FieldError(f"площадь {shown(text)} отрицательная")
    if area >= _AREA_LIMIT:
        raise FieldError(f"площадь {shown(text)} слишком велика")
    if area.quantize(_CENT) != area:
        raise FieldError(f"площадь {shown(text)}: не больше двух знаков после запятой")
    return area.quantize(_CENT)


def parse_phone(text: str) -> str:
    """Any Russian phone, landlines too, in E.164; empty when none is given."""
    if not text.strip():
        return ""
    try:
        return normalize.phone_e164(text, mobile_only=False)
    except normalize.InvalidPhone:
        raise FieldError(
            f"телефон {shown(text)} не распознан: нужен один номер, "
            "например +7 912 345-67-89 или 8-912-345-67-89"
        ) from None


def parse_email(text: str, *, limit: int) -> str:
    value = text.strip()
    if not value:
        return ""
    if not _is_email(value, limit):
        raise FieldError(f"e-mail {shown(text)} указан с ошибкой")
    return value


def _is_email(value: str, limit: int) -> bool:
    if len(value) > limit or has_control_characters(value):
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def parse_volume_source(text: str) -> str:
    try:
        return VOLUME_SOURCES[text.strip().lower().replace("ё", "е")]
    except KeyError:
        raise FieldError(
            f"способ определения объёма {shown(text)} не распознан: "
            "нужно meter, average, norm, area, fixed или пусто"
        ) from None
