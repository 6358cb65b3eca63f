"""Values as people and the billing system write them: «123,456», «01.03.2027», «ХВС».

Shared by the reading form and the meters import, so that both accept and refuse the same.
"""

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal

from kabinet.core import normalize

from .models import Service

METER_COLUMNS = (
    "account_number",
    "serial_number",
    "service",
    "tariffs",
    "place",
    "digits_before",
    "digits_after",
    "installed_on",
    "next_check_date",
    "initial_value",
    "initial_value_t2",
    "initial_value_t3",
)
_NUMBER_RE = re.compile(r"([0-9]+)(?:[.,]([0-9]*))?")
SERVICE_NAMES = {
    "хвс": Service.COLD_WATER,
    "холодная вода": Service.COLD_WATER,
    "гвс": Service.HOT_WATER,
    "горячая вода": Service.HOT_WATER,
    "ээ": Service.ELECTRICITY,
    "электроэнергия": Service.ELECTRICITY,
    "электричество": Service.ELECTRICITY,
    "отопление": Service.HEATING,
    "тепловая энергия": Service.HEATING,
    "газ": Service.GAS,
    **{s.value: s for s in Service},
}


class ValueError_(ValueError):
    """A value can't be used; the message says why, in Russian."""


def shown(value: Decimal) -> str:
    """A reading as a resident writes it: decimal comma, no exponent."""
    return f"{value:f}".replace(".", ",")


def parse_reading(text: str, *, digits_before: int, digits_after: int) -> Decimal:
    """A reading typed by a resident: «123,456», «123.456», «00123», spaces ignored."""
    value = re.sub(r"\s", "", text)
    if not value:
        raise ValueError_("Введите показание.")
    match = _NUMBER_RE.fullmatch(value)
    if not match:
        raise ValueError_("Введите число: только цифры и запятая, например 123,456.")
    whole, fraction = match.group(1), (match.group(2) or "")
    if len(whole.lstrip("0")) > digits_before:
        raise ValueError_(f"На этом счётчике {digits_before} цифр до запятой, а введено больше.")
    if len(fraction.rstrip("0")) > digits_after:
        if digits_after == 0:
            raise ValueError_("Введите целое число, без запятой: у этого счётчика нет цифр после запятой.")
        raise ValueError_(f"После запятой не больше {digits_after} цифр: так показывает этот счётчик.")
    return Decimal(f"{whole}.{fraction or 0}").quantize(Decimal(1).scaleb(-digits_after))


def _date(text: str, label: str, *, required: bool = False) -> date | None:
    value = text.strip()
    if not value:
        if required:
            raise ValueError_(f"не указана {label}")
        return None
    for layout in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, layout).date()
        except ValueError:
            continue
    raise ValueError_(f"{label} «{value[:20]}» не распознана: нужна дата вида 31.12.2027")


def _whole(text: str, label: str, low: int, high: int, default: int) -> int:
    value = text.strip()
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValueError_(f"{label} «{value[:20]}»: нужно целое число от {low} до {high}")
    return int(value)


def _service(text: str) -> str:
    value = " ".join(text.lower().split())
    if not value:
        raise ValueError_("не указана услуга")
    if value not in SERVICE_NAMES:
        raise ValueError_(
            f"услуга «{text.strip()[:30]}» неизвестна: нужна ХВС, ГВС, электроэнергия, отопление или газ"
        )
    return SERVICE_NAMES[value]


def _initial(text: str, fields: Mapping[str, object], label: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return parse_reading(
            text, digits_before=int(fields["digits_before"]), digits_after=int(fields["digits_after"])
        )
    except ValueError_ as exc:
        raise ValueError_(
            f"{label} «{text.strip()[:20]}»: {str(exc)[0].lower()}{str(exc)[1:].rstrip('.')}"
        ) from None


def parse_meter(values: Mapping[str, str]) -> tuple[dict[str, object], list[str]]:
    """The model fields of a meters row (and its account number), and what is wrong with it."""
    fields: dict[str, object] = {}
    reasons: list[str] = []
    steps: list[tuple[str, Callable[[], object]]] = [
        ("account_number", lambda: _account_number(values.get("account_number", ""))),
        ("serial_number", lambda: _required(values, "serial_number", "не указан заводской номер")[:40]),
        ("service", lambda: _service(values.get("service", ""))),
        ("tariffs", lambda: _whole(values.get("tariffs", ""), "число тарифов", 1, 3, 1)),
        ("place", lambda: " ".join(values.get("place", "").split())[:100]),
        ("digits_before", lambda: _whole(values.get("digits_before", ""), "знаков до запятой", 1, 9, 5)),
        ("digits_after", lambda: _whole(values.get("digits_after", ""), "знаков после запятой", 0, 3, 3)),
        ("installed_on", lambda: _date(values.get("installed_on", ""), "дата установки")),
        ("next_check_date", lambda: _date(values.get("next_check_date", ""), "дата поверки")),
    ]
    for name, parse in steps:
        try:
            fields[name] = parse()
        except ValueError_ as exc:
            reasons.append(str(exc))
    if fields.get("tariffs", 1) != 1 and fields.get("service") != Service.ELECTRICITY:
        reasons.append("несколько тарифов бывает только у счётчика электроэнергии")
    if reasons:
        return fields, reasons
    for name, label in (
        ("initial_value", "начальное показание"),
        ("initial_value_t2", "начальное показание Т2"),
        ("initial_value_t3", "начальное показание Т3"),
    ):
        try:
            fields[name] = _initial(values.get(name, ""), fields, label)
        except ValueError_ as exc:
            reasons.append(str(exc))
    if fields.get("initial_value") is None:
        fields["initial_value"] = Decimal(0)
    return fields, reasons


def _required(values: Mapping[str, str], column: str, missing: str) -> str:
    value = "".join(values.get(column, "").split()).upper()
    if not value:
        raise ValueError_(missing)
    return value


def _account_number(text: str) -> str:
    number = normalize.account_number(text)
    if not number:
        raise ValueError_("не указан номер лицевого счёта")
    return number
