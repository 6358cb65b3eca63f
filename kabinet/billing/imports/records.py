"""Imports of records (accounts, meters): each row creates or updates one record of its own.

The whole file goes in one transaction, undone when a row is bad and bad rows are not to be
skipped, so that a file is never half-loaded by surprise (accruals and payments, which replace
whole periods, have the same rule by other means: periods.py).
"""

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from django.db import transaction

from .read import PROGRESS_EVERY, Progress, Row, Rows, read_table
from .report import ImportReport


def import_records(
    *,
    path: Path,
    columns: Sequence[str],
    run: Callable[..., ImportReport],
    skip_bad: bool,
    progress: Progress | None,
    file_name: str = "",
) -> ImportReport:
    """Read the file and hand its rows to `run(rows=...)`, the kind's import of records."""
    with read_table(path, columns=columns, file_name=file_name) as rows, transaction.atomic():
        report = run(rows=_counted(rows, progress))
        if report.errors and not skip_bad:
            transaction.set_rollback(True)
            report.applied = False
    return report


def _counted(rows: Rows, progress: Progress | None) -> Iterator[Row]:
    for count, row in enumerate(rows, start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, rows.progress())
        yield row
