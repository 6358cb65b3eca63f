"""Balances (AccountPeriod): each account's month, rebuilt set-based from accruals and payments.

The heart of the ledger: opening = the month before's closing, closing = opening + accrued −
paid, starting from zero before the first month; `charged` (migration 0007) tells a month with
accruals from one with payments only, for the cabinet. Nothing edits a balance by hand: an
import or a payment marks the accounts it touched (`mark_touched`, a temporary table, so that a
million-row file does not keep a million ids in memory) and `rebuild_balances` writes their
months again, from the first month that changed on.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.db import connection

from kabinet.core import stamps

from . import due_dates
from .bulk import checked_references, postgres

# A temporary table of the accounts whose balances are to be rebuilt; its name is kept from
# the days it lived beside the staging tables.
TOUCHED = "billing_stage_touched"


def mark_touched(sql: str, params: Sequence[object] = ()) -> None:
    """Add the account ids a query selects to the set whose balances are rebuilt."""
    create_touched()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TOUCHED} (account_id) SELECT DISTINCT q.account_id FROM ({sql}) q "
            f"WHERE NOT EXISTS (SELECT 1 FROM {TOUCHED} t WHERE t.account_id = q.account_id)",
            params,
        )


def create_touched() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {TOUCHED} (account_id bigint PRIMARY KEY)")


STAMPED_ONE_BY_ONE = 100  # more accounts than this: every kept page goes (kabinet.core.stamps)


def _stamp(account_ids: Iterable[int] | None) -> None:
    """Kept pages of these accounts' cabinets (of all, for many or the touched ones) go."""
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
    create_touched()
    _stamp(account_ids)
    if account_ids is not None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TOUCHED} (account_id) VALUES (%s) ON CONFLICT DO NOTHING",
                [(account_id,) for account_id in set(account_ids)],
            )
    scope = f"SELECT account_id FROM {TOUCHED}"
    from_since = "" if since is None else f" AND period >= {_date(since)}"
    # The due date follows the period (ЖК РФ ст. 155 ч. 1, as amended by 177-ФЗ): due_dates.py.
    due = due_dates.payment_due_sql("b.period", postgres=postgres())
    money = "{}" if postgres() else "ROUND({}, 2)"  # SQLite sums decimals as floats
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
            f"{_closing_before(since)}"
            # ROWS, not the default RANGE: a month comes once per account, and no peers are sought.
            "SUM(m.accrued - m.paid) OVER (PARTITION BY m.account_id ORDER BY m.period "
            "ROWS UNBOUNDED PRECEDING) AS closing "
            f"FROM ({_months(scope, batch, from_since)}) m) b",
            [] if batch is None else [list(batch_periods)],
        )
        written = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
    return written


def add_paid(sums: str) -> bool:
    """After payments were only added (a bank's registry), add their sums per account and month
    (`sums`: account_id, period, amount) into the balances that are there: the month's paid and
    closing, every later month's opening and closing — a few hundred thousand rows updated in
    place instead of rebuilt from every payment of their months. The accounts with a month of
    new payments that has no balance yet are marked touched instead, for `rebuild_balances`;
    whether there are any.

    PostgreSQL only (`FILTER`): on SQLite imports rebuild."""
    create_touched()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TOUCHED} (account_id) SELECT DISTINCT d.account_id FROM {sums} d "
            "WHERE NOT EXISTS (SELECT 1 FROM billing_accountperiod ap WHERE ap.account_id = d.account_id "
            "AND ap.period = d.period) ON CONFLICT DO NOTHING"
        )
        left = cursor.rowcount > 0
        cursor.execute(
            "UPDATE billing_accountperiod ap SET opening_balance = ap.opening_balance - x.before, "
            "paid = ap.paid + x.here, closing_balance = ap.closing_balance - x.before - x.here "
            "FROM (SELECT e.id, COALESCE(SUM(d.amount) FILTER (WHERE d.period < e.period), 0) AS before, "
            "COALESCE(SUM(d.amount) FILTER (WHERE d.period = e.period), 0) AS here "
            f"FROM {sums} d JOIN billing_accountperiod e "
            "ON e.account_id = d.account_id AND e.period >= d.period "
            f"WHERE NOT EXISTS (SELECT 1 FROM {TOUCHED} t WHERE t.account_id = d.account_id) "
            "GROUP BY e.id) x WHERE ap.id = x.id"
        )
    _stamp(None)
    return left


def _date(value: datetime.date) -> str:
    """A date as an SQL literal: a date object of the code's own, never text from a user."""
    if not isinstance(value, datetime.date):
        raise TypeError(f"a date, not {value!r}")
    return f"'{value.isoformat()}'"


def _closing_before(since: datetime.date | None) -> str:
    """Each account's closing balance of its latest month before `since`: a subquery per month
    rebuilt, each an index probe of (account, period) read backwards to its first row, however
    long the account's history — not a correlated MAX compared with every month it has."""
    if since is None:
        return ""
    return (
        "COALESCE((SELECT e.closing_balance FROM billing_accountperiod e WHERE e.account_id = m.account_id "
        f"AND e.period < {_date(since)} ORDER BY e.period DESC LIMIT 1), 0) + "
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
