"""Accruals CSV on PostgreSQL: the file's bytes go straight into COPY and SQL checks the rows.

The careful road (imports.py reads, parsing.py checks each row in Python, staging.py stages
and replaces) costs microseconds a row in Python. Here Python does no work per row for a file
whose rows are all plainly good, the usual case for a billing system's export:

1. The bytes after the header are streamed into COPY (FORMAT csv, the file's delimiter and
   encoding) into a temporary table of text columns, numbered in file order.
2. The values that repeat from row to row (period, service, unit, tariff, volume source, reason)
   are checked once per distinct combination by the careful road's own parsers (SIDE_TABLE).
3. One INSERT … SELECT writes the rows into billing_accrual, joining accounts, services and
   SIDE_TABLE; the numbers that differ in each row are cast only when written as the careful
   road takes them, and otherwise made to fail on purpose; the table's CHECK and UNIQUE
   constraints and a count of the rows written catch the rest.

Whatever is not plainly good — a bad value, an unknown account, a line given twice, bytes COPY
refuses, an unclosed quote — raises `Unsuitable`; the caller rolls back and takes the careful
road, which reports every bad row (`строка N: причина`) and honours --skip-bad. So both roads
give the same answers; this one only decides, cheaply, that there is nothing to report.

Blocks of lines holding quotes or blank lines are rewritten with the csv module (a blank line is
an empty row, which COPY takes), so that COPY reads exactly the fields the careful road reads.
"""

import codecs
import csv
import datetime
import io
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.db import DataError, IntegrityError, connection, transaction

from . import imports, parsing, staging

RAW_TABLE = "billing_stage_raw"
SIDE_TABLE = "billing_stage_side"
_MAX_COMBINATIONS = 50_000  # more distinct combinations of repeating values: the careful road
_CHUNK = 1 << 20
_ENCODINGS = {"utf-8": "UTF8", "cp1251": "WIN1251"}

# Characters a plainly good text value may hold: printable ASCII, Latin-1 letters and signs
# (² ³ ·), Cyrillic without its combining marks, dashes, quotes and other punctuation, № and
# currency signs. None of them is whitespace to Python, a control character or changed by NFC,
# so such a value is stored exactly as written. Anything else goes to Python.
_TEXT_CHAR = "[!-~¡-ÿЀ-҂Ҋ-ӿ‐-‧‰-⁞₠-₿№]"
_TEXT = f"^{_TEXT_CHAR}+( {_TEXT_CHAR}+)*$"
_ACCOUNT = "^[0-9A-ZА-ЯЁ/-]{1,30}$"
_PERIOD_ISO = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])(-01)?$"
_SOURCES = [key for key in parsing.VOLUME_SOURCES if key.isascii()]  # as written: no case to fold
_PERIOD_RU = "^(01[.])?(0[1-9]|1[0-2])[.](20[0-9]{2}|2100)$"


class Unsuitable(Exception):
    """The file has to take the careful road."""


def usable(path: Path) -> bool:
    return connection.vendor == "postgresql" and path.suffix.lower() != ".xlsx"


def copy_file(path: Path, *, progress: Callable[[int, float], None] | None) -> "Copied":
    """COPY the file into RAW_TABLE and check its repeating values, inside the caller's
    transaction; `Copied.write` then inserts the rows.

    Raises `Unsuitable` (the caller rolls back and takes the careful road) when the file or a
    row is not plainly good: the careful road then finds and reports every bad row.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    header, encoding = _read_header(path)
    try:
        delimiter = imports.detect_delimiter(header)
        names = next(csv.reader([header], delimiter=delimiter), [])
        positions = imports.column_positions(names, parsing.ACCRUAL_COLUMNS)
    except imports.ImportFileError:
        raise Unsuitable from None  # the careful road words it (after checking the encoding)
    least, width = imports._widths(names)
    if least != width:
        raise Unsuitable  # rows may then be shorter than the header: not COPY's business
    # Valid UTF-8 throughout is UTF-8, else cp1251 (as imports.detect_encoding decides); PostgreSQL
    # checks every byte of the UTF-8. A file with a BOM is UTF-8 or nothing.
    attempts = {"utf-8": ["utf-8", "cp1251"], "utf-8-sig": ["utf-8"], "cp1251": ["cp1251"]}[encoding]
    for attempt in attempts:
        try:
            with transaction.atomic():
                _copy(path, encoding=attempt, delimiter=delimiter, width=width, progress=progress)
            break
        except DataError:
            continue
    else:
        raise Unsuitable
    col = {name: f"coalesce(c{index + 1}, '')" for name, index in positions.items()}
    nonblank = f"coalesce({', '.join(f'c{n}' for n in range(1, width + 1))}) IS NOT NULL"
    rows, services, periods = _repeating(col, nonblank=nonblank)
    if not rows:
        raise Unsuitable  # nothing to replace: the careful road says so
    timings["чтение файла (COPY) и проверка повторяющихся значений"] = time.perf_counter() - started
    return Copied(
        rows=rows,
        services=services,
        periods=periods,
        timings=timings,
        account=col["account_number"],
        insert=_insert_sql(col, nonblank=nonblank),
    )


@dataclass
class Copied:
    """What the file holds, once copied: rows, services (code -> name, unit), periods, and
    the INSERT … SELECT that writes its rows (see `insert`)."""

    rows: int
    services: dict[str, tuple[str, str]]
    periods: list[datetime.date]
    timings: dict[str, float]
    account: str  # the SQL of the raw account number
    insert: str

    def write(self) -> int:
        """Insert the copied rows into billing_accrual (the periods already emptied); raises
        `Unsuitable` if a value is not plainly good or a row does not go in."""
        with (
            staging.checked_references(
                f"SELECT 1 FROM billing_account WHERE number IN (SELECT {self.account} FROM {RAW_TABLE})",
                f"SELECT 1 FROM billing_service WHERE code IN (SELECT code FROM {SIDE_TABLE})",
            ),
            connection.cursor() as cursor,
        ):
            # Every table joined to the million rows is small: hash joins. The planner, knowing
            # little of the copied rows, could otherwise pick a nested loop over them.
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            try:
                cursor.execute(self.insert)
            except (DataError, IntegrityError):
                raise Unsuitable from None
            inserted = cursor.rowcount
            cursor.execute("SET LOCAL enable_nestloop = DEFAULT")
            cursor.execute("SET LOCAL enable_mergejoin = DEFAULT")
        if inserted != self.rows:
            raise Unsuitable  # unknown accounts
        return inserted

    @staticmethod
    def drop() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}, {SIDE_TABLE}")


def _read_header(path: Path) -> tuple[str, str]:
    try:
        with path.open("rb") as stream:
            first = stream.readline()
    except OSError:
        raise Unsuitable from None
    if not first.endswith(b"\n"):
        raise Unsuitable
    if first.startswith(codecs.BOM_UTF8):
        try:
            return first.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            raise Unsuitable from None
    for encoding in ("utf-8", "cp1251"):
        try:
            return first.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise Unsuitable


def _copy(path, *, encoding: str, delimiter: str, width: int, progress) -> None:
    columns = ", ".join(f"c{n} text" for n in range(1, width + 1))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {RAW_TABLE} "
            f"(line bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), {columns})"
        )
        names = ", ".join(f"c{n}" for n in range(1, width + 1))
        quoted = delimiter.replace("'", "''")
        sql = (
            f"COPY {RAW_TABLE} ({names}) FROM STDIN "
            f"WITH (FORMAT csv, DELIMITER '{quoted}', ENCODING '{_ENCODINGS[encoding]}')"
        )
        size = path.stat().st_size or 1
        with path.open("rb") as stream, cursor.copy(sql) as copy:
            newline = b"\r\n" if stream.readline().endswith(b"\r\n") else b"\n"
            blocks = _Blocks(stream)
            reader = _CarefulReader(
                blocks,
                encoding=encoding,
                delimiter=delimiter,
                width=width,
                newline=newline,
            )
            while block := blocks.next():
                if encoding == "cp1251" and b"\x98" in block:
                    raise Unsuitable  # not a cp1251 character to Python: the careful road refuses it
                if _plain(block, delimiter.encode(), width):
                    copy.write(block)
                    reader.line += block.count(b"\n")
                else:
                    copy.write(reader.rewrite(block))
                if progress is not None:
                    progress(reader.line - 1, min(stream.tell() / size, 1.0))


def _plain(block: bytes, delimiter: bytes, width: int) -> bool:
    """Whether COPY can take the block as it is, a row for each line: no quotes, no blank lines,
    no end-of-data marker, and as many delimiters as the header on every line (in total: a line
    with one too many and another with one too few makes COPY fail, and the careful road
    takes the file)."""
    if b'"' in block or b"\\." in block or b"\n\n" in block or b"\n\r\n" in block:
        return False
    if block.startswith((b"\n", b"\r\n")):
        return False
    lines = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
    return block.count(delimiter) == lines * (width - 1)


class _Blocks:
    """The file's remaining lines in blocks of about a megabyte, each ending at a line's end;
    `readline` goes on from where the last block ended (for a record over several lines)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.carry = b""

    def next(self) -> bytes:
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

    def readline(self) -> bytes:
        line = self.carry + self.stream.readline()
        self.carry = b""
        return line


class _CarefulReader:
    """Rewrites a block as the csv module reads it, one COPY row per physical line."""

    def __init__(self, blocks: _Blocks, *, encoding, delimiter, width, newline: bytes) -> None:
        self.blocks = blocks
        self.encoding = encoding
        self.delimiter = delimiter
        self.width = width
        self.newline = newline.decode()
        self.line = 1  # the physical lines read so far; the header is line 1

    def rewrite(self, block: bytes) -> bytes:
        text = self._decode(block)
        pending = deque(_split_lines(text))
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.delimiter, lineterminator=self.newline)
        empty = self.delimiter * (self.width - 1) + self.newline

        def more() -> Iterator[str]:
            while pending:
                yield pending.popleft()
            while line := self.blocks.readline():
                yield self._decode(line)

        while pending:
            text = pending.popleft()
            if '"' in text:
                reader = csv.reader(itertools.chain([text], more()), delimiter=self.delimiter)
                try:
                    fields = next(reader)
                except (csv.Error, StopIteration):
                    raise Unsuitable from None
                span = reader.line_num
            else:
                fields, span = text.rstrip("\r\n").split(self.delimiter), 1
            self.line += span
            if not any(field.strip() for field in fields):
                out.write(empty * span)
            elif len(fields) != self.width:
                raise Unsuitable  # a row with values in the wrong columns: the careful road reports it
            else:
                writer.writerow(fields)
                out.write(empty * (span - 1))
        data = out.getvalue()
        if "\\." in data:
            raise Unsuitable  # COPY could take a value for its end-of-data marker
        return data.encode(self.encoding)

    def _decode(self, data: bytes) -> str:
        try:
            text = data.decode(self.encoding)
        except UnicodeDecodeError:
            raise DataError from None  # as COPY would: maybe the other encoding
        if text.count("\r") != text.count("\r\n"):
            raise Unsuitable  # a lone carriage return: a line break to the csv module
        return text


def _split_lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


# --- Checking the rows in SQL ------------------------------------------------------------------


def _repeating(col: dict[str, str], *, nonblank: str) -> tuple[int, dict, list]:
    """Check each distinct combination of the values that repeat from row to row (period,
    service, tariff, …) once, with the careful road's own parsers, into SIDE_TABLE; (rows,
    services, periods). Raises `Unsuitable` if one is bad."""
    keys = [col[name] for name in parsing.AccrualParser.REPEATING]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(keys)}, MIN(line), COUNT(*) FROM {RAW_TABLE} WHERE {nonblank} "
            f"GROUP BY {', '.join(keys)} ORDER BY MIN(line) LIMIT {_MAX_COMBINATIONS + 1}"
        )
        groups = cursor.fetchall()
    if len(groups) > _MAX_COMBINATIONS:
        raise Unsuitable
    parser = parsing.AccrualParser()
    services: dict[str, tuple[str, str]] = {}
    side = []
    for *texts, _, _ in groups:
        values = parser.parse_repeating(dict(zip(parser.REPEATING, texts, strict=True)))
        if values is None:
            raise Unsuitable
        services.setdefault(values[1], (values[2], values[3]))
        side.append((*texts, *values))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SIDE_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {SIDE_TABLE} ({', '.join(f'k{n} text' for n in range(len(keys)))}, "
            "period date, code text, name text, unit text, tariff numeric, source text, reason text)"
        )
        marks = ", ".join(["%s"] * (2 * len(keys)))
        cursor.executemany(f"INSERT INTO {SIDE_TABLE} VALUES ({marks})", side)
        # Temporary tables have no statistics until analysed: without them the planner takes
        # the million copied rows for a handful and sorts them to merge-join.
        cursor.execute(f"ANALYZE {RAW_TABLE}")
        cursor.execute(f"ANALYZE {SIDE_TABLE}")
    periods = sorted({values[len(keys)] for values in side})
    return sum(count for *_, count in groups), services, periods


# (column, decimal places, required) of the numbers checked row by row in SQL. A minus is
# let through in all of them: the table's CHECK constraints refuse a negative volume, accrued
# or benefit, which sends the file down the careful road like any other bad value.
_NUMBERS = (
    ("volume", 6, False),
    ("accrued", 2, True),
    ("recalculation", 2, False),
    ("benefit", 2, False),
    ("to_pay", 2, True),
)


def _plain_numbers(col: dict[str, str]) -> str:
    """Whether the row's numbers are all written as the careful road takes them: digits, one
    point or comma between digits, a leading minus. PostgreSQL's cast refuses the rest except
    «.5», «5.» and «-.5», hence the LIKEs. One test over all of them joined: cheaper than five."""
    joined = " || ';' || ".join(col[name] for name, *_ in _NUMBERS)
    return (
        f"translate({joined}, '0123456789.,-;', '') = '' AND "
        f"replace(';' || {joined} || ';', ',', '.') NOT LIKE ALL (ARRAY['%;.%', '%.;%', '%;-.%'])"
    )


def _number(value: str, *, required: bool) -> str:
    """`value` (its comma made a point) cast to a number if the row's numbers are plain; else
    the cast fails on purpose and the careful road reports the row. Empty is NULL unless
    `required` (then the cast fails)."""
    # 'x' || value: never a number, and not a constant that PostgreSQL would cast while planning.
    number = f"CAST(CASE WHEN plain THEN {value} ELSE 'x' || {value} END AS numeric)"
    return number if required else f"CASE WHEN {value} = '' THEN NULL ELSE {number} END"


def _places(value: str, places: int, default: str | None) -> str:
    """The number if it has at most `places` decimals (else the cast fails on purpose)."""
    checked = f"CASE WHEN scale({value}) <= {places} THEN {value} ELSE CAST('x' || {value} AS numeric) END"
    return checked if default is None else f"coalesce({checked}, {default})"


def _insert_sql(col: dict[str, str], *, nonblank: str) -> str:
    """The INSERT … SELECT of the copied rows. The subqueries with OFFSET 0 stay subqueries,
    so that each value is computed once, not once for each place that uses it."""
    repeating = parsing.AccrualParser.REPEATING
    keys = ", ".join(f"{col[name]} AS k{n}" for n, name in enumerate(repeating))
    texts = ", ".join(f"replace({col[name]}, ',', '.') AS {name}" for name, *_ in _NUMBERS)
    numbers = ", ".join(f"{_number(name, required=required)} AS {name}" for name, _, required in _NUMBERS)
    passed = ", ".join(f"k{n}" for n in range(len(repeating)))
    volume, accrued, recalculation, benefit, to_pay = (
        _places(f"r.{name}", places, None if required or name == "volume" else "0")
        for name, places, required in _NUMBERS
    )
    join = " AND ".join(f"d.k{n} = r.k{n}" for n in range(len(repeating)))
    # In the order of the unique (account, period, service) index: its entries are then
    # appended, not scattered over its pages.
    return (
        "INSERT INTO billing_accrual (account_id, period, service_id, tariff, volume, unit, "
        "volume_source, accrued, recalculation, recalculation_reason, benefit, to_pay) "
        f"SELECT a.id, d.period, v.id, d.tariff, {volume}, d.unit, d.source, {accrued}, {recalculation}, "
        f"d.reason, {benefit}, {to_pay} FROM ("
        f"SELECT account, {passed}, {numbers} FROM ("
        f"SELECT {col['account_number']} AS account, {keys}, {texts}, {_plain_numbers(col)} AS plain "
        f"FROM {RAW_TABLE} WHERE {nonblank} OFFSET 0) t OFFSET 0) r "
        f"JOIN {SIDE_TABLE} d ON {join} JOIN billing_account a ON a.number = r.account "
        "JOIN billing_service v ON v.code = d.code ORDER BY a.id, d.period, v.id"
    )
