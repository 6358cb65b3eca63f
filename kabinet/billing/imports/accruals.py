"""The accruals file: the month's charges per account and service, replacing whole periods.

Two roads, the same rows stored and the same report either way:

- the COPY road (copyroad/): on PostgreSQL, a CSV file whose every line is plainly good goes
  with COPY, without Python's work per row, into a table of its own that becomes the partition
  of its months;
- the careful road (periods.py): everything else — SQLite, XLSX, a file with a doubtful line —
  is read row by row, checked in Python (accrual_rows.py, with its quick check for plain
  lines), staged and replaced set-based; it reports every bad row and honours `skip_bad`.

The layout is in docs/billing-formats.md.
"""

import datetime
from collections.abc import Iterable
from pathlib import Path

from django.db import connection

from ..balances import TOUCHED, create_touched, mark_touched
from ..bulk import checked_references, more_memory, postgres
from . import checks, copyroad
from .accrual_rows import COLUMNS, AccrualParser, quick_check, save_services
from .periods import PeriodKind, import_periods
from .read import Progress, Row, read_table
from .report import PeriodReport
from .staging import ACCRUALS, in_list


def import_file(
    *, path: Path, skip_bad: bool = False, progress: Progress | None = None, file_name: str = ""
) -> PeriodReport:
    """The accruals file at `path`, by the COPY road where it can go, else the careful one."""
    if copyroad.usable(path):
        try:
            return copyroad.import_file(path=path, skip_bad=skip_bad, progress=progress)
        except copyroad.Unsuitable:
            pass  # the careful road below reads the file again and says what is wrong with it
    return import_staged(path=path, skip_bad=skip_bad, progress=progress, file_name=file_name)


def import_staged(
    *, path: Path, skip_bad: bool = False, progress: Progress | None = None, file_name: str = ""
) -> PeriodReport:
    """The careful road for a file: the reader with the quick check, then `import_accruals`."""
    parser = AccrualParser()
    with read_table(path, columns=COLUMNS, quick=quick_check(parser), file_name=file_name) as rows:
        return import_accruals(rows=rows, skip_bad=skip_bad, progress=progress, parser=parser)


def import_accruals(
    *,
    rows: Iterable[Row],
    skip_bad: bool = False,
    progress: Progress | None = None,
    parser: AccrualParser | None = None,
) -> PeriodReport:
    """Replace the accruals of every period the file names with the file's rows.

    One transaction: the periods are replaced whole or not at all. A bad row stops the import
    (every bad row is reported) unless `skip_bad`, which imports the good rows only.
    """
    parser = parser or AccrualParser()
    return import_periods(
        KIND,
        rows=rows,
        parser=parser,
        skip_bad=skip_bad,
        progress=progress,
        before_replace=lambda: save_services(parser.services),
    )


_ACCOUNTS_OF_ACCRUALS = (
    "SELECT a.id AS account_id FROM billing_accrual x JOIN billing_account a ON a.number = x.account_id "
    "WHERE x.period IN ({})"
)


def replace_accruals(periods: Iterable[datetime.date]) -> tuple[int, int]:
    """Delete the accruals of the periods and insert the staged ones; (deleted, inserted)."""
    more_memory()
    marks, params = in_list(periods)
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


KIND = PeriodKind(
    layout=ACCRUALS,
    replace=replace_accruals,
    checks=lambda periods: [
        checks.unknown_accounts(ACCRUALS),
        checks.repeated_accruals(),
        checks.mismatched_sums(),
    ],
)
