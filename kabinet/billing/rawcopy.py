"""Accruals CSV on PostgreSQL: the file's bytes go with COPY straight into a batch table.

The careful road (imports.py reads, parsing.py checks each row in Python, staging.py stages
and replaces) costs microseconds a row in Python, and writing rows into an indexed table costs
as much again. Here a file whose every row is plainly good, the usual case for a billing
system's export, costs Python no work per row:

1. Each block of about a megabyte of lines is checked whole by one regular expression (RE2,
   linear time) built from the header: every field as the careful road would take it unchanged
   (numbers, periods, account numbers, codes and texts in the forms listed in `_FIELDS`).
   Two connections COPY the blocks into one batch table (partitions.py) at once; the table's
   CHECK constraints test the sums, and COPY the lengths and the dates.
2. The services and months the file names are read with one query; the batch's keys are built
   (a line given twice fails the unique one); attaching the batch checks accounts and services.

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
from typing import BinaryIO

import psycopg
import re2
from django.db import DataError, IntegrityError, connection

from . import imports, parsing, partitions

_CHUNK = 1 << 20
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


def _block_pattern(names: list[str], *, encoding: str, delimiter: bytes, comma: bool):
    forms = _fields(encoding, delimiter, comma)
    line = re2.escape(delimiter).decode("latin-1").join(f"(?:{forms[name]})" for name in names)
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # bytes, matched byte by byte
    options.max_mem = 64 << 20
    return re2.compile(f"(?:{line}\\r?\\n)*(?:{line})?".encode("latin-1"), options)


class Unsuitable(Exception):
    """The file has to take the careful road."""


# What PostgreSQL says of a value or a row it refuses (COPY's errors come from psycopg itself,
# not through Django's cursor).
_REFUSALS = (Unsuitable, DataError, IntegrityError, psycopg.DataError, psycopg.IntegrityError)


def usable(path: Path) -> bool:
    return connection.vendor == "postgresql" and path.suffix.lower() != ".xlsx"


@dataclass
class Loaded:
    """A batch loaded from the file: its table, rows, months and services (code -> name, unit)."""

    table: str
    rows: int
    periods: list[datetime.date]
    services: dict[str, tuple[str, str]]
    timings: dict[str, float] = field(default_factory=dict)


def load_file(path: Path, *, progress: Callable[[int, float], None] | None) -> Loaded:
    """COPY the file into a new batch table and build its keys. Raises `Unsuitable` (having
    dropped the batch) when the file or a row is not plainly good."""
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
    try:
        with partitions.side_connection() as cursor:
            partitions.create_batch(cursor, table)
        blocks = _Blocks(path, names=names, encodings=encodings, delimiter=delimiter, progress=progress)
        _copy(blocks, table=table, names=names, delimiter=delimiter)
        copied = time.perf_counter()
        rows, periods, services = _index(table)
    except _REFUSALS:
        partitions.drop_batch(table)
        raise Unsuitable from None
    except BaseException:
        partitions.drop_batch(table)
        raise
    if not rows:
        partitions.drop_batch(table)
        raise Unsuitable  # nothing to replace: the careful road says so
    return Loaded(
        table=table,
        rows=rows,
        periods=periods,
        services=services,
        timings={
            "чтение файла (COPY)": copied - started,
            "услуги, месяцы и ключи": time.perf_counter() - copied,
        },
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


def _copy(blocks: "_Blocks", *, table: str, names: list[str], delimiter: str) -> None:
    """COPY the blocks through `_WORKERS` connections at once; the first error stops all."""
    columns = ", ".join(_TABLE_COLUMNS.get(name, name) for name in names)
    quoted = delimiter.replace("'", "''")
    sql = (
        f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, DELIMITER '{quoted}', "
        f"ENCODING '{_ENCODINGS[blocks.encoding]}', FORCE_NOT_NULL ({', '.join(_TEXT_COLUMNS)}))"
    )

    def work() -> None:
        try:
            with partitions.side_connection() as cursor:
                cursor.execute("SET datestyle = 'ISO, DMY'")  # 01.10.2026 is the 1st of October
                with cursor.copy(sql) as copy:
                    while (block := blocks.next()) is not None:
                        copy.write(block)
        except BaseException:
            blocks.stop()  # the other connections end their COPY
            raise

    _in_parallel(*[work] * _WORKERS)


class _Blocks:
    """The file's lines after the header in checked blocks of about a megabyte, each ending at a
    line's end, handed out to the COPY threads one at a time. Raises `Unsuitable` for a block
    that is not plainly good."""

    def __init__(
        self, path: Path, *, names: list[str], encodings: list[str], delimiter: str, progress
    ) -> None:
        self.stream: BinaryIO = path.open("rb")
        self.header = self.stream.readline()
        self.size = path.stat().st_size or 1
        self.lines = 1
        self.carry = b""
        self.stopped = False
        self.lock = threading.Lock()
        self.progress = progress
        self.delimiter = delimiter
        self.names = names
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
        delimiter = self.delimiter.encode()
        self.plain = _block_pattern(self.names, encoding=encoding, delimiter=delimiter, comma=False)
        self.comma = (
            _block_pattern(self.names, encoding=encoding, delimiter=delimiter, comma=True)
            if self.delimiter != ","
            else None
        )

    def stop(self) -> None:
        self.stopped = True

    def next(self) -> bytes | None:
        with self.lock:
            if self.stopped:
                return None
            try:
                if self.pending is not None:
                    block, checked, self.pending = self.pending, self.pending, None
                else:
                    block = self._read()
                    checked = self._checked(block) if block else b""
                if not block:
                    self.stream.close()
                    self.stopped = True
                    return None
            except BaseException:
                self.stopped = True
                self.stream.close()
                raise
            self.lines += block.count(b"\n")
            if self.progress is not None:
                self.progress(self.lines - 1, min(self.stream.tell() / self.size, 1.0))
            return checked

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

    def _checked(self, block: bytes) -> bytes:
        if b'"' in block or block.startswith((b"\n", b"\r\n")) or b"\n\n" in block or b"\n\r\n" in block:
            block = self._rewritten(block)
        if self.plain.fullmatch(block):
            return block
        if self.comma is not None and self.comma.fullmatch(block):
            return block.replace(b",", b".")
        raise Unsuitable

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


def _index(table: str) -> tuple[int, list[datetime.date], dict[str, tuple[str, str]]]:
    """Build the batch's keys in one connection while another reads its services and months
    and sums it up for the balances; then give the batch its keys."""
    found: list = []

    def read() -> None:
        with partitions.side_connection() as cursor:
            cursor.execute(partitions.primary_key_sql(table))
            found.extend(_repeating(cursor, table))
            cursor.execute(partitions.sums_sql(table))

    _in_parallel(lambda: _execute(partitions.unique_key_sql(table)), read)
    with partitions.side_connection() as cursor:
        partitions.add_keys(cursor, table)
    rows, periods, services = found
    return rows, periods, services


def _execute(sql: str) -> None:
    with partitions.side_connection() as cursor:
        cursor.execute(sql)


def _in_parallel(*tasks: Callable[[], None]) -> None:
    """Run the tasks in threads of their own; re-raise the first failure."""
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
        thread.join()
    if failures:
        raise failures[0]


def _repeating(cursor, table: str) -> tuple[int, list[datetime.date], dict[str, tuple[str, str]]]:
    """Rows, months and services (code -> name, unit) of the batch. A service must have one
    name and unit in the file and both must pass the careful road's checks unchanged."""
    cursor.execute(
        f"SELECT period, service_id, service_name, unit, COUNT(*) FROM {table} GROUP BY 1, 2, 3, 4"
    )
    groups = cursor.fetchall()
    parser = parsing.AccrualParser()
    services: dict[str, tuple[str, str]] = {}
    for _, code, name, unit, _ in groups:
        if services.setdefault(code, (name, unit)) != (name, unit):
            raise Unsuitable  # which name is the service's is the careful road's business
        try:
            checked = (parser._code(code), parser._name(name), parser._unit(unit))
        except parsing.FieldError:
            raise Unsuitable from None
        if checked != (code, name, unit):
            raise Unsuitable
    periods = sorted({period for period, *_ in groups})
    return sum(count for *_, count in groups), periods, services
