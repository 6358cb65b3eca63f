"""Benchmark: `import_billing sber-registry` against PostgreSQL's own COPY of the same payments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_kabinet .venv/bin/python bench/import_payments.py
    ... --rows 100000 --accruals 1000000

Writes a Sberbank registry of 17 fields (docs/bank-formats.md, profile `sber-17`), cp1251, with
its totals line: N payments, a line per service (8) of N / 8 accounts for November 2026, those of
one account in 500 for a number the books do not know (they wait in «Неразнесённые платежи»).
The books hold those accounts with two months of accruals, October's registry and their
balances, so that the import meets real indexes and rebuilds real balances. The registry is
imported with the real command in a child process (so its peak RSS is its own), then the same
payments, written as PostgreSQL's COPY takes them (ISO dates, decimal points), are COPYed into a
bare table of the registry's 17 columns typed (no constraints, no indexes). The database is
migrated and its billing tables are emptied: give it a database of its own. The last line is
`import/COPY ratio: 0.NN, peak RSS: NNN MB`.

Both are timed `--repeat` times (3 by default), each after a VACUUM and a CHECKPOINT, each import
into the books as they were before it; the best time of each makes the ratio (a shared machine's
noise only ever adds time), and every try is printed with the import's phases.

`--accruals N` then runs bench/import_accruals.py for N rows in the same database (which it
empties again) and prints both ratios, so that they are of one run on one machine.
"""

import argparse
import datetime
import os
import random
import re
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
    ("SOD", "Содержание жилья", (800, 2500)),
    ("HVS", "Холодное водоснабжение", (100, 900)),
    ("GVS", "Горячее водоснабжение", (300, 1500)),
    ("VOD", "Водоотведение", (100, 700)),
    ("EL", "Электроэнергия", (300, 2500)),
    ("OTP", "Отопление", (1500, 5000)),
    ("TKO", "Обращение с ТКО", (100, 500)),
    ("KR", "Взнос на капитальный ремонт", (400, 1200)),
]
PERIOD = datetime.date(2026, 11, 1)
UNKNOWN_EVERY = 500  # one account in so many pays for an account the books do not know
COPY_COLUMNS = (
    "paid_on date, paid_at time, branch text, cashier text, operation text, account_number varchar(30), "
    "payer varchar(300), address varchar(300), period date, blank text, service_code text, "
    "service_name text, amount numeric, flag int, total numeric, transferred numeric, commission numeric"
)
CODES = ", ".join(f"('{code}')" for code, _, _ in SERVICES)
CENT = Decimal("0.01")
STREETS = ["Ленина", "Мира", "Советская", "Горького", "Пушкина", "Гагарина", "Кирова", "Победы"]
NAMES = [
    "Иванов Иван Иванович",
    "Петрова Анна Сергеевна",
    "Сидоров Пётр Николаевич",
    "Кузнецова Мария Олеговна",
]


def write_files(registry: Path, plain: Path, numbers: list[str], rows: int) -> tuple[int, Decimal]:
    """The registry (cp1251, `;`, totals line) and the same payments as COPY takes them typed,
    written as they are generated: memory does not grow with their size."""
    rng = random.Random(42)
    count, total, commission_total = 0, Decimal(0), Decimal(0)
    with registry.open("w", encoding="cp1251", newline="") as out, plain.open("w", encoding="utf-8") as typed:
        while count < rows:
            for n, number in enumerate(numbers):
                if count >= rows:
                    break
                account = f"{3_000_000_000 + count}" if n % UNKNOWN_EVERY == 7 else number
                day = datetime.date(2026, 12, 1 + n % 25)
                at = f"{8 + n % 12:02}:{n % 60:02}:{(n * 7) % 60:02}"
                branch, cashier = f"8610/{n % 900:04}", str(1 + n % 40)
                payer = NAMES[n % len(NAMES)]
                address = f"г. Пермь, ул. {STREETS[n % len(STREETS)]}, д. {1 + n % 90}, кв. {1 + n % 200}"
                lines, plain_lines = [], []
                for code, name, (low, high) in SERVICES:
                    if count >= rows:
                        break
                    count += 1
                    amount = Decimal(rng.randint(low * 100, high * 100)) / 100
                    commission = (amount / 100).quantize(CENT)
                    total += amount
                    commission_total += commission
                    operation = str(100_000_000 + count)
                    lines.append(
                        f"{day:%d.%m.%Y};{at};{branch};{cashier};{operation};{account};{payer};{address};"
                        f"{PERIOD:%m%Y};;{code};{name};{str(amount).replace('.', ',')};1;"
                        f"{str(amount).replace('.', ',')};{str(amount - commission).replace('.', ',')};"
                        f"{str(commission).replace('.', ',')}\r\n"
                    )
                    plain_lines.append(
                        f"{day.isoformat()};{at};{branch};{cashier};{operation};{account};{payer};{address};"
                        f"{PERIOD.isoformat()};;{code};{name};{amount};1;{amount};{amount - commission};"
                        f"{commission}\n"
                    )
                out.write("".join(lines))
                typed.write("".join(plain_lines))
        out.write(
            f"={count};{str(total).replace('.', ',')};{str(total - commission_total).replace('.', ',')};"
            f"{str(commission_total).replace('.', ',')};380;26.12.2026\r\n"
        )
    return count, total


def prepare_database(accounts: int) -> list[str]:
    from django.db import connection

    numbers = fresh_accounts(
        accounts,
        tables="billing_accountperiod, billing_accrual, billing_payment, billing_unmatchedpayment, "
        "billing_paymentregistry, billing_account",
        town="г. Пермь",
    )
    from kabinet.billing.balances import rebuild_balances
    from kabinet.billing.models import Account

    with connection.cursor() as cursor:
        # Two months of accruals (a line each, the month's total) and their balances.
        cursor.execute(
            'INSERT INTO billing_service (code, name, unit, "order", is_penalty) '
            "VALUES ('SOD', 'Содержание жилья', 'м²', 1, false) ON CONFLICT (code) DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO billing_accrual (account_id, period, service_id, unit, volume_source, accrued, "
            "recalculation, recalculation_reason, benefit, to_pay) "
            "SELECT a.number, p.period, 'SOD', '', '', 9000, 0, '', 0, 9000 FROM billing_account a "
            "CROSS JOIN (VALUES (DATE '2026-10-01'), (DATE '2026-11-01')) p(period)"
        )
        # October's registry, loaded before: as many bank payments as this one brings.
        cursor.execute(
            "INSERT INTO billing_payment (account_id, paid_on, period, amount, source, external_id, note, "
            "created_at) SELECT a.id, DATE '2026-11-10', DATE '2026-10-01', 1000, 'bank', "
            f"'R:10.11.2026;8610/0001;1;' || a.id || ';' || s.code, 'Сбербанк, реестр', now() "
            f"FROM billing_account a CROSS JOIN (VALUES {CODES}) s(code)"
        )
    rebuild_balances(Account.objects.values_list("id", flat=True))
    connection.close()
    return numbers


# Before each import: the books as the registry first found them, October's payments in them
# (the balances it rewrites are there already, as they would be).
EMPTY_THE_BANK = [
    "DELETE FROM billing_payment WHERE period = '2026-11-01'",
    "TRUNCATE billing_unmatchedpayment, billing_paymentregistry CASCADE",
]
# Before each timing: what earlier work left dirty is written out, so that this one doesn't pay.
SETTLE = ["VACUUM ANALYZE billing_accountperiod", "VACUUM ANALYZE billing_payment", "CHECKPOINT"]
PHASE = re.compile(r"^(.+): ([0-9.]+) с$")


def time_import(path: Path, logs: Path) -> tuple[float, int, dict[str, float], str]:
    """Seconds, peak RSS (bytes), the phases it printed and its summary, of
    `manage.py import_billing sber-registry FILE -v 2` in a child."""
    out_path, err_path, rss_path = logs / "out.txt", logs / "err.txt", logs / "rss.txt"
    # The child's peak RSS as /usr/bin/time, its parent, sees it: ours (wait4) would include
    # this process's own, which a child spawned from it inherits until it execs.
    timed = ["/usr/bin/time", "-f", "%M", "-o", rss_path] if Path("/usr/bin/time").exists() else []
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [*timed, sys.executable, ROOT / "manage.py", "import_billing", "sber-registry", path, "-v", "2"],
            cwd=ROOT,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"import_billing failed:\n{err_path.read_text()[-3000:]}")
    phases = {}
    for text in err_path.read_text().splitlines():
        match = PHASE.match(text.strip())
        if match:
            phases[match.group(1)] = float(match.group(2))
    peak = int(rss_path.read_text().split()[-1]) if timed else usage.ru_maxrss
    return elapsed, peak * 1024, phases, out_path.read_text().strip().splitlines()[-1]


def time_copy(path: Path) -> float:
    """Seconds for COPY of the same payments into a bare table (no constraints, no indexes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_payment_copy")
        cursor.execute(f"CREATE TABLE bench_payment_copy ({COPY_COLUMNS})")
        started = time.perf_counter()
        sql = "COPY bench_payment_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';')"
        with path.open("rb") as stream, cursor.copy(sql) as copy:
            while chunk := stream.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_payment_copy")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="payments in the registry")
    parser.add_argument("--repeat", type=int, default=3, help="tries of each; the best counts")
    parser.add_argument("--accruals", type=int, default=0, help="then import_accruals.py, so many rows")
    args = parser.parse_args()
    accounts = max(1, args.rows // len(SERVICES))
    numbers = prepare_database(accounts)
    with tempfile.TemporaryDirectory() as tmp:
        path, plain = Path(tmp) / "sber-17.txt", Path(tmp) / "payments.csv"
        rows, total = write_files(path, plain, numbers, args.rows)
        print(
            f"{accounts} accounts × {len(SERVICES)} services = {rows} payments on {total} ₽, "
            f"{path.stat().st_size / 1e6:.0f} MB"
        )
        imports, copies, peak_rss = [], [], 0
        for attempt in range(1, max(1, args.repeat) + 1):
            for sql in [*EMPTY_THE_BANK, *SETTLE]:
                run_sql(sql)
            seconds, rss, phases, summary = time_import(path, Path(tmp))
            imports.append(seconds)
            peak_rss = max(peak_rss, rss)
            for sql in SETTLE:
                run_sql(sql)
            copies.append(time_copy(plain))
            split = ", ".join(f"{name} {value:.1f}" for name, value in phases.items())
            print(
                f"try {attempt}: import_billing {seconds:.1f} s (peak RSS {rss / 2**20:.0f} MB; {split}), "
                f"COPY {copies[-1]:.1f} s"
            )
        print(f"  {summary}")
    *rates, line = ratio_line(rows, min(imports), min(copies), peak_rss)
    for text in rates:
        print(text)
    if args.accruals:
        accruals = (
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench" / "import_accruals.py"),
                    "--rows",
                    str(args.accruals),
                    "--repeat",
                    str(args.repeat),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()
        )
        print("accruals (bench/import_accruals.py, the same database right after):")
        for text in accruals:
            print(f"  {text}")
        print(f"payments {line}")
        print(f"accruals {accruals[-1]}")
    else:
        print(line)


if __name__ == "__main__":
    main()
