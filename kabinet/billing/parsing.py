"""Checking the rows of accruals and payments files, one row at a time, in Python.

Each parser turns a row's text into the values the staging table takes, or collects the
reasons the row is bad, in Russian, for the row report. Files of a million rows go through
here, so the values that repeat (periods, services, tariffs, zero sums) are parsed once and
remembered.
"""

import datetime
import operator
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from kabinet.core import normalize

from .models import VolumeSource

ACCRUAL_COLUMNS = (
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
PAYMENT_COLUMNS = ("account_number", "paid_on", "amount", "period", "external_id", "note")

_MONEY_LIMIT = Decimal(10) ** 12  # max_digits=14, decimal_places=2
_TARIFF_LIMIT = Decimal(10) ** 10  # 14 digits, 4 places
_VOLUME_LIMIT = Decimal(10) ** 10  # 16 digits, 6 places
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
_CACHE_LIMIT = 50_000


class FieldError(ValueError):
    """A value in a row can't be imported; the message is the reason, in Russian."""


def _remembered(parse: Callable[[str], object]) -> Callable[[str], object]:
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
        if len(known) > _CACHE_LIMIT:
            known.clear()
            failed.clear()
        try:
            value = known[text] = parse(text)
        except FieldError as exc:
            failed[text] = str(exc)
            raise
        return value

    return parse_remembered


# --- Values ----------------------------------------------------------------------------------


def shown(text: str, limit: int = 40) -> str:
    """A value quoted for the error report: printable and not too long."""
    value = normalize.clean_text("".join(ch if ch.isprintable() else " " for ch in text))
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"«{value}»"


def parse_account_number(text: str) -> str:
    number = normalize.account_number(text)
    if not number:
        raise FieldError("не указан номер лицевого счёта")
    if not normalize.is_valid_account_number(number):
        raise FieldError(f"номер лицевого счёта {shown(text)} указан с ошибкой")
    return number


def parse_period(text: str) -> datetime.date:
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


def parse_text(text: str, *, label: str, limit: int, required: bool = False) -> str:
    value = normalize.clean_text(text)
    if not value and required:
        raise FieldError(f"не указано: {label}")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise FieldError(f"{label} {shown(text)} содержит недопустимые (управляющие) символы")
    if len(value) > limit:
        raise FieldError(f"{label} длиннее {limit} знаков")
    return value


def parse_volume_source(text: str) -> str:
    try:
        return VOLUME_SOURCES[text.strip().lower().replace("ё", "е")]
    except KeyError:
        raise FieldError(
            f"способ определения объёма {shown(text)} не распознан: "
            "нужно meter, average, norm, area, fixed или пусто"
        ) from None


def _money(label: str, *, required: bool = True, negative: bool = False) -> Callable[[str], object]:
    return _remembered(
        lambda text: parse_decimal(
            text, label=label, places=2, limit=_MONEY_LIMIT, required=required, negative=negative
        )
    )


# --- Rows ------------------------------------------------------------------------------------


class AccrualParser:
    """Checks accrual rows; remembers the periods and services the file names."""

    def __init__(self) -> None:
        self.periods: set[datetime.date] = set()
        self.services: dict[str, tuple[str, str]] = {}  # code -> (name, unit)
        self._number = _remembered(parse_account_number)
        self._period = _remembered(parse_period)
        self._code = _remembered(lambda t: parse_text(t, label="код услуги", limit=30, required=True))
        self._name = _remembered(lambda t: parse_text(t, label="название услуги", limit=150, required=True))
        self._unit = _remembered(lambda t: parse_text(t, label="единица измерения", limit=20))
        self._reason = _remembered(lambda t: parse_text(t, label="причина перерасчёта", limit=1000))
        self._tariff = _remembered(
            lambda t: parse_decimal(t, label="тариф", places=4, limit=_TARIFF_LIMIT, required=False)
        )
        self._volume = _remembered(
            lambda t: parse_decimal(t, label="объём", places=6, limit=_VOLUME_LIMIT, required=False)
        )
        self._source = _remembered(parse_volume_source)
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

    # Columns whose values repeat from row to row: rawcopy.py checks each distinct combination once.
    REPEATING = (
        "period",
        "service_code",
        "service_name",
        "unit",
        "tariff",
        "volume_source",
        "recalculation_reason",
    )

    def parse_repeating(self, values: Mapping[str, str]) -> tuple | None:
        """The values of the REPEATING columns, parsed as `parse` parses them, or None if one
        is bad."""
        try:
            return (
                self._period(values["period"]),
                self._code(values["service_code"]),
                self._name(values["service_name"]),
                self._unit(values["unit"]),
                self._tariff(values["tariff"]),
                self._source(values["volume_source"]),
                self._reason(values["recalculation_reason"]),
            )
        except FieldError:
            return None


class PaymentParser:
    """Checks payment rows; remembers the periods the file names."""

    def __init__(self) -> None:
        self.periods: set[datetime.date] = set()
        self._number = _remembered(parse_account_number)
        self._date = _remembered(lambda t: parse_date(t, label="дата оплаты"))
        self._period = _remembered(parse_period)
        self._amount = _remembered(
            lambda t: parse_decimal(t, label="сумма", places=2, limit=_MONEY_LIMIT, required=True)
        )
        self._note = _remembered(lambda t: parse_text(t, label="где оплачено", limit=200))

    def parse(self, values: Mapping[str, str]) -> tuple[tuple | None, list[str]]:
        reasons: list[str] = []
        out: list[object] = []
        for column, parse in (
            ("account_number", self._number),
            ("paid_on", self._date),
            ("amount", self._amount),
            ("note", self._note),
        ):
            try:
                out.append(parse(values[column]))
            except FieldError as exc:
                reasons.append(str(exc))
                out.append(None)
        period_text = values["period"].strip()
        period = None
        if period_text:
            try:
                period = self._period(period_text)
            except FieldError as exc:
                reasons.append(str(exc))
        external_id = values["external_id"].strip()
        if len(external_id) > 64 or not external_id.isprintable():
            reasons.append(f"номер платежа {shown(external_id)}: до 64 печатных знаков")
        if out[2] is not None and out[2] == 0:
            reasons.append("сумма оплаты равна нулю")
        if reasons:
            return None, reasons
        number, paid_on, amount, note = out
        if period is None:
            period = paid_on.replace(day=1)  # type: ignore[union-attr]
        self.periods.add(period)  # type: ignore[arg-type]
        return (number, paid_on, period, amount, external_id, note), []


# --- The fast path for accruals ----------------------------------------------------------------

_FAST_MONEY = re.compile(r"[0-9]{1,12}(?:[.,][0-9]{1,2})?")
_FAST_VOLUME = re.compile(r"[0-9]{1,10}(?:[.,][0-9]{1,6})?")


def accrual_fast_path(
    parser: AccrualParser,
) -> Callable[[dict[str, int], int], Callable[[list[str]], tuple | None]]:
    """A checker for plainly good accrual lines, the bulk of a file from a billing system.

    Values that repeat (account numbers, periods, services, tariffs, sources, empty
    recalculations) are checked once by the parsers above and then looked up; the rest
    (volume, accrued, to pay) by one regular expression each. The sum `to_pay = accrued +
    recalculation − benefit` is left to the database, which checks every staged row with SQL
    (and by the table's CHECK constraint), reporting each failing line. Anything unusual
    returns None: the slow path then checks the row and explains what is wrong.
    """

    def bind(positions: dict[str, int], width: int) -> Callable[[list[str]], tuple | None]:
        pick = operator.itemgetter(*(positions[column] for column in ACCRUAL_COLUMNS))
        known: dict[str, dict[str, object]] = {name: {} for name in ("number", "period", "service", "tariff")}
        texts: dict[str, object] = {}

        def remembered(cache: dict, text: str, parse: Callable[[str], object]) -> object:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            try:
                value = parse(text)
            except FieldError:
                return None
            cache[text] = value
            return value

        def service(code: str, name: str, unit: str) -> object:
            if "\\" in code + name + unit:
                return None  # a backslash needs COPY's escaping: the slow path does it
            triple = parser._code(code), parser._name(name), parser._unit(unit)
            parser.services.setdefault(triple[0], (triple[1], triple[2]))
            return triple

        def period(text: str) -> object:
            value = parser._period(text)
            parser.periods.add(value)
            return value.isoformat()

        def check(fields: list[str]) -> tuple | None:
            if len(fields) != width:
                return None
            (
                number,
                month,
                code,
                name,
                unit,
                tariff,
                volume,
                source,
                accrued,
                recalc,
                reason,
                benefit,
                to_pay,
            ) = pick(fields)
            cached_number = known["number"].get(number) or remembered(known["number"], number, parser._number)
            cached_period = known["period"].get(month) or remembered(known["period"], month, period)
            key = f"{code}\x00{name}\x00{unit}"
            triple = known["service"].get(key) or remembered(
                known["service"], key, lambda _: service(code, name, unit)
            )
            side = f"{tariff}\x00{source}\x00{recalc}\x00{benefit}\x00{reason}"
            extra = texts.get(side)
            if extra is None:
                extra = remembered(
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

    return bind


def _side_values(
    parser: AccrualParser, tariff: str, source: str, recalc: str, benefit: str, reason: str
) -> tuple:
    """The values of a row that repeat together from row to row, parsed by the slow parsers."""
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
