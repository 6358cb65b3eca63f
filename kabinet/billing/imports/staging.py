"""The careful road's staging tables: checked rows go in, set-based SQL takes them on.

Rows checked in Python (accrual_rows.py, payments.py) stream into a temporary staging table —
with COPY on PostgreSQL, batched `executemany` on SQLite — from which the kind replaces its
periods with one DELETE and one INSERT … SELECT (periods.py). What only the whole file can tell
(an unknown account, a line given twice) is found by SQL over the staging table (checks.py), so
memory stays flat whatever the file's size.
"""

import datetime
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

from ..balances import TOUCHED
from ..bulk import postgres

_COPY_BATCH = 2000
_INSERT_BATCH = 5000


@dataclass(frozen=True)
class Layout:
    """A staging table: its name and its columns with their SQL types (`line` comes first)."""

    table: str
    columns: tuple[tuple[str, str], ...]

    @property
    def names(self) -> list[str]:
        return ["line", *(name for name, _ in self.columns)]


ACCRUALS = Layout(
    "billing_stage_accrual",
    (
        ("account_number", "varchar(30)"),
        ("period", "date"),
        ("service_code", "varchar(30)"),
        ("service_name", "varchar(150)"),
        ("unit", "varchar(20)"),
        ("tariff", "text"),
        ("volume", "text"),
        ("volume_source", "varchar(10)"),
        ("accrued", "text"),
        ("recalculation", "text"),
        ("reason", "text"),
        ("benefit", "text"),
        ("to_pay", "text"),
    ),
)
PAYMENTS = Layout(
    "billing_stage_payment",
    (
        ("account_number", "varchar(30)"),
        ("paid_on", "date"),
        ("period", "date"),
        ("amount", "numeric"),
        ("external_id", "varchar(64)"),
        ("note", "varchar(200)"),
    ),
)
BAD = "billing_stage_bad"  # the lines checks.find_problems found bad


@contextmanager
def staging_table(layout: Layout) -> Iterator[None]:
    """A temporary table for the rows of one import. To be used inside a transaction: on
    success the block drops its tables; on an error the rollback does (DDL is transactional in
    PostgreSQL and SQLite), since after a failed COPY PostgreSQL takes no more statements."""
    columns = ", ".join(f"{name} {kind}" for name, kind in layout.columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {layout.table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {layout.table} (line bigint NOT NULL, {columns})")
    yield
    with connection.cursor() as cursor:
        for table in (layout.table, BAD, TOUCHED):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


@contextmanager
def stage_writer(layout: Layout) -> Iterator["StageWriter"]:
    writer = CopyWriter(layout) if postgres() else InsertWriter(layout)
    with writer.open():
        yield writer
        writer.flush()


class StageWriter:
    count = 0

    def add(self, line: int, values: Sequence[object]) -> None:
        raise NotImplementedError

    def add_plain(self, line: int, values: Sequence[str | None]) -> None:
        self.add(line, values)

    def flush(self) -> None:
        raise NotImplementedError

    @contextmanager
    def open(self) -> Iterator[None]:
        raise NotImplementedError


class CopyWriter(StageWriter):
    """Streams rows into the staging table with COPY … FROM STDIN (text format)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.buffer: list[str] = []

    @contextmanager
    def open(self) -> Iterator[None]:
        with connection.cursor() as cursor:
            names = ", ".join(self.layout.names)
            with cursor.copy(f"COPY {self.layout.table} ({names}) FROM STDIN") as copy:
                self.copy = copy
                yield

    def add(self, line: int, values: Sequence[object]) -> None:
        self.buffer.append(f"{line}\t" + "\t".join(map(_copy_text, values)) + "\n")
        self.count += 1
        if len(self.buffer) >= _COPY_BATCH:
            self.flush()

    def add_plain(self, line: int, values: Sequence[str | None]) -> None:
        """Values the quick check checked: strings without tabs, line breaks or backslashes."""
        self.buffer.append(f"{line}\t" + "\t".join([v if v is not None else "\\N" for v in values]) + "\n")
        self.count += 1
        if len(self.buffer) >= _COPY_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer))
            self.buffer = []


class InsertWriter(StageWriter):
    """SQLite has no COPY: batched executemany inside the one transaction is the nearest it has."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.batch: list[tuple] = []
        marks = ", ".join(["%s"] * len(layout.names))
        self.sql = f"INSERT INTO {layout.table} ({', '.join(layout.names)}) VALUES ({marks})"

    @contextmanager
    def open(self) -> Iterator[None]:
        with connection.cursor() as cursor:
            self.cursor = cursor
            yield

    def add(self, line: int, values: Sequence[object]) -> None:
        self.batch.append((line, *map(_sqlite_value, values)))
        self.count += 1
        if len(self.batch) >= _INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.cursor.executemany(self.sql, self.batch)
            self.batch = []


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        # Text values are cleaned (no tabs or line breaks); a backslash is COPY's escape.
        return value.replace("\\", "\\\\")
    return str(value)


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, str):
        return value
    return str(value)


def in_list(values: Iterable[object]) -> tuple[str, list[object]]:
    """Placeholders for `IN (…)` and their parameters."""
    params = list(values)
    return ", ".join(["%s"] * len(params)), params
