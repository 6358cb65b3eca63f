"""Recording a bank file's payments: once each, by the bank's operation id, set-based.

The kind's reader (registry_file.py, statement.py) stages its checked payments (staging.py's
writer: COPY on PostgreSQL); here, in the import's transaction, a few statements do the rest:

- a payment for a known account becomes a `Payment` of source «bank» whose `external_id` is the
  operation id (`R:…` from a registry, `S:…` from a statement) — unless one with that id is there
  already (a file loaded again), or the same money came through the other kind of file (the same
  account, day and amount from a registry and a statement): then it is counted as «уже были»;
- a payment for an unknown account, or whose account a statement did not name, waits in
  «Неразнесённые платежи» (`UnmatchedPayment`, by the same id, so it too comes once);
- the touched accounts' balances are rebuilt from the first month that changed.

On PostgreSQL the payments go in with one INSERT … SELECT that also marks their accounts
(`_insert_payments`): no row of Python, no foreign-key check per row, no second pass to find
what was written.
"""

import datetime
import hashlib
import time

from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from ... import balances
from ...bulk import checked_references, more_memory, postgres
from ..staging import Layout
from .report import BankReport

STAGE = Layout(
    "billing_stage_bank",
    (
        ("external_id", "varchar(64)"),
        ("account_number", "varchar(60)"),
        ("paid_on", "date"),
        ("period", "date"),
        ("month", "date"),  # the month of paid_on: the period when neither file nor books say
        ("amount", "numeric"),
        ("payer", "varchar(300)"),
        ("address", "varchar(300)"),
        ("purpose", "text"),
        ("note", "varchar(200)"),
        ("reason", "varchar(300)"),  # set when the file names no account (statements)
        ("has_readings", "boolean"),
    ),
)
REGISTRY, STATEMENT = "R:", "S:"


def registry_operation_id(operation: str) -> str:
    """A registry line's `external_id`: its operation id under REGISTRY, or the id's hash when
    that would not fit the column (64)."""
    key = f"{REGISTRY}{operation}"
    if len(key) > 64:
        key = f"{REGISTRY}{hashlib.sha1(operation.encode()).hexdigest()}"
    return key


PAID = "billing_stage_paid"  # the new payments' sums per account and month, for the balances
_MANY = 10_000  # new payments from which the statistics of their table are taken again
# A staged payment's recorded twin, by the bank's operation id. `<> ''` (which an id always is)
# lets the query use the unique key, which is partial: it leaves out the payments without one.
_BY_ID = "p.source = 'bank' AND p.external_id = s.external_id AND p.external_id <> ''"


def repeated_operations(report: BankReport) -> bool:
    """Report the lines whose operation id came earlier in the same file; whether any did.

    The first look at the staged rows: on PostgreSQL the staging table's statistics are taken
    (a temporary table has none until then, and the planner would guess a handful of rows) and
    this transaction may sort and hash them in memory (`more_memory`)."""
    with connection.cursor() as cursor:
        if postgres():
            more_memory()
            cursor.execute(f"ANALYZE {STAGE.table}")
        cursor.execute(
            f"SELECT s.line, f.first_line FROM {STAGE.table} s JOIN (SELECT external_id, "
            f"MIN(line) AS first_line FROM {STAGE.table} GROUP BY external_id HAVING COUNT(*) > 1) f "
            "ON f.external_id = s.external_id "
            "WHERE s.line <> f.first_line ORDER BY s.line"
        )
        found = cursor.fetchall()
    for line, first in found:
        report.add_error(line, f"та же операция банка уже была в строке {first}")
    return bool(found)


def drop_lines(lines: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {STAGE.table} WHERE line = %s", [(line,) for line in lines])


def record_payments(report: BankReport, *, kind: str, file_name: str) -> datetime.datetime:
    """Record the staged payments (see the module's docstring); the moment stamped on the new
    rows, by which their readings are found (`new_with_readings`)."""
    # As the ORM writes it (SQLite keeps text): the new rows are found again by this value.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    started = time.perf_counter()
    other = STATEMENT if kind == REGISTRY else REGISTRY
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM billing_payment WHERE source = 'bank' AND external_id LIKE %s LIMIT 1",
            [other + "%"],
        )
        # Only if the other kind of file has brought payments: a registry's million lines then
        # pay no probe each.
        crossed = cursor.fetchone() is not None
        same_money = (
            " AND NOT EXISTS (SELECT 1 FROM billing_payment q WHERE q.account_id = a.id "
            "AND q.source = 'bank' "
            "AND q.paid_on = s.paid_on AND q.amount = s.amount AND q.external_id LIKE %s)"
            if crossed
            else ""
        )
        period = (
            "COALESCE(s.period, (SELECT MAX(x.period) FROM billing_accountperiod x WHERE x.account_id = a.id "
            "AND x.charged AND x.period <= s.month), s.month)"
        )
        params = [now, other + "%"] if crossed else [now]
        probed = time.perf_counter()
        report.timings["поиск оплат из выписок"] = probed - started
        if postgres():
            report.loaded, since = _insert_payments(cursor, period, same_money, params)
        else:
            cursor.execute(
                "INSERT INTO billing_payment "
                "(account_id, paid_on, period, amount, source, external_id, note, created_at) "
                f"SELECT a.id, s.paid_on, {period}, s.amount, 'bank', s.external_id, s.note, %s "
                f"FROM {STAGE.table} s JOIN billing_account a ON a.number = s.account_number "
                f"WHERE NOT EXISTS (SELECT 1 FROM billing_payment p WHERE {_BY_ID}){same_money} "
                "AND NOT EXISTS (SELECT 1 FROM billing_unmatchedpayment u "
                "WHERE u.external_id = s.external_id)",
                params,
            )
            report.loaded = cursor.rowcount
            cursor.execute(
                "SELECT MIN(period) FROM billing_payment WHERE source = 'bank' AND created_at = %s", [now]
            )
            (since,) = cursor.fetchone()
            if report.loaded:
                balances.mark_touched(
                    "SELECT account_id FROM billing_payment WHERE source = 'bank' AND created_at = %s", [now]
                )
        report.timings["вставка оплат"] = time.perf_counter() - probed
        cursor.execute(
            # The lines of unknown accounts (a few hundred of a million) are found first, then each
            # is probed for its twins by index: `(… LIMIT 1) IS NULL` stays a subplan per line,
            # where NOT EXISTS would become a join that the planner, not knowing how few lines
            # are left, might make by hashing every payment the books hold.
            # (The WITH inside the INSERT: sqlite3 counts no rows of a statement that starts with it.)
            "INSERT INTO billing_unmatchedpayment (source, file_name, line, external_id, paid_on, period, "
            "amount, account_text, payer, address, purpose, reason, status, created_at) "
            f"WITH lost AS MATERIALIZED (SELECT s.* FROM {STAGE.table} s WHERE NOT EXISTS "
            "(SELECT 1 FROM billing_account a WHERE a.number = s.account_number)) "
            "SELECT %s, %s, s.line, s.external_id, s.paid_on, s.period, s.amount, s.account_number, s.payer, "
            "s.address, s.purpose, COALESCE(s.reason, 'лицевой счёт ' || s.account_number || ' не найден'), "
            "'waiting', %s FROM lost s WHERE (SELECT 1 FROM billing_unmatchedpayment u "
            "WHERE u.external_id = s.external_id LIMIT 1) IS NULL AND (SELECT 1 FROM billing_payment p "
            f"WHERE {_BY_ID} LIMIT 1) IS NULL",
            ["registry" if kind == REGISTRY else "statement", file_name[:255], now],
        )
        report.unmatched = cursor.rowcount
        cursor.execute(
            "SELECT line, account_text, reason FROM billing_unmatchedpayment WHERE created_at = %s "
            "AND file_name = %s ORDER BY line LIMIT 1000",
            [now, file_name[:255]],
        )
        for line, _number, reason in cursor.fetchall():
            report.note(line, f"{reason} — платёж ждёт в «Неразнесённых платежах»")
        report.already = report.rows_read - report.error_count - report.loaded - report.unmatched
    report.timings["запись оплат (всё)"] = time.perf_counter() - started
    if report.loaded:
        started = time.perf_counter()
        # On PostgreSQL the new payments' sums are added into the balances there are; only
        # the accounts with a month that has none yet are rebuilt.
        if postgres() and not balances.add_paid(PAID):
            report.timings["пересчёт сальдо"] = time.perf_counter() - started
            return now
        if postgres() and report.loaded >= _MANY:
            # The month's new rows are not in the planner's statistics until autovacuum comes:
            # it would take them for a handful and probe the balances' accounts once per payment.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE billing_payment")
        if isinstance(since, str):
            since = datetime.date.fromisoformat(since)
        balances.rebuild_balances(since=since)
        report.timings["пересчёт сальдо"] = time.perf_counter() - started
    return now


def _insert_payments(
    cursor: CursorWrapper, period: str, same_money: str, params: list[object]
) -> tuple[int, datetime.date | None]:
    """On PostgreSQL: the staged payments of known accounts inserted in one statement that also
    sums them per account and month for the balances (`PAID`, `balances.add_paid`); (how many,
    their first month).

    A new registry's payments are all new: they are first inserted as they are, the unique key
    refusing the lot if one was there already; only then (a file loaded again, or overlapping
    an earlier one) are they inserted again skipping those (ON CONFLICT DO NOTHING, a probe of
    the key per row: a third more time, paid only when needed). The accounts are locked once
    for the lot (`checked_references`) instead of each row's foreign key being checked at the
    commit: a registry's million rows would queue a million checks."""
    insert = (
        "WITH new AS (INSERT INTO billing_payment "
        "(account_id, paid_on, period, amount, source, external_id, note, created_at) "
        f"SELECT a.id, s.paid_on, {period}, s.amount, 'bank', s.external_id, s.note, %s "
        f"FROM {STAGE.table} s JOIN billing_account a ON a.number = s.account_number "
        f"WHERE NOT EXISTS (SELECT 1 FROM billing_unmatchedpayment u WHERE u.external_id = s.external_id)"
        f"{same_money} {{}}RETURNING account_id, period, amount), "
        f"sums AS (INSERT INTO {PAID} (account_id, period, amount) SELECT account_id, period, SUM(amount) "
        "FROM new GROUP BY account_id, period) "
        "SELECT COUNT(*), MIN(period) FROM new"
    )
    cursor.execute(f"DROP TABLE IF EXISTS {PAID}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {PAID} (account_id bigint, period date, amount numeric) ON COMMIT DROP"
    )
    with checked_references(
        f"SELECT 1 FROM billing_account WHERE number IN (SELECT account_number FROM {STAGE.table})"
    ):
        try:
            with transaction.atomic():
                cursor.execute(insert.format(""), params)
        except IntegrityError:  # one of them was there already
            cursor.execute(
                insert.format("ON CONFLICT (source, external_id) WHERE external_id <> '' DO NOTHING "), params
            )
        loaded, since = cursor.fetchone()
    return loaded, since


def new_with_readings(now: datetime.datetime) -> dict[str, str]:
    """external_id -> account number of the payments just recorded whose lines had readings;
    and, with an empty number, those just put in the unmatched list."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.external_id, s.account_number FROM {STAGE.table} s JOIN billing_payment p ON {_BY_ID} "
            "WHERE s.has_readings AND p.created_at = %s",
            [now],
        )
        found = dict(cursor.fetchall())
        cursor.execute(
            f"SELECT s.external_id FROM {STAGE.table} s JOIN billing_unmatchedpayment u "
            "ON u.external_id = s.external_id WHERE s.has_readings AND u.created_at = %s",
            [now],
        )
        found.update({external_id: "" for (external_id,) in cursor.fetchall()})
    return found
