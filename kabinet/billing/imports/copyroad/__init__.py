"""The COPY road: an accruals CSV on PostgreSQL without Python's work per row.

The careful road (periods.py) costs microseconds a row in Python, and writing rows into an
indexed table costs as much again. On the COPY road a file whose every line is plainly good —
the usual case for a billing system's export — goes with COPY straight into a table of its own
(a *batch*), which becomes the partition of its months:

1. blocks.py checks the file a block of lines at a time, each with one regular expression;
2. load.py COPYs the blocks into the batch through two connections at once and has side
   connections sum it up and build its keys;
3. `import_file` here, in the import's transaction, rebuilds the balances from the batch's sums
   and swaps the batch in for the months it holds (partitions.py).

Whatever is not plainly good — a value in another form, an unknown account, a line given twice,
a quote around a value that needs one — raises `Unsuitable`, having changed nothing; the caller
(accruals.py) then takes the careful road, which reports every bad row (`строка N: причина`) and
honours --skip-bad. So both roads store the same rows and give the same reports; this one only
decides, cheaply, that there is nothing to report.

The public interface: `usable`, `import_file`, `Unsuitable`.
"""

import datetime
import time
from collections.abc import Sequence
from pathlib import Path

from django.db import IntegrityError, connection, transaction

from ... import balances
from ...bulk import more_memory
from ..accrual_rows import save_services
from ..read import Progress
from ..report import PeriodReport
from . import partitions
from .blocks import Unsuitable
from .load import Loaded, load_file

__all__ = ["Unsuitable", "import_file", "usable"]


def usable(path: Path) -> bool:
    """Whether the file may try the COPY road: PostgreSQL, and not a workbook."""
    return connection.vendor == "postgresql" and path.suffix.lower() != ".xlsx"


def import_file(*, path: Path, skip_bad: bool, progress: Progress | None) -> PeriodReport:
    """`accruals.import_accruals` of a CSV file by the COPY road. Raises `Unsuitable`, having
    changed nothing, for a file with a row that is not plainly good."""
    report = PeriodReport(skip_bad=skip_bad)
    with partitions.import_lock():
        partitions.drop_abandoned_batches()
        loaded = load_file(path, progress=progress)
        report.timings = loaded.timings
        try:
            with transaction.atomic():
                _swap_in(loaded, report)
        except (IntegrityError, partitions.MissingReference):  # an account the books do not know
            loaded.abandon()
            raise Unsuitable from None
        except BaseException:
            loaded.abandon()
            raise
        partitions.drop_sums(loaded.table)
    report.loaded = report.rows_read = loaded.rows
    return report


def _swap_in(loaded: Loaded, report: PeriodReport) -> None:
    """In the import's transaction: the balances from the batch's sums, the services it names,
    then the batch in place of its months' accruals."""
    report.periods = loaded.periods()
    started = time.perf_counter()
    report.replaced = _mark_replaced(loaded.table, report.periods)
    replaced = time.perf_counter()
    balances.rebuild_balances(since=min(report.periods), batch=loaded.table, batch_periods=report.periods)
    report.timings["прежние начисления"] = replaced - started
    report.timings["пересчёт сальдо"] = time.perf_counter() - replaced
    save_services(loaded.services)
    if loaded.references_unchecked:
        partitions.check_references(loaded.table, list(loaded.services))
    loaded.keys_built()
    # Last, so that readers of accruals wait for this transaction only as it commits.
    partitions.attach_batch(loaded.table, report.periods)


def _mark_replaced(table: str, periods: Sequence[datetime.date]) -> int:
    """Before a loaded batch replaces the accruals of its periods, mark the accounts of both
    the old rows and the batch's for their balances to be rebuilt; the number of old rows."""
    more_memory()
    balances.create_touched()
    with connection.cursor() as cursor:
        # One pass over the old rows: counted, and their accounts marked.
        cursor.execute(
            "WITH old AS (SELECT account_id FROM billing_accrual WHERE period = ANY(%s)), "
            f"marked AS (INSERT INTO {balances.TOUCHED} (account_id) SELECT a.id FROM billing_account a "
            "WHERE a.number IN (SELECT account_id FROM old) ON CONFLICT DO NOTHING) "
            "SELECT COUNT(*) FROM old",
            [list(periods)],
        )
        (replaced,) = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO {balances.TOUCHED} (account_id) SELECT a.id FROM billing_account a "
            f"WHERE a.number IN (SELECT number FROM {table}_accounts) ON CONFLICT DO NOTHING"
        )
    return replaced
