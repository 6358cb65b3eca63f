"""The payments file: the billing system's payments (касса, банк), replacing whole periods.

Online payments (source «online») are the payments app's record and never touched. The rows
take the careful road (periods.py): parsed here, staged, the periods replaced in one
transaction. The layout is in docs/billing-formats.md.
"""

import datetime
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.db import connection
from django.utils import timezone

from ..balances import mark_touched
from . import checks
from .fields import (
    MONEY_LIMIT,
    FieldError,
    parse_account_number,
    parse_date,
    parse_decimal,
    parse_period,
    parse_text,
    remembered,
    shown,
)
from .periods import PeriodKind, import_periods
from .read import Progress, Row, read_table
from .report import PeriodReport
from .staging import PAYMENTS, in_list

COLUMNS = ("account_number", "paid_on", "amount", "period", "external_id", "note")


def import_file(
    *, path: Path, skip_bad: bool = False, progress: Progress | None = None, file_name: str = ""
) -> PeriodReport:
    """The payments file at `path` (CSV or XLSX)."""
    with read_table(path, columns=COLUMNS, file_name=file_name) as rows:
        return import_payments(rows=rows, skip_bad=skip_bad, progress=progress)


def import_payments(
    *, rows: Iterable[Row], skip_bad: bool = False, progress: Progress | None = None
) -> PeriodReport:
    """Replace the billing system's payments of every period the file names with its rows.

    Online payments (source «online») are never touched. One transaction: the periods are
    replaced whole or not at all. A bad row stops the import (every bad row is reported)
    unless `skip_bad`, which imports the good rows only.
    """
    return import_periods(KIND, rows=rows, parser=PaymentParser(), skip_bad=skip_bad, progress=progress)


class PaymentParser:
    """Checks payment rows; remembers the periods the file names."""

    def __init__(self) -> None:
        self.periods: set[datetime.date] = set()
        self._number = remembered(parse_account_number)
        self._date = remembered(lambda t: parse_date(t, label="дата оплаты"))
        self._period = remembered(parse_period)
        self._amount = remembered(
            lambda t: parse_decimal(t, label="сумма", places=2, limit=MONEY_LIMIT, required=True)
        )
        self._note = remembered(lambda t: parse_text(t, label="где оплачено", limit=200))

    def parse(self, values: Mapping[str, str]) -> tuple[tuple | None, list[str]]:
        reasons: list[str] = []
        out: list[object] = []
        for column, parse in (
            ("account_number", self._number),
            ("paid_on", self._date),
            ("amount", self._amount),
            ("note", self._note),
        ):
            try:
                out.append(parse(values[column]))
            except FieldError as exc:
                reasons.append(str(exc))
                out.append(None)
        period_text = values["period"].strip()
        period = None
        if period_text:
            try:
                period = self._period(period_text)
            except FieldError as exc:
                reasons.append(str(exc))
        external_id = values["external_id"].strip()
        if len(external_id) > 64 or not external_id.isprintable():
            reasons.append(f"номер платежа {shown(external_id)}: до 64 печатных знаков")
        if out[2] is not None and out[2] == 0:
            reasons.append("сумма оплаты равна нулю")
        if reasons:
            return None, reasons
        number, paid_on, amount, note = out
        if period is None:
            period = paid_on.replace(day=1)  # type: ignore[union-attr]
        self.periods.add(period)  # type: ignore[arg-type]
        return (number, paid_on, period, amount, external_id, note), []


def replace_payments(periods: Iterable[datetime.date]) -> tuple[int, int]:
    """Delete the billing system's payments of the periods and insert the staged ones.

    Online payments are left alone: they are the payments app's record.
    """
    marks, params = in_list(periods)
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


KIND = PeriodKind(
    layout=PAYMENTS,
    replace=replace_payments,
    checks=lambda periods: [checks.unknown_accounts(PAYMENTS), *checks.repeated_payments(periods)],
)
