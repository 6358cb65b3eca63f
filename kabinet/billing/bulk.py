"""Set-based writing on PostgreSQL: what the imports and the balances share.

A million rows are written with a few statements, not a statement a row; these helpers make
such statements cheaper where the database allows it and change nothing on SQLite.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection


def postgres() -> bool:
    return connection.vendor == "postgresql"


def more_memory() -> None:
    """For this transaction only: sorting and hashing a million staged rows in memory, not in
    temporary files; and the commit does not wait for the WAL to reach the disk. A crash in
    the fraction of a second after the commit may then lose the import as a whole (never a
    part of it: the database stays consistent), and the operator loads the file again.

    And no JIT compilation: an import's statements each run once, over rows the planner
    mostly has no statistics of yet, so their estimated costs pass JIT's thresholds and a
    statement that takes a tenth of a second spent half a second being compiled (measured
    with bench/import_payments.py)."""
    if postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL jit = off")


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
    if not postgres() or not may_skip_row_triggers():
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
