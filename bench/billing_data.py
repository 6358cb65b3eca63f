"""What the billing import benchmarks share (import_accruals.py, import_payments.py): a PostgreSQL
database of their own, migrated, its billing tables emptied and given accounts; a statement run
between tries; the line both end with.

Imported by the benchmarks, which put the project's root on `sys.path` and name the settings
first (`ROOT` here is that root).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def account_numbers(accounts: int) -> list[str]:
    return [f"{2_000_000_000 + n}" for n in range(accounts)]


def fresh_accounts(accounts: int, *, tables: str, town: str) -> list[str]:
    """Migrate the database, empty `tables` (a list for TRUNCATE) and create `accounts` accounts;
    their numbers. The database connection is left open for the caller's own rows."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kabinet.billing.models import Account

    if connection.vendor != "postgresql":
        sys.exit("The benchmark compares with PostgreSQL's COPY: set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        # CASCADE: other apps' tables (online payments, meters…) refer to these; the benchmark's
        # database is its own.
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    numbers = account_numbers(accounts)
    Account.objects.bulk_create(
        [Account(number=n, holder_name="Иванов Иван Иванович", address=town) for n in numbers],
        batch_size=5000,
    )
    return numbers


def run_sql(sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)


def ratio_line(rows: int, import_seconds: float, copy_seconds: float, peak_rss: int) -> list[str]:
    """The closing lines: both rates, and `import/COPY ratio: 0.NN, peak RSS: NNN MB`."""
    import_rate, copy_rate = rows / import_seconds, rows / copy_seconds
    return [
        f"import_billing: {import_seconds:.1f} s, {import_rate:,.0f} rows/s".replace(",", " "),
        f"COPY:           {copy_seconds:.1f} s, {copy_rate:,.0f} rows/s".replace(",", " "),
        f"import/COPY ratio: {import_rate / copy_rate:.2f}, peak RSS: {peak_rss / 2**20:.0f} MB",
    ]
