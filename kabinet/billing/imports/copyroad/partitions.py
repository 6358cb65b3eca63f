"""Accruals on PostgreSQL: a table partitioned by period, and partitions swapped in whole.

`billing_accrual` is partitioned by LIST (period) (migration 0004). The COPY road of an
accruals import loads its file into a table of its own (a *batch*: the columns of
billing_accrual and the file's service name) and builds the batch's keys; at the end of the
import's transaction `attach_batch` takes the months the file names out of the table
(`remove_months`: partitions holding only those months are dropped, a partition holding others
too is narrowed to the others, rows of those months in the default partition are deleted) and
makes the batch the partition of its months. Readers see the old months or the new ones, never
a mix.

Building a table's keys once, after its rows are in, is several times cheaper than keeping them
up to date row by row; that is what makes the COPY road fast.

The batch is loaded and keyed through connections of its own (`side_connection`), so that two
of them can load it at once and so that its keys are built outside the import's transaction;
nobody reads a batch until it is attached. One accruals import runs at a time (`import_lock`).
"""

import datetime
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.utils import CursorWrapper

PARENT = "billing_accrual"
DEFAULT_PARTITION = "billing_accrual_default"
BATCH_PREFIX = "billing_accrual_part_"
_LOCK_KEY = 0x4B41424E  # pg_advisory_lock key of accruals imports ("KABN")
_DATE = re.compile(r"'(\d{4}-\d{2}-\d{2})'")


_SIDE_SETTINGS = "; ".join(
    [
        # Sorting and hashing a million rows in memory; no JIT for queries run once.
        "SET work_mem = '256MB'",
        "SET maintenance_work_mem = '256MB'",
        "SET jit = off",
        # No parallel workers: two or three side connections work at once, and on a server of
        # a few cores workers beside them only contend for the cores and the memory (a million
        # rows on two cores: 3.5 s -> 3.3 s).
        "SET max_parallel_workers_per_gather = 0",
        "SET max_parallel_maintenance_workers = 0",
        # What a side connection commits is a batch nobody reads until the import's own
        # transaction attaches it; a batch lost in a crash is dropped by the next import.
        "SET synchronous_commit = off",
    ]
)


@contextmanager
def side_connection() -> Iterator[CursorWrapper]:
    """A connection of its own, in autocommit: what it does is visible to the import's
    transaction at once (and stays if that transaction rolls back, hence `drop_batch`)."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute(_SIDE_SETTINGS)  # one round trip
            yield cursor
    finally:
        wrapper.close()


@contextmanager
def import_lock() -> Iterator[None]:
    """One accruals import at a time: two would replace the same months under each other."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])


def locked_here() -> bool:
    """Whether this connection's transaction holds billing_accrual as dropping or detaching a
    partition leaves it: nobody else can so much as read the table until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' "
            "AND relation = %s::regclass AND mode = 'AccessExclusiveLock')",
            [PARENT],
        )
        (locked,) = cursor.fetchone()
    return bool(locked)


def new_batch_name() -> str:
    return f"{BATCH_PREFIX}{uuid.uuid4().hex[:12]}"


def create_batch(cursor: CursorWrapper, table: str, *, foreign_keys: bool = False) -> None:
    """An empty batch: billing_accrual's columns, NOT NULLs and CHECKs, ids from its sequence,
    a column for the file's service name, and the careful road's length limit of a
    recalculation's reason.

    COPY has to put the service name somewhere, but the blocks' pattern has checked it already
    (blocks.py): a `"char"` column keeps its first byte only, which costs COPY next to nothing
    and every row a byte instead of forty (a tenth of COPY's time); attaching drops it.

    With `foreign_keys`, also billing_accrual's foreign keys, for a batch loaded with the row
    triggers off (`session_replication_role = replica`), whose keys `check_references` then
    checks set-based: ATTACH takes such keys as they are instead of checking every row again."""
    cursor.execute(f"CREATE TABLE {table} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(f"ALTER TABLE {table} ALTER id SET DEFAULT nextval('billing_accrual_id_seq')")
    cursor.execute(f'ALTER TABLE {table} ADD COLUMN service_name "char" NOT NULL')
    cursor.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_reason_length "
        "CHECK (char_length(recalculation_reason) <= 1000)"
    )
    if foreign_keys:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f' ORDER BY conname",
            [PARENT],
        )
        for number, (definition,) in enumerate(cursor.fetchall()):
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_fk{number} {definition}")


def check_references(table: str, service_codes: Sequence[str]) -> None:
    """For a batch loaded without row triggers: its accounts and services exist, and they stay
    so until the import commits (locked FOR KEY SHARE, as each row's check would). Raises
    `MissingReference` otherwise."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM billing_account WHERE number IN "
            f"(SELECT number FROM {table}_accounts) FOR KEY SHARE) locked"
        )
        (found,) = cursor.fetchone()
        cursor.execute(f"SELECT COUNT(*) FROM {table}_accounts")
        (named,) = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM billing_service WHERE code = ANY(%s) FOR KEY SHARE) locked",
            [list(service_codes)],
        )
    if found != named:
        raise MissingReference


class MissingReference(Exception):
    """The batch names an account the books do not know."""


def unique_key_sql(table: str) -> str:
    """The index of the batch's unique key, as billing_accrual's; a line given twice fails it."""
    return (
        f"CREATE UNIQUE INDEX {table}_one_per_service ON {table} "
        "(account_id varchar_pattern_ops, period, service_id varchar_pattern_ops)"
    )


def id_index_sql(table: str) -> str:
    """The batch's index of ids, as billing_accrual's (migration 0006): BRIN, one pass, no sort."""
    return f"CREATE INDEX {table}_id ON {table} USING brin (id)"


def sums_sql(table: str) -> list[str]:
    """Each account's total to pay in each month of the batch, for the balances; and the
    batch's accounts, a row each, for the checks of references and the balances' scope.
    UNLOGGED: scratch for one import, dropped at its end (or by the next one after a crash),
    so not worth writing to the WAL."""
    return [
        f"CREATE UNLOGGED TABLE {table}_sums AS SELECT account_id, period, SUM(to_pay) AS accrued "
        f"FROM {table} GROUP BY account_id, period",
        f"CREATE UNLOGGED TABLE {table}_accounts AS SELECT DISTINCT account_id AS number FROM {table}_sums",
    ]


def batch_periods(cursor: CursorWrapper, table: str) -> list[datetime.date]:
    """The months of a batch, read from its sums."""
    cursor.execute(f"SELECT DISTINCT period FROM {table}_sums ORDER BY period")
    return [period for (period,) in cursor.fetchall()]


def add_months_check(cursor: CursorWrapper, table: str, periods: Sequence[datetime.date]) -> None:
    """A CHECK that every row is of one of the batch's months: the partition's bound, which
    ATTACH then knows to hold without reading the rows again (inside the import's transaction)."""
    check = f"CHECK (period IN ({_values(periods)}))"
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_months {check}")


def drop_batch(table: str, *, own: bool = False) -> None:
    """Drop a batch and its sums. `own`: through the import's connection, which has touched
    them (and may hold locks on them until its outermost transaction ends); else through a
    side connection, for a batch the import's connection never saw."""
    sql = f"DROP TABLE IF EXISTS {table}, {table}_sums, {table}_accounts"
    if own:
        with connection.cursor() as cursor:
            cursor.execute(sql)
        return
    with side_connection() as cursor:
        cursor.execute(sql)


def drop_sums(table: str) -> None:
    """After the import's transaction: the sums of an attached batch are no longer needed."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}_sums, {table}_accounts")


def drop_abandoned_batches() -> None:
    """Batches of imports that died before attaching theirs (under `import_lock`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE %s "
            "AND c.relnamespace = current_schema()::regnamespace AND NOT c.relispartition",
            [BATCH_PREFIX.replace("_", r"\_") + "%"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def partitions() -> dict[str, list[datetime.date]]:
    """The attached partitions but the default one, with the months each holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [PARENT],
        )
        rows = cursor.fetchall()
    return {
        name: [datetime.date.fromisoformat(d) for d in _DATE.findall(bound)]
        for name, bound in rows
        if name != DEFAULT_PARTITION
    }


def remove_months(periods: Sequence[datetime.date]) -> None:
    """Remove the accruals of `periods` from wherever they are, in the caller's transaction:
    partitions holding only those months are dropped, one holding others too is narrowed to
    the others, and their rows in the default partition are deleted."""
    months = set(periods)
    with connection.cursor() as cursor:
        for name, held in partitions().items():
            kept = sorted(set(held) - months)
            if len(kept) == len(held):
                continue
            if not kept:
                cursor.execute(f"DROP TABLE {name}")
                continue
            cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {name}")
            cursor.execute(f"DELETE FROM {name} WHERE period = ANY(%s)", [sorted(months)])
            cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES IN ({_values(kept)})")
        cursor.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE period = ANY(%s)", [sorted(months)])


def attach_batch(table: str, periods: Sequence[datetime.date]) -> None:
    """Make the batch, keyed, the partition of `periods` in place of their accruals till now
    (`remove_months`), in the caller's transaction. Without foreign keys of its own
    (`create_batch`) attaching checks the rows' accounts and services: an unknown one raises
    IntegrityError."""
    remove_months(periods)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DROP COLUMN service_name")
        cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {table} FOR VALUES IN ({_values(periods)})")


def _values(periods: Sequence[datetime.date]) -> str:
    return ", ".join(f"'{period.isoformat()}'" for period in sorted(periods))
