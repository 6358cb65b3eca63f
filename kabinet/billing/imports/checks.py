"""What only the whole file tells: queries over the staging table for bad rows.

An unknown account, a line given twice, a payment number already loaded for another month, a
sum that does not add up (left to the database by the quick check, accrual_rows.py): each is a
`Check`, a query selecting the bad lines with a value for the reason. The careful road runs
them only when the file's rows did not all go in (periods.py), so a good file pays nothing.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from .staging import ACCRUALS, BAD, PAYMENTS, Layout, in_list


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
    """Rows whose to_pay is not accrued + recalculation − benefit (the quick check leaves this
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
        marks, params = in_list(periods)
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
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {BAD} (line bigint NOT NULL)")
        cursor.execute(f"DELETE FROM {BAD}")
        for check in checks:
            cursor.execute(f"INSERT INTO {BAD} (line) SELECT q.line FROM ({check.sql}) q", check.params)
            cursor.execute(f"SELECT * FROM ({check.sql}) q ORDER BY 1 LIMIT {int(limit)}", check.params)
            problems.extend((line, check.reason(value)) for line, value in cursor.fetchall())
        cursor.execute(f"SELECT COUNT(DISTINCT line) FROM {BAD}")
        (count,) = cursor.fetchone()
    problems.sort()
    return problems[:limit], count


def drop_bad_rows(layout: Layout) -> None:
    """Remove from the staging table the rows `find_problems` found bad."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {layout.table} WHERE line IN (SELECT line FROM {BAD})")


def _month(value: object) -> str:
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return f"{value:%m.%Y}"
