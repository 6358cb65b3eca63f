"""Set-based writing of checked rows: a staging table, then one replace of whole periods.

Rows checked in Python (parsing.py) stream into a temporary staging table — with COPY on
PostgreSQL, batched `executemany` on SQLite — and the periods they name are replaced with one
DELETE and one INSERT … SELECT inside the caller's transaction. What only the whole file can
tell (an unknown account, a line given twice) is then found by SQL over the staging table, so
memory stays flat whatever the file's size. Balances (AccountPeriod) are rebuilt set-based too.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

from kabinet.core import stamps

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
_TOUCHED = "billing_stage_touched"
_BAD = "billing_stage_bad"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


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
        for table in (layout.table, _BAD, _TOUCHED):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


@contextmanager
def stage_writer(layout: Layout) -> Iterator["StageWriter"]:
    writer = CopyWriter(layout) if _postgres() else InsertWriter(layout)
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


def mark_touched(sql: str, params: Sequence[object] = ()) -> None:
    """Add the account ids a query selects to the set whose balances are rebuilt."""
    _create_touched()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TOUCHED} (account_id) SELECT DISTINCT q.account_id FROM ({sql}) q "
            f"WHERE NOT EXISTS (SELECT 1 FROM {_TOUCHED} t WHERE t.account_id = q.account_id)",
            params,
        )


def more_memory() -> None:
    """For this transaction only: sorting and hashing a million staged rows in memory, not in
    temporary files; and the commit does not wait for the WAL to reach the disk. A crash in
    the fraction of a second after the commit may then lose the import as a whole (never a
    part of it: the database stays consistent), and the operator loads the file again."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")


@contextmanager
def checked_references(*locks: str, params: Sequence[object] = ()) -> Iterator[None]:
    """Foreign keys checked once for a set of rows, not row by row, around a bulk INSERT.

    PostgreSQL checks each inserted row's foreign keys with a query of its own at commit; for
    an accruals file that is two queries per row, seconds for a million rows. The INSERTs here
    are INSERT … SELECT joining the referenced tables, so every row they write names a row
    that exists; `locks` lock those rows FOR KEY SHARE, as each per-row check would, so that
    none can be deleted (or its key changed) until the import commits. The per-row checks are
    then skipped for the INSERT only (`session_replication_role = replica`, which disables the
    foreign-key triggers, not CHECK or UNIQUE constraints), and only where the database role
    may set it (a superuser, or `GRANT SET ON PARAMETER session_replication_role`); otherwise
    they run as usual. On SQLite nothing changes.
    """
    if not _postgres() or not may_skip_row_triggers():
        yield
        return
    with connection.cursor() as cursor:
        for lock in locks:
            cursor.execute(f"SELECT COUNT(*) FROM ({lock} FOR KEY SHARE) locked", params)
        cursor.execute("SET LOCAL session_replication_role = replica")
    # No `finally`: after an error the transaction takes no statements, and rolling back to the
    # caller's savepoint undoes the SET LOCAL.
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def may_skip_row_triggers() -> bool:
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        (allowed,) = cursor.fetchone()
    return bool(allowed)


def _create_touched() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_TOUCHED} (account_id bigint PRIMARY KEY)")


_ACCOUNTS_OF_ACCRUALS = (
    "SELECT a.id AS account_id FROM billing_accrual x JOIN billing_account a ON a.number = x.account_id "
    "WHERE x.period IN ({})"
)


def replace_accruals(periods: Iterable[datetime.date]) -> tuple[int, int]:
    """Delete the accruals of the periods and insert the staged ones; (deleted, inserted)."""
    more_memory()
    marks, params = _in(periods)
    touched = _ACCOUNTS_OF_ACCRUALS.format(marks)
    if _postgres():
        # The deleted rows name the accounts to rebuild: one pass over them, not two.
        _create_touched()
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH gone AS (DELETE FROM billing_accrual WHERE period IN ({marks}) RETURNING account_id), "
                f"marked AS (INSERT INTO {_TOUCHED} (account_id) SELECT DISTINCT a.id FROM gone "
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
    _create_touched()
    with connection.cursor() as cursor:
        # One pass over the old rows: counted, and their accounts marked.
        cursor.execute(
            "WITH old AS (SELECT account_id FROM billing_accrual WHERE period = ANY(%s)), "
            f"marked AS (INSERT INTO {_TOUCHED} (account_id) SELECT a.id FROM billing_account a "
            "WHERE a.number IN (SELECT account_id FROM old) ON CONFLICT DO NOTHING) "
            "SELECT COUNT(*) FROM old",
            [list(periods)],
        )
        (replaced,) = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO {_TOUCHED} (account_id) SELECT a.id FROM billing_account a "
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


# --- Balances --------------------------------------------------------------------------------

STAMPED_ONE_BY_ONE = 100  # more accounts than this: every kept page goes (kabinet.core.stamps)


def _stamp(account_ids: "Iterable[int] | None") -> None:
    ids = None if account_ids is None else set(account_ids)
    if ids is None or len(ids) > STAMPED_ONE_BY_ONE:
        stamps.changed(stamps.BILLING)
    else:
        stamps.changed(*stamps.accounts(ids))


def rebuild_balances(
    account_ids: Iterable[int] | None = None,
    *,
    since: datetime.date | None = None,
    batch: str | None = None,
    batch_periods: Sequence[datetime.date] = (),
) -> int:
    """Rebuild AccountPeriod rows of the touched accounts (or of the given ones) from their
    accruals and payments: opening = previous closing, closing = opening + accrued − paid,
    starting from zero before the first period. Returns the number of rows written.

    With `since`, the first month whose accruals or payments changed, only the months from
    then on are rebuilt: each account goes on from the closing balance of its latest month
    before, which nothing changed. A monthly file thus writes a month of balances, not the
    whole history again. Without, every month is.

    With `batch` (a loaded batch, partitions.py, about to replace the accruals of its months,
    `batch_periods`), its months' totals are taken from the sums made when it was loaded, and
    only the other months' accruals are read."""
    _create_touched()
    _stamp(account_ids)
    if account_ids is not None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {_TOUCHED} (account_id) VALUES (%s) ON CONFLICT DO NOTHING",
                [(account_id,) for account_id in set(account_ids)],
            )
    scope = f"SELECT account_id FROM {_TOUCHED}"
    from_since = "" if since is None else f" AND period >= {_date(since)}"
    due_day = settings.BILLING_DUE_DAY - 1
    if _postgres():
        due = f"(b.period + interval '1 month {due_day} days')::date"
        money = "{}"
    else:
        due = f"date(b.period, '+1 month', '+{due_day} days')"
        money = "ROUND({}, 2)"  # SQLite sums decimals as floats
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM billing_accountperiod WHERE account_id IN ({scope}){from_since}")
    with (
        checked_references(f"SELECT 1 FROM billing_account WHERE id IN ({scope})"),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO billing_accountperiod (account_id, period, opening_balance, accrued, paid, "
            "closing_balance, due_date, charged) "
            f"SELECT b.account_id, b.period, {money.format('b.closing - b.accrued + b.paid')}, "
            f"{money.format('b.accrued')}, {money.format('b.paid')}, {money.format('b.closing')}, {due}, "
            "b.charged FROM (SELECT m.account_id, m.period, m.accrued, m.paid, m.charged, "
            f"{'' if since is None else 'COALESCE(o.closing_balance, 0) + '}"
            # ROWS, not the default RANGE: a month comes once per account, and no peers are sought.
            "SUM(m.accrued - m.paid) OVER (PARTITION BY m.account_id ORDER BY m.period "
            "ROWS UNBOUNDED PRECEDING) AS closing "
            f"FROM ({_months(scope, batch, from_since)}) m{_closing_before(scope, since)}) b",
            [] if batch is None else [list(batch_periods)],
        )
        written = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_TOUCHED}")
    return written


def _date(value: datetime.date) -> str:
    """A date as an SQL literal: a date object of the code's own, never text from a user."""
    if not isinstance(value, datetime.date):
        raise TypeError(f"a date, not {value!r}")
    return f"'{value.isoformat()}'"


def _closing_before(scope: str, since: datetime.date | None) -> str:
    """A join of each account's closing balance of its latest month before `since` (`o`)."""
    if since is None:
        return ""
    return (
        " LEFT JOIN (SELECT b.account_id, b.closing_balance FROM billing_accountperiod b "
        f"WHERE b.account_id IN ({scope}) AND b.period = (SELECT MAX(e.period) FROM "
        f"billing_accountperiod e WHERE e.account_id = b.account_id AND e.period < {_date(since)})) o "
        "ON o.account_id = m.account_id"
    )


def _months(scope: str, batch: str | None, from_since: str) -> str:
    """(account_id, period, accrued, paid, charged): every month of the accounts in `scope` that
    has accruals or payments (`from_since`: an `AND` on the period), `charged` if it has accruals.
    Both sides are summed per account and month first, so that they meet in a join of a row per
    month each, not in a grouping of all of them."""
    paid = (
        "SELECT account_id, period, SUM(amount) AS paid FROM billing_payment "
        f"WHERE account_id IN ({scope}){from_since} GROUP BY account_id, period"
    )
    return (
        "SELECT COALESCE(x.account_id, p.account_id) AS account_id, COALESCE(x.period, p.period) AS period, "
        "COALESCE(x.accrued, 0) AS accrued, COALESCE(p.paid, 0) AS paid, x.account_id IS NOT NULL AS charged "
        f"FROM ({_accrued_per_month(scope, batch, from_since)}) x FULL JOIN ({paid}) p "
        "ON p.account_id = x.account_id AND p.period = x.period"
    )


def _accrued_per_month(scope: str, batch: str | None, from_since: str) -> str:
    """(account_id, period, accrued), a row per account and month, of the accounts in `scope`:
    summed before the account's number is looked up, so the join meets a row per month, not
    per accrual."""
    accrued = (
        "SELECT account_id, period, SUM(to_pay) AS accrued FROM billing_accrual "
        f"WHERE account_id IN (SELECT number FROM billing_account WHERE id IN ({scope})){from_since} "
    )
    if batch is None:
        accrued += "GROUP BY account_id, period"
    else:
        accrued += (
            f"AND period <> ALL(%s) GROUP BY account_id, period "
            f"UNION ALL SELECT account_id, period, accrued FROM {batch}_sums"
        )
    return (
        "SELECT a.id AS account_id, s.period, s.accrued "
        f"FROM ({accrued}) s JOIN billing_account a ON a.number = s.account_id"
    )
