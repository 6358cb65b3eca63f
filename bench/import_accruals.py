"""Benchmark: `import_billing accruals` against PostgreSQL's own COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_kabinet .venv/bin/python bench/import_accruals.py
    ... --rows 100000

Generates N accounts × 12 periods × 8 services (N = rows / 96), imports the file with the real
command in a child process (so its peak RSS is its own), then times COPY of the same file into
a bare table with the same column types and no constraints. The database is migrated and its
billing tables are emptied: give it a database of its own. Prints rows per second of both,
their ratio and the import's peak RSS; the last line is
`import/COPY ratio: 0.NN, peak RSS: NNN MB`.

Both are timed `--repeat` times (3 by default), each after a CHECKPOINT so that neither pays for
the other's writes, each import into emptied accruals; the best time of each makes the ratio
(a shared machine's noise only ever adds time), and every try is printed.
"""

import argparse
import datetime
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from billing_data import ROOT, fresh_accounts, ratio_line, run_sql

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kabinet.settings")

SERVICES = [
    # code, name, unit, tariff, volume range, how the volume is found
    ("SOD", "Содержание жилого помещения", "м²", Decimal("28.50"), (30, 90), "area"),
    ("HVS", "Холодное водоснабжение", "м³", Decimal("46.25"), (1, 9), "meter"),
    ("GVS", "Горячее водоснабжение", "м³", Decimal("245.60"), (1, 6), "meter"),
    ("VOD", "Водоотведение", "м³", Decimal("38.90"), (2, 14), "average"),
    ("EL", "Электроэнергия", "кВт·ч", Decimal("5.47"), (60, 400), "meter"),
    ("OTP", "Отопление", "Гкал", Decimal("2734.51"), (0, 2), "norm"),
    ("TKO", "Обращение с ТКО", "чел.", Decimal("115.34"), (1, 4), "norm"),
    ("KR", "Взнос на капитальный ремонт", "м²", Decimal("12.40"), (30, 90), "area"),
]
HEADER = (
    "account_number;period;service_code;service_name;unit;tariff;volume;volume_source;"
    "accrued;recalculation;recalculation_reason;benefit;to_pay"
)
COPY_COLUMNS = (
    "account_number varchar(30), period date, service_code varchar(30), service_name varchar(150), "
    "unit varchar(20), tariff numeric, volume numeric, volume_source varchar(10), accrued numeric, "
    "recalculation numeric, recalculation_reason text, benefit numeric, to_pay numeric"
)
CENT = Decimal("0.01")


def periods() -> list[datetime.date]:
    month = datetime.date(2025, 11, 1)
    out = []
    for _ in range(12):
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def write_file(path: Path, numbers: list[str]) -> int:
    """The accruals file, written as it is generated: memory does not grow with its size."""
    rng = random.Random(42)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\r\n")
        for period in periods():
            for number in numbers:
                lines = []
                for code, name, unit, tariff, (low, high), source in SERVICES:
                    volume = Decimal(rng.randint(low * 1000, high * 1000 + 999)) / 1000
                    accrued = (tariff * volume).quantize(CENT)
                    recalc = Decimal("-12.30") if rng.random() < 0.01 else Decimal(0)
                    reason = "Перерасчёт по акту о временном отсутствии" if recalc else ""
                    benefit = (accrued / 2).quantize(CENT) if rng.random() < 0.05 else Decimal(0)
                    to_pay = accrued + recalc - benefit
                    lines.append(
                        f"{number};{period.isoformat()};{code};{name};{unit};{tariff};{volume};{source};"
                        f"{accrued};{recalc};{reason};{benefit};{to_pay}\r\n"
                    )
                out.write("".join(lines))
                count += len(lines)
    return count


def prepare_database(accounts: int) -> list[str]:
    from django.db import connection

    numbers = fresh_accounts(
        accounts,
        tables="billing_accountperiod, billing_accrual, billing_payment, billing_account",
        town="г. Тверь",
    )
    connection.close()
    return numbers


# Before each import: accruals and balances as the first import finds them.
EMPTY_THE_BOOKS = "TRUNCATE billing_accountperiod, billing_accrual, billing_payment CASCADE"
# Before each timing: what earlier work left dirty is written out, so that this one doesn't pay.
CHECKPOINT = "CHECKPOINT"


def time_import(path: Path) -> tuple[float, int]:
    """Seconds and peak RSS (bytes) of `manage.py import_billing accruals FILE` in a child
    (which prints its phases' times; the commit, with its foreign-key checks, comes after)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_billing", "accruals", str(path), "-v", "2"],
        cwd=ROOT,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("import_billing failed")
    return elapsed, usage.ru_maxrss * 1024  # kilobytes on Linux


def time_copy(path: Path) -> float:
    """Seconds for COPY of the same file into a bare table (no constraints, no indexes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_accrual_copy")
        cursor.execute(f"CREATE TABLE bench_accrual_copy ({COPY_COLUMNS})")
        connection.commit() if not connection.get_autocommit() else None
        started = time.perf_counter()
        sql = "COPY bench_accrual_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)"
        with path.open("rb") as stream, cursor.copy(sql) as copy:
            while chunk := stream.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_accrual_copy")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="about how many accrual rows")
    parser.add_argument("--repeat", type=int, default=3, help="tries of each; the best counts")
    args = parser.parse_args()
    accounts = max(1, args.rows // (12 * len(SERVICES)))
    numbers = prepare_database(accounts)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "accruals.csv"
        rows = write_file(path, numbers)
        print(
            f"{accounts} accounts × 12 periods × {len(SERVICES)} services = {rows} rows, "
            f"{path.stat().st_size / 1e6:.0f} MB"
        )
        imports, copies, peak_rss = [], [], 0
        for attempt in range(1, max(1, args.repeat) + 1):
            run_sql(EMPTY_THE_BOOKS)
            run_sql(CHECKPOINT)
            seconds, rss = time_import(path)
            imports.append(seconds)
            peak_rss = max(peak_rss, rss)
            run_sql(CHECKPOINT)
            copies.append(time_copy(path))
            print(f"try {attempt}: import_billing {seconds:.1f} s, COPY {copies[-1]:.1f} s")
    for line in ratio_line(rows, min(imports), min(copies), peak_rss):
        print(line)


if __name__ == "__main__":
    main()
