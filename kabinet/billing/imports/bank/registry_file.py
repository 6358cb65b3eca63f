"""The kind `sber-registry`: a bank's payment registry, read through a profile (profiles.py).

The whole file is checked before anything changes: its encoding, its closing totals line (a file
without one was cut short, unless its profile says the bank may leave it out), every line; the
count and sum of the payments must be those of the totals line, when there is one. Then its
payments are recorded once each (record.py), the registry itself is kept (`PaymentRegistry`),
and the readings typed at the bank go to the meters app (readings.py).
"""

import codecs
import datetime
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from kabinet.core import formats, normalize

from ...bulk import postgres
from ...models import PaymentRegistry
from ..fields import (
    CACHE_LIMIT,
    MONEY_LIMIT,
    FieldError,
    parse_date,
    parse_decimal,
    parse_text,
    remembered,
    shown,
)
from ..read import PROGRESS_EVERY, ImportFileError, Progress, shown_name
from ..staging import stage_writer, staging_table
from . import blocks, profiles, readings
from .profiles import Profile, Totals
from .record import (
    REGISTRY,
    STAGE,
    drop_lines,
    new_with_readings,
    record_payments,
    registry_operation_id,
    repeated_operations,
)
from .report import BankReport, Stopped

_ENCODING_NAMES = {"cp1251": "Windows-1251", "utf-8": "UTF-8", "koi8-r": "KOI8-R", "cp866": "CP866 (DOS)"}
_TAIL = 1 << 16
_BLOCK = 1 << 20


def import_file(
    *,
    path: Path,
    skip_bad: bool = False,
    progress: Progress | None = None,
    profile: str = "",
    file_name: str = "",
) -> BankReport:
    """Import a registry file: every line checked, the totals line compared, then its payments
    recorded. Raises `ImportFileError` (nothing changed) for a file that can't be used at all.
    `file_name` is the name the registry is known by (`read.shown_name`): in the messages, the
    payments' notes, the unmatched payments and the registry's record."""
    chosen = profiles.get(profile) if profile else None
    encoding = chosen.encoding if chosen else "cp1251"
    _check_encoding(path, encoding, chosen, file_name)
    name = shown_name(path, file_name)
    totals_line, body_end = _totals_line(path, encoding, name)
    if chosen is None:
        chosen = profiles.detect(_first_line(path, encoding))
    totals = chosen.totals if chosen.totals and totals_line.startswith(chosen.totals.prefix) else None
    if totals is None and chosen.totals is not None and chosen.totals.required:
        raise ImportFileError(
            f"В файле «{name}» нет итоговой строки (она начинается с «{chosen.totals.prefix}»): "
            "похоже, файл оборван. Ничего не изменено — запросите реестр у банка заново."
        )
    if totals is None:
        body_end, totals_line = path.stat().st_size, ""  # the last line is a payment's
    report = BankReport(skip_bad=skip_bad, title=f"реестр {name}: ", without_totals=totals is None)
    try:
        with transaction.atomic(), staging_table(STAGE):
            _load(chosen, totals, path, name, encoding, body_end, totals_line, report, progress)
    except Stopped:
        pass  # bad lines and no --skip-bad: the report lists them, nothing changed
    return report


def _load(
    chosen: Profile,
    totals: Totals | None,
    path: Path,
    name: str,
    encoding: str,
    body_end: int,
    totals_line: str,
    report: BankReport,
    progress: Progress | None,
) -> None:
    reader = _LineReader(chosen, name, encoding, add_commission=totals is None)
    started = begun = time.perf_counter()
    # A registry without its totals line has its lines' commissions added up by `parse`: read line
    # by line.
    if postgres() and blocks.usable(chosen) and not reader.add_commission:
        road = blocks.BlockRoad(chosen, note=reader.note)
        rows = 0
        for before, block in _blocks(path, body_end, progress):
            taken = road.take(block, first_line=before + 1)
            if taken is None:  # a block with a line that is not plain: read line by line
                road.pause()
                rows += _read_lines(reader, _block_lines(block, before, encoding), report)
            else:
                rows += taken
        reader.total += road.finish()
    else:
        rows = _read_lines(reader, _lines(path, encoding, body_end, progress), report)
    report.rows_read = rows
    report.timings["чтение и проверка строк"] = time.perf_counter() - started
    report.total = reader.total
    if abs(reader.total) >= MONEY_LIMIT:
        # Each line fits a payment's amount, but their sum must fit the registry's too.
        raise ImportFileError(
            f"Сумма платежей реестра {formats.money(reader.total)} больше, чем может быть в одном "
            f"реестре (меньше {formats.money(MONEY_LIMIT)}). Файл не загружен, ничего не изменено: "
            "проверьте суммы в файле."
        )
    summary = _TotalsLine(totals, totals_line, chosen.separator) if totals is not None else None
    if summary is not None:
        _check_totals(summary, totals_line, report, reader)
        report.commission = summary.money(summary.totals.commission)
    else:
        report.commission = reader.commission
    started = time.perf_counter()
    repeated_operations(report)
    report.timings["проверка повторов"] = time.perf_counter() - started
    if report.error_count and not report.skip_bad:
        report.applied = False
        raise Stopped(report)  # leaving the transaction so rolls it back
    if report.error_count:
        drop_lines([line for line, _ in report.errors])
    now = record_payments(report, kind=REGISTRY, file_name=name)
    if reader.readings:  # a registry's million payments without readings look for none
        _submit_readings(report, reader.readings, new_with_readings(now))
    _keep_registry(chosen, summary, name, report)
    report.timings["итого"] = time.perf_counter() - begun


def _read_lines(reader: "_LineReader", lines: Iterable[tuple[int, str]], report: BankReport) -> int:
    """Stage the good lines among `lines`, report the bad ones; how many lines there were."""
    plain = reader.plain_line_check()
    rows = 0
    with stage_writer(STAGE) as writer:
        add_plain = writer.add_plain
        for line, text in lines:
            rows += 1
            if plain is not None:
                values = plain(text)
                if values is not None:
                    add_plain(line, values)
                    continue
            staged, reasons = reader.parse(text, line)
            if reasons:
                report.add_error(line, "; ".join(reasons))
            else:
                writer.add(line, staged)
    return rows


class _LineReader:
    """Checks a registry's payment lines; adds up their amounts; keeps their readings."""

    def __init__(
        self, profile: Profile, file_name: str, encoding: str = "", add_commission: bool = False
    ) -> None:
        self.profile = profile
        self.encoding = encoding
        self.total = Decimal(0)
        self.amounts_known = True
        # The lines' commission, added up when no totals line says it; None: not known.
        self.add_commission = add_commission and bool(profile.commission)
        self.commission: Decimal | None = Decimal(0) if self.add_commission else None
        self.readings: dict[str, list[readings.BankReading]] = {}
        self.note = f"{profile.note}, реестр {file_name}"[:200]
        self._date = remembered(self._parse_date)
        self._period = remembered(_parse_period)

    def _parse_date(self, text: str) -> datetime.date:
        value = text.strip()
        if self.profile.date_format == "dd/mm/yyyy":
            value = value.replace("/", ".")
        return parse_date(value, label="дата оплаты")

    def parse(self, text: str, line: int) -> tuple[tuple, list[str]]:
        profile = self.profile
        values = text.split(profile.separator)
        tags: dict[str, str] = {}
        if profile.tagged:
            positional = []
            for value in values:
                name, colon, rest = value.partition(":")
                if colon and name.strip().replace("_", "").isalnum() and not name.strip().isdigit():
                    tags[name.strip().upper()] = rest.strip()
                else:
                    positional.append(value)
            values = positional
        if len(values) < profile.fields:
            return (), [f"полей в строке {len(values)}, а в формате «{profile.title}» — {profile.fields}"]
        reasons: list[str] = []

        def field(position: int | None) -> str:
            return values[position - 1].strip() if position else ""

        try:
            paid_on = self._date(field(profile.date))
        except FieldError as exc:
            reasons.append(str(exc))
            paid_on = None
        try:
            amount = parse_decimal(field(profile.amount), label="сумма", places=2, limit=MONEY_LIMIT)
            if amount == 0:
                reasons.append("сумма платежа равна нулю")
        except FieldError as exc:
            reasons.append(str(exc))
            amount = None
            self.amounts_known = False
        if amount is not None:
            self.total += amount
        period = None
        if profile.period and field(profile.period):
            try:
                period = self._period(field(profile.period))
            except FieldError as exc:
                reasons.append(str(exc))
        payer, address = (_text(field(p), limit=300) for p in (profile.full_name, profile.address))
        account_text = (
            tags.get(str(profile.account).upper(), "") if profile.tagged else field(profile.account)
        )
        number = normalize.account_number(account_text)
        reason = None
        if not number:
            reason = "в строке не указан лицевой счёт"
        elif not normalize.is_valid_account_number(number):
            reason = f"номер лицевого счёта {shown(account_text)} указан с ошибкой"
            number = account_text.strip()[:60]
        operation = ";".join(field(p) for p in profile.operation)
        if not operation.strip(";"):
            reasons.append("не указан номер операции банка")
        if reasons:
            return (), reasons
        if self.commission is not None:
            try:
                self.commission += parse_decimal(
                    field(profile.commission), label="комиссия", places=2, limit=MONEY_LIMIT, required=False
                ) or Decimal(0)
            except FieldError:
                self.commission = None  # one unreadable: the sum is not known
        external_id = registry_operation_id(operation)
        found = self._readings(tags, line, number, paid_on)
        if found:
            self.readings[external_id] = found
        staged = (external_id, number, paid_on, period, paid_on.replace(day=1), amount, payer, address, "",
                  self.note, reason, int(bool(found)))  # fmt: skip
        return staged, []

    def plain_line_check(self) -> Callable[[str], list[str | None]] | None:
        """For a layout of fields in their places (not tagged): a check of a line whose every
        value is plainly good — a date and a period seen before, an amount of digits, an account
        number and names as they are stored — that returns the staged values as text (what
        `parse` would stage, for the writer's `add_plain`), or None: `parse` then reads the
        line and says what is wrong with it. A registry's million lines are mostly plain, and
        this costs each a few microseconds instead of tens."""
        profile = self.profile
        if profile.tagged or not _plain_text(self.note) or self.add_commission:
            return None  # (the commission of each line is added up by `parse`)
        separator, width, note = profile.separator, profile.fields, self.note
        at_date, at_amount, at_account = profile.date - 1, profile.amount - 1, int(profile.account) - 1
        at_period = profile.period - 1 if profile.period else None
        at_payer, at_address = (p - 1 if p else None for p in (profile.full_name, profile.address))
        plain_text = _plain_chars if self.encoding in _ALWAYS_NFC else _plain_text
        at_operation = [p - 1 for p in profile.operation]
        dates: dict[str, tuple[str, str] | None] = {}
        periods: dict[str, str | None] = {"": None}

        def date_of(text: str) -> tuple[str, str] | None:
            try:
                paid_on = self._date(text.strip())
            except FieldError:
                found = None
            else:
                found = (paid_on.isoformat(), paid_on.replace(day=1).isoformat())  # type: ignore[union-attr]
            if len(dates) < CACHE_LIMIT:
                dates[text] = found
            return found

        def period_of(text: str) -> str | None:
            try:
                found = self._period(text.strip()).isoformat()  # type: ignore[union-attr]
            except FieldError:
                found = ""  # not a month: `parse` says so
            if len(periods) < CACHE_LIMIT:
                periods[text] = found
            return found

        def check(text: str) -> list[str | None] | None:
            values = text.split(separator)
            if len(values) < width:
                return None
            day = dates[values[at_date]] if values[at_date] in dates else date_of(values[at_date])
            amount = values[at_amount]
            number = values[at_account]
            if day is None or not _PLAIN_AMOUNT.fullmatch(amount) or not _PLAIN_ACCOUNT.fullmatch(number):
                return None
            if at_period is None:
                period = None
            else:
                month = values[at_period]
                period = periods[month] if month in periods else period_of(month)
                if period == "":
                    return None
            payer = values[at_payer] if at_payer is not None else ""
            address = values[at_address] if at_address is not None else ""
            if not (plain_text(payer) and plain_text(address)):
                return None
            operation = ";".join([values[at].strip() for at in at_operation])
            if not operation.strip(";") or "\\" in operation or "\t" in operation:
                return None
            amount = amount.replace(",", ".")
            if not amount.strip("0."):
                return None  # a zero amount: `parse` refuses it
            self.total += Decimal(amount)
            key = f"{REGISTRY}{operation}"  # `registry_operation_id`, inline: a call a line costs
            if len(key) > 64:
                key = registry_operation_id(operation)
            return [key, number, day[0], period, day[1], amount, payer[:300], address[:300], "", note, None,
                    "0"]  # fmt: skip

        return check

    def _readings(self, tags: dict[str, str], line: int, number: str, taken_on) -> list[readings.BankReading]:
        prefix = self.profile.readings_tag.upper()
        if not prefix:
            return []
        found = []
        for name, value in tags.items():
            if name.startswith(prefix) and name[len(prefix) :].isdigit() and value:
                found.append(readings.BankReading(line, number, taken_on, int(name[len(prefix) :]), value))
        return sorted(found, key=lambda r: r.number)


# The plain forms of `plain_line_check`: an amount (two places at most, no leading zeros, as
# `parse_decimal` would store it); an account number as `normalize.account_number` keeps it and
# `is_valid_account_number` takes it.
_PLAIN_AMOUNT = re.compile(r"(?:0|[1-9][0-9]{0,11})(?:[.,][0-9]{1,2})?")
_PLAIN_ACCOUNT = re.compile(r"[0-9A-ZА-ЯЁ/-]{1,30}")


def _plain_text(value: str) -> bool:
    """Whether `parse_text` keeps the text as it is and COPY takes it as it is: printable (no
    control characters, no whitespace but the space: `isprintable`), single spaces inside and
    none at the edges, in NFC, no backslash. String methods, not a pattern: a registry has two
    such texts in each of its million lines."""
    return _plain_chars(value) and unicodedata.is_normalized("NFC", value)


def _plain_chars(value: str) -> bool:
    """`_plain_text` but for NFC: for text decoded from an encoding of `_ALWAYS_NFC`."""
    return (
        value.isprintable()
        and "  " not in value
        and value[:1] != " "
        and value[-1:] != " "
        and "\\" not in value
        and len(value) <= 10_000
    )


# Single-byte encodings whose every text is in NFC: none of their characters combines with
# another (checked for every pair of them), so a registry's names need no check of that.
_ALWAYS_NFC = frozenset({"cp1251", "koi8-r", "cp866"})


def _text(text: str, *, limit: int) -> str:
    try:
        return parse_text(text, label="текст", limit=10_000)[:limit]
    except FieldError:
        return ""


def _parse_period(text: str) -> datetime.date:
    """`ММГГГГ`, `ММ.ГГГГ` or `ММГГ`, as the banks write the month paid for."""
    value = text.strip().replace(".", "").replace("/", "")
    if value.isdigit() and len(value) in (4, 6):
        month, year = int(value[:2]), int(value[2:])
        year += 2000 if year < 100 else 0
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return datetime.date(year, month, 1)
    raise FieldError(f"период {shown(text)} не распознан: нужен месяц, например 112026 или 11.2026")


def _check_encoding(path: Path, encoding: str, profile: Profile | None, file_name: str) -> None:
    """A file in another encoding than the profile's is refused before it is read: its names
    would be stored garbled."""
    try:
        with path.open("rb") as stream:
            head = stream.read(1 << 20)
    except OSError as exc:
        raise ImportFileError(
            f"Файл «{file_name or path}» не удаётся прочитать: {exc.strerror or exc}."
        ) from None
    name = shown_name(path, file_name)
    if not head.strip():
        raise ImportFileError(f"Файл «{name}» пуст.")
    wanted = _ENCODING_NAMES.get(encoding, encoding)
    looks_utf8 = not head.isascii() and _decodes(head, "utf-8")
    if encoding != "utf-8" and looks_utf8:
        title = f"профиль «{profile.name}»" if profile else "реестр Сбербанка"
        # No profile reads UTF-8 and the encoding can't be chosen apart from one: what the
        # operator can do is to have the file in the profile's encoding.
        raise ImportFileError(
            f"Файл «{name}» в кодировке UTF-8, а {title} ждёт {wanted}: ФИО и адреса "
            f"записались бы искажёнными. Ничего не изменено — сохраните файл в кодировке {wanted} "
            f"и загрузите его снова или попросите банк присылать реестры в {wanted}."
        )
    if not _decodes(head, encoding):
        raise ImportFileError(f"Файл «{name}» не читается в кодировке {wanted}. Ничего не изменено.")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _totals_line(path: Path, encoding: str, name: str) -> tuple[str, int]:
    """The file's last non-empty line and where the lines before it end (in bytes)."""
    size = path.stat().st_size
    with path.open("rb") as stream:
        stream.seek(max(0, size - _TAIL))
        tail = stream.read()
    stripped = tail.rstrip(b"\r\n \t\x1a")  # \x1a: DOS's end of file
    start = stripped.rfind(b"\n") + 1
    body_end = size - len(tail) + start
    try:
        return stripped[start:].decode(encoding).strip(), body_end
    except UnicodeDecodeError:
        raise ImportFileError(f"Последняя строка файла «{name}» не читается. Ничего не изменено.") from None


def _first_line(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as stream:
        for text in stream:
            if text.strip() and not text.startswith("#"):
                return text
    return ""


def _blocks(path: Path, end: int, progress: Progress | None) -> Iterator[tuple[int, bytes]]:
    """The lines before the totals line (which starts at `end`) in blocks of about a megabyte,
    each ending at a line's end, with the number of lines before each."""
    size = path.stat().st_size or 1
    number = 0
    done = 0
    carry = b""
    with path.open("rb") as stream:
        while done < end:
            chunk = stream.read(min(_BLOCK, end - done))
            if not chunk:
                break  # the file grew shorter while it was read
            data = carry + chunk
            done += len(chunk)
            cut = data.rfind(b"\n") + 1 if done < end else len(data)
            if not cut:  # a line longer than a block
                carry = data
                continue
            block, carry = data[:cut], data[cut:]
            yield number, block
            lines = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
            if progress is not None:
                # Every PROGRESS_EVERY lines of the block, the share read to that line as if the
                # block's lines were of one length.
                start = done - len(carry) - len(block)
                for at in range(number // PROGRESS_EVERY + 1, (number + lines) // PROGRESS_EVERY + 1):
                    part = (at * PROGRESS_EVERY - number) / lines
                    progress(at * PROGRESS_EVERY, min((start + part * len(block)) / size, 1.0))
            number += lines


def _lines(path: Path, encoding: str, end: int, progress: Progress | None) -> Iterator[tuple[int, str]]:
    """(line number, text) of the payment lines: those before the totals line (which starts at
    `end`), blank ones and `#` header lines left out. Read and decoded a block of lines at a
    time."""
    for before, block in _blocks(path, end, progress):
        yield from _block_lines(block, before, encoding)


def _block_lines(block: bytes, before: int, encoding: str) -> Iterator[tuple[int, str]]:
    try:
        text = block.decode(encoding)
    except UnicodeDecodeError:
        _undecodable(block, before, encoding)
        raise
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    for number, value in enumerate(lines, start=before + 1):
        value = value.rstrip("\r\n")
        if not value.strip() or value.startswith("#"):
            continue
        yield number, value


def _undecodable(block: bytes, before: int, encoding: str) -> None:
    """Raise the refusal naming the first line of `block` that does not decode."""
    for number, raw in enumerate(block.split(b"\n"), start=before + 1):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            raise ImportFileError(
                f"строка {number}: не читается в кодировке {_ENCODING_NAMES.get(encoding, encoding)}. "
                "Ничего не изменено."
            ) from None


class _TotalsLine:
    """The values of a totals line, by their positions (from 1, after the prefix), and the
    profile's `Totals` that says which is which."""

    def __init__(self, totals: Totals, text: str, separator: str) -> None:
        self.totals = totals
        self.values = text[len(totals.prefix) :].split(separator)

    def __call__(self, position: int | None) -> str:
        return self.values[position - 1].strip() if position and position <= len(self.values) else ""

    def money(self, position: int | None) -> Decimal | None:
        try:
            return parse_decimal(self(position), label="сумма", places=2, limit=MONEY_LIMIT, required=False)
        except FieldError:
            return None

    def date(self, position: int | None) -> datetime.date | None:
        try:
            return parse_date(self(position), label="дата")
        except FieldError:
            return None


def _check_totals(value: _TotalsLine, text: str, report: BankReport, reader: _LineReader) -> None:
    totals = value.totals
    try:
        count = int(value(totals.count))
        amount = parse_decimal(value(totals.amount), label="сумма", places=2, limit=MONEY_LIMIT * 1000)
    except (ValueError, FieldError):
        raise ImportFileError(
            f"Итоговая строка не разобрана: «{text[:80]}». Нужны число платежей и их сумма. "
            "Ничего не изменено."
        ) from None
    lines = report.rows_read
    if count != lines or (reader.amounts_known and amount != reader.total):
        raise ImportFileError(
            f"Итоговая строка реестра не сходится с платежами: в ней платежей {count} на "
            f"{formats.money(amount)}, а в файле {lines} на {formats.money(reader.total)}. Файл не "
            "загружен, ничего не изменено: запросите у банка реестр заново."
        )


def _submit_readings(
    report: BankReport, found: dict[str, list[readings.BankReading]], new: dict[str, str]
) -> None:
    taken = []
    for external_id, account in new.items():
        for reading in found.get(external_id, []):
            if not account:
                report.note(
                    reading.line, f"показание прибора № {reading.number} не принято: платёж не разнесён"
                )
                report.readings_refused.append(readings.ReadingResult(reading, False, "платёж не разнесён"))
            else:
                taken.append(reading)
    for result in readings.submit(taken):
        if result.accepted:
            report.readings_accepted += 1
        else:
            report.readings_refused.append(result)
            meter = result.meter or f"№ {result.reading.number}"
            report.note(
                result.reading.line,
                f"показание {result.reading.value} прибора {meter} не принято: {result.message}",
            )


def _keep_registry(profile: Profile, line: _TotalsLine | None, name: str, report: BankReport) -> None:
    """The registry's record: the payment order's values from the totals line, when there is one."""
    transferred, order_number, order_date = None, "", None
    if line is not None:
        totals = line.totals
        transferred, order_number = line.money(totals.transferred), line(totals.order_number)[:30]
        order_date = line.date(totals.order_date)
    PaymentRegistry.objects.create(
        profile=profile.name,
        file_name=name[:255],
        rows=report.rows_read,
        total=report.total,
        transferred=transferred,
        commission=report.commission,
        order_number=order_number,
        order_date=order_date,
    )
