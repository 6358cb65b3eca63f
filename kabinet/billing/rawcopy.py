"""Accruals CSV on PostgreSQL: the file's bytes go with COPY straight into a batch table.

The careful road (imports.py reads, parsing.py checks each row in Python, staging.py stages
and replaces) costs microseconds a row in Python, and writing rows into an indexed table costs
as much again. Here a file whose every row is plainly good, the usual case for a billing
system's export, costs Python no work per row:

1. Each block of about a megabyte of lines is checked whole by one regular expression (RE2,
   linear time) built from the header and the services the file names: every field as the
   careful road would take it unchanged (numbers, periods, account numbers, codes and texts in
   the forms `_fields` lists), every service by its one name and unit (`_Blocks`).
   Two connections COPY the blocks into one batch table (partitions.py) at once; the table's
   CHECK constraints test the sums, and COPY the lengths and the dates.
2. Side connections then sum the batch up per account and month and build its keys (a line
   given twice fails the unique one) while the import's transaction rebuilds the balances
   (`Loaded`); at its end the batch replaces the months it holds. The accounts and services
   are checked once each (partitions.check_references) or by attaching.

Whatever is not plainly good — a value in another form, an unknown account, a line given twice,
a quote around a value that needs one — raises `Unsuitable`; the caller drops the batch and
takes the careful road, which reports every bad row (`строка N: причина`) and honours
--skip-bad. So both roads store the same rows and give the same reports; this one only decides,
cheaply, that there is nothing to report.
"""

import codecs
import csv
import datetime
import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import psycopg
import re2
from django.db import DataError, IntegrityError, OperationalError, connection

from . import bulk, imports, parsing, partitions

_CHUNK = 1 << 20
# How often the progress is reported during COPY. From the caller's thread: the upload worker
# writes it through a database connection of that thread's own.
_TICK_SECONDS = 0.25
_WORKERS = 2  # COPY connections: PostgreSQL parses and checks rows on a core per connection
_ENCODINGS = {"utf-8": "UTF8", "cp1251": "WIN1251"}
_TEXT_COLUMNS = ("service_name", "unit", "volume_source", "recalculation_reason")
# The batch's column for each of the file's; the service name goes into a column of its own.
_TABLE_COLUMNS = {"account_number": "account_id", "service_code": "service_id"}
_SOURCES = [key for key in parsing.VOLUME_SOURCES if key.isascii() and key]  # stored as written


def _text_char(encoding: str, delimiter: bytes, comma: bool) -> str:
    """A character of a text value stored exactly as written: printable, never whitespace to
    Python or changed by NFC (printable ASCII, Latin-1 letters and signs such as ² ³ ·, Cyrillic
    without its combining marks, dashes and other punctuation, currency signs, №), nor a quote,
    a backslash or the delimiter. As UTF-8 bytes, or cp1251 bytes (all but NBSP and the unused
    0x98)."""
    excluded = {b'"', b"\\", delimiter} | ({b","} if comma else set())
    ascii_chars = "".join(
        re2.escape(bytes([b])).decode("latin-1") for b in range(0x21, 0x7F) if bytes([b]) not in excluded
    )
    if encoding == "cp1251":
        return f"(?:[{ascii_chars}]|[\\x80-\\x97\\x99-\\x9f\\xa1-\\xff])"
    return (
        f"(?:[{ascii_chars}]|\\xc2[\\xa1-\\xbf]|\\xc3[\\x80-\\xbf]|[\\xd0\\xd1\\xd3][\\x80-\\xbf]"
        r"|\xd2[\x80-\x82\x8a-\xbf]|\xe2\x80[\x90-\xa7\xb0-\xbf]|\xe2\x81[\x80-\x9e]"
        r"|\xe2\x82[\xa0-\xbf]|\xe2\x84\x96)"
    )


def _number(integer: int, places: int, *, minus: bool, point: str) -> str:
    return f"{'-?' if minus else ''}[0-9]{{1,{integer}}}(?:{point}[0-9]{{1,{places}}})?"


def _fields(encoding: str, delimiter: bytes, comma: bool) -> dict[str, str]:
    """The form of each column's value that the careful road takes as it is written. A number
    has its decimal comma only in the blocks `comma` is for, whose texts hold no comma (the
    block's commas then all become points)."""
    char = _text_char(encoding, delimiter, comma)
    text = f"{char}+(?: {char}+)*"
    point = "[.,]" if comma else r"\."
    return {
        "account_number": "[0-9A-Z/-]{1,30}",
        "period": r"20[0-9]{2}-(?:0[1-9]|1[0-2])-01|01\.(?:0[1-9]|1[0-2])\.20[0-9]{2}",
        "service_code": text,
        "service_name": text,
        "unit": f"(?:{text})?",
        "tariff": f"(?:{_number(10, 4, minus=False, point=point)})?",
        "volume": f"(?:{_number(10, 6, minus=False, point=point)})?",
        "volume_source": f"(?:{'|'.join(_SOURCES)})?",
        "accrued": _number(12, 2, minus=False, point=point),
        "recalculation": _number(12, 2, minus=True, point=point),
        "recalculation_reason": f"(?:{text})?",
        "benefit": _number(12, 2, minus=False, point=point),
        "to_pay": _number(12, 2, minus=True, point=point),
    }


_SERVICE_COLUMNS = ("service_code", "service_name", "unit")
# A billing system has tens of services; a file naming more takes the careful road rather than
# make the blocks' pattern ever larger.
_MAX_SERVICES = 500
_NOTHING = "[^\\x00-\\xff]"  # matches no byte: a pattern with no services in it


def _block_pattern(
    names: list[str], *, encoding: str, delimiter: bytes, comma: bool, services: dict[str, tuple[str, str]]
):
    """Lines of the file's columns in their forms (`_fields`), whose service code, name and
    unit are one of `services`' (code -> name, unit) exactly: a block that matches names no
    other service and no service by two names. The columns from the first of the three to the
    last are matched as one of the services' spans."""
    forms = _fields(encoding, delimiter, comma)
    separator = re2.escape(delimiter).decode("latin-1")
    where = [names.index(name) for name in _SERVICE_COLUMNS]
    first, last = min(where), max(where)

    def span(values: tuple[str, str, str]) -> str:
        pairs = zip(_SERVICE_COLUMNS, values, strict=True)
        known = {column: _literal(value, encoding) for column, value in pairs}
        return separator.join(f"(?:{known.get(name, forms[name])})" for name in names[first : last + 1])

    spans = [
        span((code, name, unit))
        for code, (name, unit) in services.items()
        if not (comma and "," in code + name + unit)  # a comma there is no decimal comma
    ]
    columns = [f"(?:{forms[name]})" for name in names[:first]]
    columns.append(f"(?:{'|'.join(spans) or _NOTHING})")
    columns += [f"(?:{forms[name]})" for name in names[last + 1 :]]
    line = separator.join(columns)
    return re2.compile(f"(?:{line}\\r?\\n)*(?:{line})?".encode("latin-1"), _options())


def _field_pattern(form: str):
    return re2.compile(form.encode("latin-1"), _options())


def _options() -> re2.Options:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # bytes, matched byte by byte
    # Room for the DFA's states: with less, RE2 rebuilds them block after block, twice as slow.
    options.max_mem = 256 << 20
    return options


def _literal(value: str, encoding: str) -> str:
    return re2.escape(value.encode(encoding)).decode("latin-1")


class Unsuitable(Exception):
    """The file has to take the careful road."""


# What PostgreSQL says of a value or a row it refuses (COPY's errors come from psycopg itself,
# not through Django's cursor).
_REFUSALS = (Unsuitable, DataError, IntegrityError, psycopg.DataError, psycopg.IntegrityError)


def usable(path: Path) -> bool:
    return connection.vendor == "postgresql" and path.suffix.lower() != ".xlsx"


@dataclass
class Loaded:
    """A batch COPYed from the file (partitions.py), with the services its lines name (code ->
    name, unit; each by one name and unit). From there side connections go on, each in a
    thread of its own: the batch's sums per account and month (for the balances) beside its
    unique key, then its index of ids and the CHECK of its months after the unique key. The
    import's transaction waits for each only where it needs it, so that building the keys
    overlaps rebuilding the balances. `timings` gathers each phase's seconds, waits included, for
    `-v 2`."""

    table: str
    rows: int  # as COPY counted them
    services: dict[str, tuple[str, str]]
    references_unchecked: bool  # loaded without row triggers: see partitions.check_references
    sums: "_Task"  # -> the batch's months
    keys: list["_Task"]
    timings: dict[str, float] = field(default_factory=dict)

    def periods(self) -> list[datetime.date]:
        """The batch's months, once its sums are in."""
        return self._wait("суммы по счетам", self.sums)

    def keys_built(self) -> None:
        """`Unsuitable` if a line was given twice (the unique key failed): the careful road
        reports that line."""
        for task in self.keys:
            self._wait("ключи", task)

    def abandon(self) -> None:
        """Drop the batch, once every side connection has let go of it."""
        for task in (self.sums, *self.keys):
            task.settle()
        partitions.drop_batch(self.table, own=True)

    def _wait(self, name: str, task: "_Task"):
        started = time.perf_counter()
        try:
            return task.result()
        finally:
            name = f"ожидание: {name}"
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


def load_file(path: Path, *, progress: Callable[[int, float], None] | None) -> Loaded:
    """COPY the file into a new batch table and set its sums, services and keys going. Raises
    `Unsuitable` (having dropped the batch) when the file or a row is not plainly good; what the
    side connections find, `Loaded` raises when it is asked for."""
    started = time.perf_counter()
    header, encodings = _read_header(path)
    try:
        delimiter = imports.detect_delimiter(header)
        names = [name.strip().lower() for name in next(csv.reader([header], delimiter=delimiter), [])]
        imports.column_positions(names, parsing.ACCRUAL_COLUMNS)
    except imports.ImportFileError:
        raise Unsuitable from None  # the careful road words it
    if len(names) != len(parsing.ACCRUAL_COLUMNS):
        raise Unsuitable  # columns the table has no place for
    table = partitions.new_batch_name()
    # Where the role may turn row triggers off, the batch gets its foreign keys before the rows
    # and the references are checked once per account (partitions.check_references); else
    # ATTACH checks every row's. A side connection adds those keys, locking billing_account
    # against writers: not while a transaction of the import's own connection (a caller's
    # atomic block, a test) may hold such a lock, which would make the two wait for each other.
    in_callers_transaction = connection.in_atomic_block
    keys_checked_later = not in_callers_transaction and bulk.may_skip_row_triggers()
    if in_callers_transaction and partitions.locked_here():
        # An import earlier in the caller's transaction replaced months: until it ends, a side
        # connection would wait for it, and the import for the side connection.
        raise Unsuitable
    try:
        with partitions.side_connection() as cursor:
            if in_callers_transaction:
                # Should a lock of the caller's still stand in the way: the careful road, not a
                # wait for ever.
                cursor.execute("SET lock_timeout = '10s'")
            try:
                partitions.create_batch(cursor, table, foreign_keys=keys_checked_later)
            except OperationalError as exc:
                if isinstance(exc.__cause__, psycopg.errors.LockNotAvailable):
                    raise Unsuitable from exc
                raise
        blocks = _Blocks(path, names=names, encodings=encodings, delimiter=delimiter, progress=progress)
        rows = _copy(blocks, table=table, names=names, delimiter=delimiter, triggers=not keys_checked_later)
        if not rows:
            raise Unsuitable  # nothing to replace: the careful road says so
    except _REFUSALS:
        partitions.drop_batch(table)
        raise Unsuitable from None
    except BaseException:
        partitions.drop_batch(table)
        raise
    # The import waits first for the sums: they share the two cores with the unique key
    # only. The index of ids and the CHECK of the months follow the unique key, beside the
    # balances, which then have a core to themselves for longer.
    sums = _Task(lambda cursor: _sum_up(cursor, table))
    unique = _Task(lambda cursor: cursor.execute(partitions.unique_key_sql(table)))
    return Loaded(
        table=table,
        rows=rows,
        services=blocks.services,
        references_unchecked=keys_checked_later,
        sums=sums,
        keys=[unique, _Task(lambda cursor: _id_index(cursor, table, sums), after=unique)],
        timings={"чтение файла (COPY)": time.perf_counter() - started},
    )


def _read_header(path: Path) -> tuple[str, list[str]]:
    """The header line and the encodings the file may be in: the body decides between UTF-8
    and cp1251 when the header is ASCII."""
    try:
        with path.open("rb") as stream:
            first = stream.readline()
    except OSError:
        raise Unsuitable from None
    if not first.endswith(b"\n"):
        raise Unsuitable
    if first.startswith(codecs.BOM_UTF8):
        try:
            return first.decode("utf-8-sig"), ["utf-8"]
        except UnicodeDecodeError:
            raise Unsuitable from None
    if first.isascii():
        return first.decode("ascii"), ["utf-8", "cp1251"]
    for encoding in ("utf-8", "cp1251"):
        try:
            return first.decode(encoding), [encoding]
        except UnicodeDecodeError:
            continue
    raise Unsuitable


def _copy(blocks: "_Blocks", *, table: str, names: list[str], delimiter: str, triggers: bool) -> int:
    """COPY the blocks through `_WORKERS` connections at once; the rows copied. The first error
    stops all."""
    columns = ", ".join(_TABLE_COLUMNS.get(name, name) for name in names)
    quoted = delimiter.replace("'", "''")
    sql = (
        f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, DELIMITER '{quoted}', "
        f"ENCODING '{_ENCODINGS[blocks.encoding]}', FORCE_NOT_NULL ({', '.join(_TEXT_COLUMNS)}))"
    )

    copied: list[int] = []

    def work() -> None:
        try:
            with partitions.side_connection() as cursor:
                cursor.execute("SET datestyle = 'ISO, DMY'")  # 01.10.2026 is the 1st of October
                if not triggers:
                    cursor.execute("SET session_replication_role = replica")
                with cursor.copy(sql) as copy:
                    while (block := blocks.next()) is not None:
                        copy.write(block)
                copied.append(cursor.rowcount)
        except BaseException:
            blocks.stop()  # the other connections end their COPY
            raise

    def tick() -> None:
        try:
            blocks.report_progress()
        except BaseException:
            blocks.stop()  # the connections end their COPY
            raise

    _in_parallel(*[work] * _WORKERS, tick=tick)
    return sum(copied)


class _Blocks:
    """The file's lines after the header in checked blocks of about a megabyte, each ending at a
    line's end, handed out to the COPY threads one at a time. Raises `Unsuitable` for a block
    that is not plainly good.

    `services` (code -> name, unit) are the file's: read from the lines of the first block, and
    of a later one that names a service not seen before. Each block's pattern then takes those
    services only, so that a block that matches it names each by its one name and unit."""

    def __init__(
        self, path: Path, *, names: list[str], encodings: list[str], delimiter: str, progress
    ) -> None:
        self.stream: BinaryIO = path.open("rb")
        self.stream.readline()  # the header, read by the caller
        self.size = path.stat().st_size or 1
        self.lines = 1
        self.share = 0.0
        self.carry = b""
        self.stopped = False
        self.lock = threading.Lock()
        self.progress = progress
        self.delimiter = delimiter
        self.names = names
        self.service_at = [names.index(name) for name in _SERVICE_COLUMNS]
        self.parser = parsing.AccrualParser()
        self.pending = self._read()
        # The first block decides the encoding the file is in; the rest must be in it too.
        for encoding in encodings:
            self._use(encoding)
            try:
                self.pending = self._checked(self.pending)
                break
            except Unsuitable:
                continue
        else:
            self.stream.close()
            raise Unsuitable

    def _use(self, encoding: str) -> None:
        self.encoding = encoding
        self.services: dict[str, tuple[str, str]] = {}
        forms = _fields(encoding, self.delimiter.encode(), comma=False)
        self.service_forms = [_field_pattern(forms[name]) for name in _SERVICE_COLUMNS]
        self._compile()

    def _compile(self) -> None:
        def pattern(comma: bool):
            return _block_pattern(
                self.names,
                encoding=self.encoding,
                delimiter=self.delimiter.encode(),
                comma=comma,
                services=self.services,
            )

        self.plain = pattern(comma=False)
        self.comma = pattern(comma=True) if self.delimiter != "," else None

    def stop(self) -> None:
        with self.lock:
            self._stop_reading()

    def next(self) -> bytes | None:
        with self.lock:
            if self.stopped:
                return None
            # The first block, checked already, unless its rows were all empty.
            pending, self.pending = self.pending, None
            try:
                block = pending or self._read()
                checked = block if block is pending else self._checked(block)
            except BaseException:
                self._stop_reading()
                raise
            if not block:
                self._stop_reading()
                return None
            self.lines += block.count(b"\n")
            self.share = min(self.stream.tell() / self.size, 1.0)
            return checked

    def report_progress(self) -> None:
        """The lines handed out so far and their share of the file, to `progress`."""
        if self.progress is not None:
            with self.lock:
                lines, share = self.lines, self.share
            self.progress(lines - 1, share)

    def _stop_reading(self) -> None:
        self.stopped = True
        self.stream.close()

    def _read(self) -> bytes:
        data = self.carry + self.stream.read(_CHUNK)
        cut = data.rfind(b"\n") + 1
        if not cut and data:
            data += self.stream.readline()  # a line longer than a block
            cut = len(data) if data.endswith(b"\n") else 0
        if not cut:
            self.carry = b""
            return data  # the last line, without a line break
        self.carry = data[cut:]
        return data[:cut]

    def _checked(self, block: bytes, *, rewritten: bool = False) -> bytes:
        if self.plain.fullmatch(block):
            return block
        if self.comma is not None and self.comma.fullmatch(block):
            return block.replace(b",", b".")
        if self._learn_services(block):
            return self._checked(block, rewritten=rewritten)
        if not rewritten and _maybe_plain_once_read(block):
            return self._checked(self._rewritten(block), rewritten=True)
        raise Unsuitable

    def _learn_services(self, block: bytes) -> bool:
        """Add the services whose codes the block's lines name for the first time, each if it
        is written as the careful road would take it unchanged; whether there were any. A known
        code by another name or unit stays out of the patterns, so its line fails them: which
        name is the service's is the careful road's business."""
        try:
            text = block.decode(self.encoding)
        except UnicodeDecodeError:
            return False
        learned = False
        try:
            for fields in csv.reader(text.splitlines(), delimiter=self.delimiter):
                if len(fields) != len(self.names):
                    continue  # the block fails its pattern whatever the services
                code, name, unit = (fields[at] for at in self.service_at)
                if code not in self.services and self._plain_service(code, name, unit):
                    self.services[code] = (name, unit)
                    learned = True
        except csv.Error:
            pass  # not a block the csv module reads: it fails its pattern whatever the services
        if len(self.services) > _MAX_SERVICES:
            raise Unsuitable
        if learned:
            self._compile()
        return learned

    def _plain_service(self, code: str, name: str, unit: str) -> bool:
        try:
            checked = (self.parser._code(code), self.parser._name(name), self.parser._unit(unit))
            written = [value.encode(self.encoding) for value in (code, name, unit)]
        except (parsing.FieldError, UnicodeEncodeError):
            return False
        plain = zip(self.service_forms, written, strict=True)
        return checked == (code, name, unit) and all(form.fullmatch(value) for form, value in plain)

    def _rewritten(self, block: bytes) -> bytes:
        """The block as the csv module reads it, without its empty rows. A value that needs its
        quotes (a delimiter, a quote or a line break in it, or a quote left open at the block's
        end) is for the careful road."""
        try:
            text = block.decode(self.encoding)
        except UnicodeDecodeError:
            raise Unsuitable from None
        if text.count("\r") != text.count("\r\n"):
            raise Unsuitable  # a lone carriage return: a line break to the csv module
        newline = "\r\n" if "\r\n" in text else "\n"
        out = io.StringIO()
        try:
            for fields in csv.reader(text.splitlines(keepends=True), delimiter=self.delimiter, strict=True):
                if not any(value.strip() for value in fields):
                    continue
                if any(self.delimiter in v or '"' in v or "\n" in v or "\r" in v for v in fields):
                    raise Unsuitable
                out.write(self.delimiter.join(fields) + newline)
        except csv.Error:
            raise Unsuitable from None
        return out.getvalue().encode(self.encoding)


class _Task:
    """Work on a batch through a side connection, in a thread of its own from the start; with
    `after`, begun once that task has ended."""

    def __init__(self, work: Callable[[Any], Any], *, after: "_Task | None" = None) -> None:
        self.value: Any = None
        self.failure: BaseException | None = None
        self.after = after
        self.thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self.thread.start()

    def _run(self, work: Callable[[Any], Any]) -> None:
        if self.after is not None:
            self.after.settle()
        try:
            with partitions.side_connection() as cursor:
                self.value = work(cursor)
        except BaseException as exc:  # handed to the thread that asks for the result
            self.failure = exc

    def result(self) -> Any:
        self.thread.join()
        if isinstance(self.failure, _REFUSALS):
            raise Unsuitable from self.failure
        if self.failure is not None:
            raise self.failure
        return self.value

    def settle(self) -> None:
        """Wait for the thread, whatever becomes of it."""
        self.thread.join()


def _sum_up(cursor, table: str) -> list[datetime.date]:
    """The batch's sums (partitions.sums_sql); its months."""
    for sql in partitions.sums_sql(table):
        cursor.execute(sql)
    # For the plans of the balances' queries: without, they take a third longer. A small
    # sample is plenty for them, and the ANALYZE is then a few milliseconds, not a tenth of a second.
    cursor.execute("SET default_statistics_target = 10")
    cursor.execute(f"ANALYZE {table}_sums")
    return partitions.batch_periods(cursor, table)


def _id_index(cursor, table: str, sums: _Task) -> None:
    """The batch's index of ids, then a CHECK of its months (known from its sums), which spares
    ATTACH a pass over the rows of its own."""
    cursor.execute(partitions.id_index_sql(table))
    try:
        months = sums.result()
    except Exception:
        return  # the import is about to drop the batch
    partitions.add_months_check(cursor, table, months)


def _in_parallel(*tasks: Callable[[], None], tick: Callable[[], None] | None = None) -> None:
    """Run the tasks in threads of their own, calling `tick` on the caller's thread every
    `_TICK_SECONDS` meanwhile and once at the end (until it fails: it is to stop the tasks
    then); wait for them all and re-raise the first failure."""
    failures: list[BaseException] = []

    def run(task: Callable[[], None]) -> None:
        try:
            task()
        except BaseException as exc:  # handed to the caller's thread below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(_TICK_SECONDS)
            if tick is not None and not failures:
                try:
                    tick()
                except BaseException as exc:  # raised below, once the threads have ended
                    failures.append(exc)
    if failures:
        raise failures[0]


def _maybe_plain_once_read(block: bytes) -> bool:
    """Quotes or empty rows: as the csv module reads the block, it may be plain."""
    return b'"' in block or b"\n\n" in block or b"\n\r\n" in block or block.startswith((b"\n", b"\r\n"))
