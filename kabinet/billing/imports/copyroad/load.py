"""The COPY road's loading: the file's bytes through COPY into a batch, then its sums and keys.

Two connections COPY the checked blocks (blocks.py) into one batch table (partitions.py) at
once; the table's CHECK constraints test the sums, and COPY the lengths and the dates. Side
connections then sum the batch up per account and month and build its keys (a line given twice
fails the unique one) while the import's transaction rebuilds the balances (`Loaded`). What
PostgreSQL refuses becomes `Unsuitable`, the batch dropped.
"""

import codecs
import csv
import datetime
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.db import DataError, IntegrityError, OperationalError, connection
from django.db.backends.utils import CursorWrapper

from ...bulk import may_skip_row_triggers
from ..accrual_rows import COLUMNS
from ..read import ImportFileError, Progress, column_positions, detect_delimiter
from . import partitions
from .blocks import Blocks, Unsuitable

# How often the progress is reported during COPY. From the caller's thread: the upload worker
# writes it through a database connection of that thread's own.
_TICK_SECONDS = 0.25
_WORKERS = 2  # COPY connections: PostgreSQL parses and checks rows on a core per connection
_ENCODINGS = {"utf-8": "UTF8", "cp1251": "WIN1251"}
_TEXT_COLUMNS = ("service_name", "unit", "volume_source", "recalculation_reason")
# The batch's column for each of the file's; the service name goes into a column of its own.
_TABLE_COLUMNS = {"account_number": "account_id", "service_code": "service_id"}


# What PostgreSQL says of a value or a row it refuses (COPY's errors come from psycopg itself,
# not through Django's cursor).
_REFUSALS = (Unsuitable, DataError, IntegrityError, psycopg.DataError, psycopg.IntegrityError)


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

    def _wait(self, name: str, task: "_Task") -> Any:
        started = time.perf_counter()
        try:
            return task.result()
        finally:
            name = f"ожидание: {name}"
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


def load_file(path: Path, *, progress: Progress | None) -> Loaded:
    """COPY the file into a new batch table and set its sums, services and keys going. Raises
    `Unsuitable` (having dropped the batch) when the file or a row is not plainly good; what the
    side connections find, `Loaded` raises when it is asked for."""
    started = time.perf_counter()
    header, encodings = _read_header(path)
    try:
        delimiter = detect_delimiter(header)
        names = [name.strip().lower() for name in next(csv.reader([header], delimiter=delimiter), [])]
        column_positions(names, COLUMNS)
    except ImportFileError:
        raise Unsuitable from None  # the careful road words it
    if len(names) != len(COLUMNS):
        raise Unsuitable  # columns the table has no place for
    table = partitions.new_batch_name()
    # Where the role may turn row triggers off, the batch gets its foreign keys before the rows
    # and the references are checked once per account (partitions.check_references); else
    # ATTACH checks every row's. A side connection adds those keys, locking billing_account
    # against writers: not while a transaction of the import's own connection (a caller's
    # atomic block, a test) may hold such a lock, which would make the two wait for each other.
    in_callers_transaction = connection.in_atomic_block
    keys_checked_later = not in_callers_transaction and may_skip_row_triggers()
    if in_callers_transaction and partitions.locked_here():
        # An import earlier in the caller's transaction replaced months: until it ends, a side
        # connection would wait for it, and the import for the side connection.
        raise Unsuitable
    try:
        _create_batch(table, foreign_keys=keys_checked_later, lock_timeout=in_callers_transaction)
        blocks = Blocks(path, names=names, encodings=encodings, delimiter=delimiter, progress=progress)
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


def _create_batch(table: str, *, foreign_keys: bool, lock_timeout: bool) -> None:
    with partitions.side_connection() as cursor:
        if lock_timeout:
            # Should a lock of the caller's still stand in the way: the careful road, not a
            # wait for ever.
            cursor.execute("SET lock_timeout = '10s'")
        try:
            partitions.create_batch(cursor, table, foreign_keys=foreign_keys)
        except OperationalError as exc:
            if isinstance(exc.__cause__, psycopg.errors.LockNotAvailable):
                raise Unsuitable from exc
            raise


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


def _copy(blocks: "Blocks", *, table: str, names: list[str], delimiter: str, triggers: bool) -> int:
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


def _sum_up(cursor: CursorWrapper, table: str) -> list[datetime.date]:
    """The batch's sums (partitions.sums_sql); its months."""
    for sql in partitions.sums_sql(table):
        cursor.execute(sql)
    # For the plans of the balances' queries: without, they take a third longer. A small
    # sample is plenty for them, and the ANALYZE is then a few milliseconds, not a tenth of a second.
    cursor.execute("SET default_statistics_target = 10")
    cursor.execute(f"ANALYZE {table}_sums")
    return partitions.batch_periods(cursor, table)


def _id_index(cursor: CursorWrapper, table: str, sums: _Task) -> None:
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
