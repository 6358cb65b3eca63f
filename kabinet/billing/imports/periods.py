"""The careful road of a file that replaces whole periods (accruals, payments).

Every row is checked in Python by the kind's parser and staged (staging.py); the periods the
file names are then replaced in one transaction, whole or not at all, and the touched accounts'
balances rebuilt. A bad row stops the import — every bad row reported, nothing changed — unless
`skip_bad`, which imports the good rows only. What only the whole file can tell is asked of the
database when the rows did not all go in (checks.py).
"""

import datetime
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from django.db import IntegrityError, transaction

from .. import balances
from . import checks
from . import report as reports
from .read import PROGRESS_EVERY, Progress, Row, Rows
from .report import PeriodReport
from .staging import Layout, stage_writer, staging_table


class RowParser(Protocol):
    """A kind's row checks: the staged values of a row, or the reasons it is bad; and the
    periods the good rows name."""

    periods: set[datetime.date]

    def parse(self, values: Mapping[str, str]) -> tuple[tuple | None, list[str]]: ...


@dataclass(frozen=True)
class PeriodKind:
    """What the careful road needs of a kind: its staging table, how to replace its periods
    with the staged rows (`replace(periods) -> (deleted, inserted)`) and the checks that find
    what the database refused."""

    layout: Layout
    replace: Callable[[list[datetime.date]], tuple[int, int]]
    checks: Callable[[list[datetime.date]], list[checks.Check]]


def import_periods(
    kind: PeriodKind,
    *,
    rows: Iterable[Row],
    parser: RowParser,
    skip_bad: bool,
    progress: Progress | None,
    before_replace: Callable[[], None] | None = None,
) -> PeriodReport:
    """Stage the rows, then replace the periods they name; `before_replace` runs in between,
    in the same transaction (accruals create the services the file names there)."""
    report = PeriodReport(skip_bad=skip_bad)
    try:
        with transaction.atomic(), staging_table(kind.layout):
            _stage_rows(rows, parser=parser, layout=kind.layout, report=report, progress=progress)
            if before_replace is not None:
                before_replace()
            report.periods = sorted(parser.periods)
            _replace(report, kind)
    except _Stopped:
        pass  # the report says why
    return report


class _RowsMissing(Exception):
    """The INSERT … SELECT wrote fewer rows than were staged: some rows name unknown accounts."""


class _Stopped(Exception):
    """Bad rows and no `skip_bad`: leaving the transaction this way rolls it back."""


def _stage_rows(
    rows: Iterable[Row], *, parser: RowParser, layout: Layout, report: PeriodReport, progress: Progress | None
) -> None:
    started = time.perf_counter()
    with stage_writer(layout) as writer:
        for row in rows:
            report.rows_read += 1
            if progress is not None and report.rows_read % PROGRESS_EVERY == 0:
                progress(report.rows_read, rows.progress() if isinstance(rows, Rows) else 0.0)
            if row.staged is not None:
                writer.add_plain(row.line, row.staged)
                continue
            if row.problem:
                report.add_error(row.line, row.problem)
                continue
            values, reasons = parser.parse(row.values)
            if reasons:
                report.add_error(row.line, "; ".join(reasons))
            else:
                writer.add(row.line, values)
    report.loaded = writer.count
    report.timings["чтение, проверка и запись во временную таблицу"] = time.perf_counter() - started


def _replace(report: PeriodReport, kind: PeriodKind) -> None:
    """Replace the periods in a savepoint; if the database finds rows only the whole file
    shows to be bad, report them, and drop them if asked to, else change nothing."""
    if report.error_count and not report.skip_bad:
        _stop(report, kind.checks(report.periods))
    if not report.periods:
        return  # no good rows: no period to replace
    started = time.perf_counter()
    try:
        with transaction.atomic():
            report.replaced, inserted = kind.replace(report.periods)
            if inserted != report.loaded:
                raise _RowsMissing
    except (IntegrityError, _RowsMissing):
        if not report.skip_bad:
            _stop(report, kind.checks(report.periods))
        found = kind.checks(report.periods)
        report.add_found(*checks.find_problems(found, limit=reports.MAX_REPORTED_ERRORS))
        checks.drop_bad_rows(kind.layout)
        report.replaced, report.loaded = kind.replace(report.periods)
    replaced = time.perf_counter()
    balances.rebuild_balances(since=min(report.periods))
    report.timings["замена периодов"] = replaced - started
    report.timings["пересчёт сальдо"] = time.perf_counter() - replaced


def _stop(report: PeriodReport, found: list[checks.Check]) -> None:
    report.add_found(*checks.find_problems(found, limit=reports.MAX_REPORTED_ERRORS))
    report.applied = False
    report.loaded = report.replaced = 0
    raise _Stopped
