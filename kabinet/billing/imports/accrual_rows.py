"""The rows of an accruals file, checked in Python: the careful road's parser and its quick check.

`AccrualParser` turns a row's text into the values the staging table takes, or collects the
reasons the row is bad, in Russian, for the row report; the values that repeat (periods,
services, tariffs, zero sums) are parsed once and remembered, for files of a million rows.

`quick_check` is the careful road's shortcut for the plainly good lines that are the bulk of a
billing system's export: such a line skips the csv module and the parser (read.read_table).
It is not the COPY road (copyroad/), which skips Python's work per row altogether.
"""

import datetime
import functools
import operator
import re
from collections.abc import Callable, Mapping
from decimal import Decimal

from ..models import Service
from .fields import (
    CACHE_LIMIT,
    MONEY_LIMIT,
    TARIFF_LIMIT,
    VOLUME_LIMIT,
    FieldError,
    parse_account_number,
    parse_decimal,
    parse_period,
    parse_text,
    parse_volume_source,
    remembered,
)
from .read import QuickCheck

COLUMNS = (
    "account_number",
    "period",
    "service_code",
    "service_name",
    "unit",
    "tariff",
    "volume",
    "volume_source",
    "accrued",
    "recalculation",
    "recalculation_reason",
    "benefit",
    "to_pay",
)


def _money(label: str, *, required: bool = True, negative: bool = False) -> Callable[[str], object]:
    return remembered(
        lambda text: parse_decimal(
            text, label=label, places=2, limit=MONEY_LIMIT, required=required, negative=negative
        )
    )


# --- Rows ------------------------------------------------------------------------------------


class AccrualParser:
    """Checks accrual rows; remembers the periods and services the file names."""

    def __init__(self) -> None:
        self.periods: set[datetime.date] = set()
        self.services: dict[str, tuple[str, str]] = {}  # code -> (name, unit)
        self._number = remembered(parse_account_number)
        self._period = remembered(parse_period)
        self._code = remembered(lambda t: parse_text(t, label="код услуги", limit=30, required=True))
        self._name = remembered(lambda t: parse_text(t, label="название услуги", limit=150, required=True))
        self._unit = remembered(lambda t: parse_text(t, label="единица измерения", limit=20))
        self._reason = remembered(lambda t: parse_text(t, label="причина перерасчёта", limit=1000))
        self._tariff = remembered(
            lambda t: parse_decimal(t, label="тариф", places=4, limit=TARIFF_LIMIT, required=False)
        )
        self._volume = remembered(
            lambda t: parse_decimal(t, label="объём", places=6, limit=VOLUME_LIMIT, required=False)
        )
        self._source = remembered(parse_volume_source)
        self._accrued = _money("начислено")
        self._recalculation = _money("перерасчёт", required=False, negative=True)
        self._benefit = _money("льгота", required=False)
        self._to_pay = _money("к оплате", negative=True)

    def parse(self, values: Mapping[str, str]) -> tuple[tuple | None, list[str]]:
        """The staging values of a row (line excluded) and the reasons it is bad."""
        reasons: list[str] = []
        out: list[object] = []
        for column, parse in (
            ("account_number", self._number),
            ("period", self._period),
            ("service_code", self._code),
            ("service_name", self._name),
            ("unit", self._unit),
            ("tariff", self._tariff),
            ("volume", self._volume),
            ("volume_source", self._source),
            ("accrued", self._accrued),
            ("recalculation", self._recalculation),
            ("recalculation_reason", self._reason),
            ("benefit", self._benefit),
            ("to_pay", self._to_pay),
        ):
            try:
                out.append(parse(values[column]))
            except FieldError as exc:
                reasons.append(str(exc))
                out.append(None)
        if reasons:
            return None, reasons
        recalculation = out[9] = out[9] or Decimal(0)
        benefit = out[11] = out[11] or Decimal(0)
        accrued, to_pay = out[8], out[12]
        if accrued + recalculation - benefit != to_pay:  # type: ignore[operator]
            return None, [
                f"к оплате {to_pay} не сходится: начислено {accrued} + перерасчёт {recalculation} "
                f"− льгота {benefit} = {accrued + recalculation - benefit}"  # type: ignore[operator]
            ]
        self.periods.add(out[1])  # type: ignore[arg-type]
        if out[2] not in self.services:
            self.services[out[2]] = (out[3], out[4])  # type: ignore[index, assignment]
        return tuple(out), []

    def service(self, code: str, name: str, unit: str) -> tuple[str, str, str]:
        """A service's code, name and unit as `parse` takes them; `FieldError` if one is bad."""
        return self._code(code), self._name(name), self._unit(unit)


# --- The quick check -------------------------------------------------------------------------

_FAST_MONEY = re.compile(r"[0-9]{1,12}(?:[.,][0-9]{1,2})?")
_FAST_VOLUME = re.compile(r"[0-9]{1,10}(?:[.,][0-9]{1,6})?")


def quick_check(parser: AccrualParser) -> QuickCheck:
    """A checker for plainly good accrual lines, the bulk of a file from a billing system.

    Values that repeat (account numbers, periods, services, tariffs, sources, empty
    recalculations) are checked once by the parsers above and then looked up; the rest
    (volume, accrued, to pay) by one regular expression each. The sum `to_pay = accrued +
    recalculation − benefit` is left to the database, which checks every staged row with SQL
    (and by the table's CHECK constraint), reporting each failing line. Anything unusual
    returns None: the parser then checks the row and explains what is wrong.
    """
    return functools.partial(_bind, parser)


def _bind(
    parser: AccrualParser, positions: dict[str, int], width: int
) -> Callable[[list[str]], tuple | None]:
    """The quick check of a file whose header puts the columns at `positions`."""
    head = operator.itemgetter(*(positions[column] for column in COLUMNS[:7]))
    tail = operator.itemgetter(*(positions[column] for column in COLUMNS[7:]))
    known: dict[str, dict[str, object]] = {name: {} for name in ("number", "period", "service", "tariff")}
    texts: dict[str, object] = {}

    def check(fields: list[str]) -> tuple | None:
        if len(fields) != width:
            return None
        number, month, code, name, unit, tariff, volume = head(fields)
        source, accrued, recalc, reason, benefit, to_pay = tail(fields)
        cached_number = known["number"].get(number) or _remember(known["number"], number, parser._number)
        cached_period = known["period"].get(month) or _remember(
            known["period"], month, lambda text: _period(parser, text)
        )
        key = f"{code}\x00{name}\x00{unit}"
        triple = known["service"].get(key) or _remember(
            known["service"], key, lambda _: _service(parser, code, name, unit)
        )
        side = f"{tariff}\x00{source}\x00{recalc}\x00{benefit}\x00{reason}"
        extra = texts.get(side)
        if extra is None:
            extra = _remember(
                texts, side, lambda _: _side_values(parser, tariff, source, recalc, benefit, reason)
            )
        if cached_number is None or cached_period is None or triple is None or extra is None:
            return None
        if not (_FAST_VOLUME.fullmatch(volume) or not volume):
            return None
        if not (_FAST_MONEY.fullmatch(accrued) and _FAST_MONEY.fullmatch(to_pay)):
            return None
        tariff_value, source_value, recalc_value, benefit_value, reason_value = extra  # type: ignore[misc]
        code_value, name_value, unit_value = triple  # type: ignore[misc]
        return (
            cached_number,
            cached_period,
            code_value,
            name_value,
            unit_value,
            tariff_value,
            volume.replace(",", ".") if volume else None,
            source_value,
            accrued.replace(",", "."),
            recalc_value,
            reason_value,
            benefit_value,
            to_pay.replace(",", "."),
        )

    return check


def _remember(cache: dict, text: str, parse: Callable[[str], object]) -> object:
    """`parse(text)` kept in `cache`; None, not kept, if the text is not plainly good."""
    if len(cache) > CACHE_LIMIT:
        cache.clear()
    try:
        value = parse(text)
    except FieldError:
        return None
    cache[text] = value
    return value


def _service(parser: AccrualParser, code: str, name: str, unit: str) -> object:
    if "\\" in code + name + unit:
        return None  # a backslash needs COPY's escaping: the parser's road does it
    triple = parser.service(code, name, unit)
    parser.services.setdefault(triple[0], (triple[1], triple[2]))
    return triple


def _period(parser: AccrualParser, text: str) -> object:
    value = parser._period(text)
    parser.periods.add(value)
    return value.isoformat()


def _side_values(
    parser: AccrualParser, tariff: str, source: str, recalc: str, benefit: str, reason: str
) -> tuple:
    """The values of a row that repeat together from row to row, parsed by the parser's own."""
    if "\\" in reason:
        return None  # type: ignore[return-value]
    tariff_value = parser._tariff(tariff)
    recalc_value = parser._recalculation(recalc) or Decimal(0)
    benefit_value = parser._benefit(benefit) or Decimal(0)
    return (
        None if tariff_value is None else str(tariff_value),
        parser._source(source),
        str(recalc_value),
        str(benefit_value),
        parser._reason(reason),
    )


# Penalties (пени, ЖК РФ ст. 155 ч. 14) arrive as an accrual line of their own: a service the
# billing system calls «Пени» («пеня», «пени за просрочку»), or codes so.
_PENALTY_NAME = re.compile(r"(?<![а-яё])пен[иья](?![а-яё])")
_PENALTY_CODES = {"пени", "пеня", "peni", "penalty", "penalties", "penya"}


def is_penalty(code: str, name: str) -> bool:
    """Whether a service the billing file names is its penalties line."""
    return code.strip().lower() in _PENALTY_CODES or bool(_PENALTY_NAME.search(name.lower()))


def save_services(services: dict[str, tuple[str, str]]) -> None:
    """Create the services a file names for the first time (a penalties line marked so); keep
    names up to date."""
    existing = Service.objects.in_bulk(list(services), field_name="code")
    for code, (name, unit) in services.items():
        service = existing.get(code)
        if service is None:
            Service.objects.create(code=code, name=name, unit=unit, is_penalty=is_penalty(code, name))
        elif service.name != name:
            service.name = name
            service.save(update_fields=["name"])
