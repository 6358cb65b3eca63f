"""Set-based writing of checked rows: a staging table, then one replace of whole periods.

Rows checked in Python (parsing.py) stream into a temporary staging table — with COPY on
PostgreSQL, batched `executemany` on SQLite — and the periods they name are replaced with one
DELETE and one INSERT … SELECT inside the caller's transaction. What only the whole file can
tell (an unknown account, a line given twice) is then found by SQL over the staging table, so
memory stays flat whatever the file's size. The balances are rebuilt after (balances.py).
"""

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from .balances import TOUCHED, create_touched, mark_touched
from .bulk import checked_references, more_memory, postgres

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
_BAD = "billing_stage_bad"


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
        for table in (layout.table, _BAD, TOUCHED):
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
        """Values the fast path checked: strings without tabs, line breaks or backslashes."""
        self.buffer.append(f"{line}\t" + "\t".join([v if v is not None else "\\N" for v in values]) + "\n")
        self.count += 1
        if len(self.buffer) >= _COPY_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer))
            self.buffer = []


class InsertWriter(StageWriter):
    """SQLite has no COPY: batched executemany inside the one transaction is its fast path."""

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


# --- Replacing periods -----------------------------------------------------------------------


def _in(values: Iterable[object]) -> tuple[str, list[object]]:
    params = list(values)
    return ", ".join(["%s"] * len(params)), params


_ACCOUNTS_OF_ACCRUALS = (
    "SELECT a.id AS account_id FROM billing_accrual x JOIN billing_account a ON a.number = x.account_id "
    "WHERE x.period IN ({})"
)


def replace_accruals(periods: Iterable[datetime.date]) -> tuple[int, int]:
    """Delete the accruals of the periods and insert the staged ones; (deleted, inserted)."""
    more_memory()
    marks, params = _in(periods)
    touched = _ACCOUNTS_OF_ACCRUALS.format(marks)
    if postgres():
        # The deleted rows name the accounts to rebuild: one pass over them, not two.
        create_touched()
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH gone AS (DELETE FROM billing_accrual WHERE period IN ({marks}) RETURNING account_id), "
                f"marked AS (INSERT INTO {TOUCHED} (account_id) SELECT DISTINCT a.id FROM gone "
                "JOIN billing_account a ON a.number = gone.account_id ON CONFLICT DO NOTHING) "
                "SELECT COUNT(*) FROM gone",
                params,
            )
            (deleted,) = cursor.fetchone()
    else:
        mark_touched(touched, params)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM billing_accrual WHERE period IN ({marks})", params)
            deleted = cursor.rowcount
    inserted = _insert_staged_accruals()
    mark_touched(touched, params)
    return deleted, inserted


def mark_replaced_by_batch(table: str, periods: Sequence[datetime.date]) -> int:
    """PostgreSQL: before a loaded batch (partitions.py) replaces the accruals of its periods,
    mark the accounts of both the old rows and the batch's for their balances to be rebuilt;
    the number of old rows."""
    more_memory()
    create_touched()
    with connection.cursor() as cursor:
        # One pass over the old rows: counted, and their accounts marked.
        cursor.execute(
            "WITH old AS (SELECT account_id FROM billing_accrual WHERE period = ANY(%s)), "
            f"marked AS (INSERT INTO {TOUCHED} (account_id) SELECT a.id FROM billing_account a "
            "WHERE a.number IN (SELECT account_id FROM old) ON CONFLICT DO NOTHING) "
            "SELECT COUNT(*) FROM old",
            [list(periods)],
        )
        (replaced,) = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO {TOUCHED} (account_id) SELECT a.id FROM billing_account a "
            f"WHERE a.number IN (SELECT number FROM {table}_accounts) ON CONFLICT DO NOTHING"
        )
    return replaced


def _insert_staged_accruals() -> int:
    with (
        checked_references(
            f"SELECT 1 FROM billing_account WHERE number IN (SELECT account_number FROM {ACCRUALS.table})",
            f"SELECT 1 FROM billing_service WHERE code IN (SELECT service_code FROM {ACCRUALS.table})",
        ),
        connection.cursor() as cursor,
    ):
        # The joins drop the rows of unknown accounts (the caller compares the counts).
        cursor.execute(
            "INSERT INTO billing_accrual (account_id, period, service_id, tariff, volume, unit, "
            "volume_source, accrued, recalculation, recalculation_reason, benefit, to_pay) "
            "SELECT a.number, s.period, v.code, CAST(s.tariff AS NUMERIC), CAST(s.volume AS NUMERIC), "
            "s.unit, s.volume_source, CAST(s.accrued AS NUMERIC), CAST(s.recalculation AS NUMERIC), "
            "s.reason, CAST(s.benefit AS NUMERIC), CAST(s.to_pay AS NUMERIC) "
            f"FROM {ACCRUALS.table} s JOIN billing_account a ON a.number = s.account_number "
            "JOIN billing_service v ON v.code = s.service_code ORDER BY a.number, s.period, v.code"
        )
        return cursor.rowcount


def replace_payments(periods: Iterable[datetime.date]) -> tuple[int, int]:
    """Delete the billing system's payments of the periods and insert the staged ones.

    Online payments are left alone: they are the payments app's record.
    """
    marks, params = _in(periods)
    where = f"source = 'billing' AND period IN ({marks})"
    mark_touched(f"SELECT account_id FROM billing_payment WHERE {where}", params)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM billing_payment WHERE {where}", params)
        deleted = cursor.rowcount
        cursor.execute(
            "INSERT INTO billing_payment (account_id, paid_on, period, amount, source, external_id, "
            "note, created_at) "
            "SELECT a.id, s.paid_on, s.period, s.amount, 'billing', s.external_id, s.note, %s "
            f"FROM {PAYMENTS.table} s JOIN billing_account a ON a.number = s.account_number",
            [timezone.now()],
        )
        inserted = cursor.rowcount
    mark_touched(f"SELECT account_id FROM billing_payment WHERE {where}", params)
    return deleted, inserted


# --- What only the whole file tells ----------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A query for bad staged rows: it selects the line and one value for the reason."""

    sql: str
    reason: Callable[..., str]
    params: tuple = ()


def unknown_accounts(layout: Layout) -> Check:
    return Check(
        f"SELECT s.line, s.account_number FROM {layout.table} s "
        "LEFT JOIN billing_account a ON a.number = s.account_number WHERE a.id IS NULL",
        lambda number: f"лицевой счёт {number} не найден — сначала загрузите лицевые счета",
    )


def repeated_accruals() -> Check:
    return Check(
        f"SELECT s.line, f.first_line FROM {ACCRUALS.table} s JOIN ("
        f"SELECT account_number, period, service_code, MIN(line) AS first_line FROM {ACCRUALS.table} "
        "GROUP BY account_number, period, service_code HAVING COUNT(*) > 1) f "
        "ON f.account_number = s.account_number AND f.period = s.period "
        "AND f.service_code = s.service_code WHERE s.line <> f.first_line",
        lambda first: f"та же услуга по тому же счёту за тот же период уже была в строке {first}",
    )


def mismatched_sums() -> Check:
    """Rows whose to_pay is not accrued + recalculation − benefit (the fast path leaves this
    check to the database). Compared in kopecks, so SQLite's float arithmetic can't err."""
    kopecks = "CAST(ROUND(CAST({} AS NUMERIC) * 100) AS BIGINT)"
    accrued, recalculation, benefit, to_pay = (
        kopecks.format(f"s.{name}") for name in ("accrued", "recalculation", "benefit", "to_pay")
    )
    joined = " || '|' || ".join(f"s.{name}" for name in ("accrued", "recalculation", "benefit", "to_pay"))
    return Check(
        f"SELECT s.line, {joined} FROM {ACCRUALS.table} s "
        f"WHERE {to_pay} <> {accrued} + {recalculation} - {benefit}",
        _mismatch_reason,
    )


def _mismatch_reason(values: str) -> str:
    accrued, recalculation, benefit, to_pay = values.split("|")
    total = Decimal(accrued) + Decimal(recalculation) - Decimal(benefit)
    return (
        f"к оплате {to_pay} не сходится: начислено {accrued} + перерасчёт {recalculation} "
        f"− льгота {benefit} = {total}"
    )


def repeated_payments(periods: Sequence[datetime.date]) -> list[Check]:
    checks = [
        Check(
            f"SELECT s.line, f.first_line FROM {PAYMENTS.table} s JOIN ("
            f"SELECT external_id, MIN(line) AS first_line FROM {PAYMENTS.table} WHERE external_id <> '' "
            "GROUP BY external_id HAVING COUNT(*) > 1) f ON f.external_id = s.external_id "
            "WHERE s.line <> f.first_line",
            lambda first: f"номер платежа уже был в строке {first}",
        )
    ]
    if periods:
        marks, params = _in(periods)
        checks.append(
            Check(
                f"SELECT s.line, p.period FROM {PAYMENTS.table} s JOIN billing_payment p "
                "ON p.source = 'billing' AND p.external_id = s.external_id "
                f"WHERE s.external_id <> '' AND p.period NOT IN ({marks})",
                lambda period: f"платёж с этим номером уже загружен за {_month(period)}",
                tuple(params),
            )
        )
    return checks


def find_problems(checks: Sequence[Check], *, limit: int) -> tuple[list[tuple[int, str]], int]:
    """The first `limit` bad rows the checks find, with their reasons, and how many there are
    in all. Their lines are noted (in the database, not in memory) for `drop_bad_rows`."""
    problems: list[tuple[int, str]] = []
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_BAD} (line bigint NOT NULL)")
        cursor.execute(f"DELETE FROM {_BAD}")
        for check in checks:
            cursor.execute(f"INSERT INTO {_BAD} (line) SELECT q.line FROM ({check.sql}) q", check.params)
            cursor.execute(f"SELECT * FROM ({check.sql}) q ORDER BY 1 LIMIT {int(limit)}", check.params)
            problems.extend((line, check.reason(value)) for line, value in cursor.fetchall())
        cursor.execute(f"SELECT COUNT(DISTINCT line) FROM {_BAD}")
        (count,) = cursor.fetchone()
    problems.sort()
    return problems[:limit], count


def drop_bad_rows(layout: Layout) -> None:
    """Remove from the staging table the rows `find_problems` found bad."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {layout.table} WHERE line IN (SELECT line FROM {_BAD})")


def _month(value: object) -> str:
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return f"{value:%m.%Y}"
