"""Benchmark: the cabinet's pages and a receipt PDF against a bare Django view, side by side.

Run by hand (not part of `make test`):

    .venv/bin/python bench/pages.py [--accounts 100000] [--months 12] [--history 60] \
        [--db postgres://postgres@127.0.0.1:5432/bench_pages] [--redis redis://127.0.0.1:6379/0] \
        [--port 8301] [--seconds 8] [--tries 3] [--connections 16]

Data, loaded with the product's own `import_billing` (accounts, then one accruals file and one
payments file per month, each accruals file a partition, balances rebuilt by the imports):

- DB          : `--accounts` × `--months` months × 8 services (the issue's 100 000 × 12 × 8);
- DB_small    : a tenth of the accounts × `--months` months (is the cost flat in accounts?);
- DB_history  : a tenth of the accounts × `--history` monthly files (flat in history?).

A database that already holds what is asked for (a marker table records what was loaded) is
reused as it is; otherwise it is emptied and loaded again. The last 12 months are the same in
all three. 200 residents (accounts of the first 200) get meters and a signed-in session each,
and their browsers the form token's cookie a log-in leaves (a page then masks the token, and
sets no cookie).

Kabinet is served as in production (gunicorn, 2 sync workers, DEBUG=0, kept database
connections, cache and sessions in Redis), and beside it, in the same run and with the same
gunicorn layout, a bare Django view (bench/bare_view.py: no middleware, no database). wrk
(2 threads × `--connections`) asks for the overview, «Начисления», «Показания» and a receipt PDF
(each resident's latest month, asked once before the tries: «asked again»), rotating the
residents' sessions. For each it prints requests/s, p50/p99, server CPU (the gunicorn workers,
from /proc) and PostgreSQL CPU (the backends of the bench database, from /proc) per request and
the ratio of requests/s to the bare view's; best of `--tries`, every try shown with the load.
The last line:

    overview/bare: 0.NN, overview CPU: N.N ms, p99: N ms, receipt: N ms

(overview CPU: server CPU per overview; receipt: server CPU per receipt PDF asked again).
The machine is shared: read the load printed beside each try before believing a figure.
"""

import argparse
import datetime
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_accruals import CENT, HEADER, SERVICES  # noqa: E402  (the same billing data)
from readings_peak import process_cpu_seconds  # noqa: E402
from serving import collect_static, gunicorn, production_env  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_pages"
ACCOUNT_BASE = 5_000_000_000
RESIDENTS = 200
LAST_MONTH = datetime.date(2026, 11, 1)
PAGES = [
    ("overview", "/cabinet/"),
    ("charges", "/cabinet/charges/"),
    ("readings", "/cabinet/meters/"),
    ("receipt", f"/cabinet/receipts/{LAST_MONTH:%Y-%m}.pdf"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000, help="accounts of the main database")
    parser.add_argument("--months", type=int, default=12, help="monthly files of the main database")
    parser.add_argument("--history", type=int, default=60, help="monthly files of the history database")
    parser.add_argument("--db", default=os.getenv("DATABASE_URL", DEFAULT_DB), help="the main database")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="REDIS_URL ('': none)")
    parser.add_argument("--port", type=int, default=8301, help="Kabinet's port; the bare view's is +1")
    parser.add_argument("--seconds", type=float, default=8, help="seconds of one try")
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kept-only", action="store_true", help="skip the pages made afresh (kept off)")
    parser.add_argument("--only", default="", help="comma-separated: main,small,history (default all three)")
    return parser.parse_args()


def months_until(last: datetime.date, count: int) -> list[datetime.date]:
    out = [last]
    while len(out) < count:
        out.append((out[-1] - datetime.timedelta(days=1)).replace(day=1))
    return sorted(out)


def environment(database_url: str, redis_url: str, prefix: str) -> dict[str, str]:
    return production_env(database_url, redis_url, prefix, PAYMENT_PROVIDER="yookassa")


# --- Data ------------------------------------------------------------------------------------


def run_manage(env: dict[str, str], *args: str) -> None:
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    print(f"  manage.py {' '.join(args[:2])}: {time.monotonic() - started:.1f} s", flush=True)


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def loaded(database_url: str) -> tuple[int, int] | None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT to_regclass('bench_pages_state')").fetchone()
        if row[0] is None:
            return None
        return conn.execute("SELECT accounts, months FROM bench_pages_state").fetchone()


def reset_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    if "bench" not in name:
        sys.exit(f"refusing to empty {name!r}: give the benchmark a database of its own, «bench» in its name")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def load(database_url: str, env: dict[str, str], accounts: int, months: int) -> None:
    """Accounts, then a month at a time (oldest first) its accruals and payments files."""
    import psycopg

    print(f"loading {accounts} accounts × {months} months × 8 services into {database_url.rsplit('/', 1)[1]}")
    reset_database(database_url)
    run_manage(env, "migrate", "--noinput", "-v0")
    run_manage(env, "createcachetable")
    numbers = [str(ACCOUNT_BASE + n) for n in range(accounts)]
    rng = random.Random(17)
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        path = work / "accounts.csv"
        with path.open("w", encoding="utf-8") as out:
            out.write("account_number;full_name;address;area;phone;email\n")
            for i, number in enumerate(numbers):
                out.write(
                    f"{number};Житель Нагрузочный {i};г. Тверь, ул. Нагрузочная, д. {i // 200 + 1}, "
                    f"кв. {i % 200 + 1};{rng.randint(30, 90)},{rng.randint(0, 99):02d};;\n"
                )
        run_manage(env, "import_billing", "accounts", str(path))
        for period in months_until(LAST_MONTH, months):
            accruals, payments = work / f"accruals-{period:%Y-%m}.csv", work / f"payments-{period:%Y-%m}.csv"
            write_month(accruals, payments, numbers, period, rng)
            run_manage(env, "import_billing", "accruals", str(accruals))
            run_manage(env, "import_billing", "payments", str(payments))
            accruals.unlink()
            payments.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_pages_state (accounts int, months int)")
        conn.execute("INSERT INTO bench_pages_state VALUES (%s, %s)", [accounts, months])
        conn.execute("VACUUM ANALYZE")


def write_month(accruals: Path, payments: Path, numbers: list[str], period: datetime.date, rng) -> None:
    paid_on = (period + datetime.timedelta(days=40)).replace(day=12)
    with accruals.open("w", encoding="utf-8") as out, payments.open("w", encoding="utf-8") as pay:
        out.write(HEADER + "\n")
        pay.write("account_number;paid_on;amount;period;external_id;note\n")
        for number in numbers:
            total = Decimal(0)
            for code, name, unit, tariff, (low, high), source in SERVICES:
                volume = Decimal(rng.randint(low * 1000, high * 1000 + 999)) / 1000
                accrued = (tariff * volume).quantize(CENT)
                recalc = Decimal("-12.30") if rng.random() < 0.01 else Decimal(0)
                reason = "Перерасчёт по акту о временном отсутствии" if recalc else ""
                benefit = (accrued / 2).quantize(CENT) if rng.random() < 0.05 else Decimal(0)
                to_pay = accrued + recalc - benefit
                total += to_pay
                out.write(
                    f"{number};{period.isoformat()};{code};{name};{unit};{tariff};{volume};{source};"
                    f"{accrued};{recalc};{reason};{benefit};{to_pay}\n"
                )
            if rng.random() < 0.8 and total > 0:
                pay.write(f"{number};{paid_on.isoformat()};{total};{period:%Y-%m};;Сбербанк Онлайн\n")


def prepare_residents(env: dict[str, str]) -> list[str]:
    """200 residents of the first 200 accounts with two meters each, and a signed-in session
    each (made as a log-in makes it); returns each one's cookies as its browser sends them: the
    session and the form token's secret, which a browser keeps from the log-in form on (without
    it every page would make a secret and set its cookie, as only a browser's first page does).
    Earlier sessions are ended."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.http import HttpRequest
    from django.middleware.csrf import get_token

    from kabinet.billing.models import Account
    from kabinet.core.middleware import SESSION_IDLE, SESSION_SEEN
    from kabinet.core.models import User
    from kabinet.meters.models import Building, Meter
    from kabinet.residents.models import Resident, ResidentAccount

    accounts = list(Account.objects.order_by("number")[:RESIDENTS])
    with transaction.atomic():
        Session.objects.all().delete()
        if not Resident.objects.filter(user__username=accounts[0].number).exists():
            building, _ = Building.objects.get_or_create(address="г. Тверь, ул. Нагрузочная, д. 1")
            users = User.objects.bulk_create(
                User(username=a.number, password="!unusable-bench") for a in accounts
            )
            residents = Resident.objects.bulk_create(
                Resident(user=u, full_name=a.holder_name, phone="+79990000000", reminder_channel="none")
                for u, a in zip(users, accounts, strict=True)
            )
            ResidentAccount.objects.bulk_create(
                ResidentAccount(resident=r, account=a) for r, a in zip(residents, accounts, strict=True)
            )
            Meter.objects.bulk_create(
                Meter(account=a, building=building, service=service, serial_number=f"Б-{a.number}-{service}")
                for a in accounts
                for service in ("cold_water", "hot_water")
            )
    cookies = []
    for user in User.objects.filter(username__in=[a.number for a in accounts]):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "kabinet.residents.auth.AccountNumberBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SESSION_IDLE] = 24 * 3600  # the idle clock runs, as after a log-in, but long
        session[SESSION_SEEN] = int(time.time())
        session.set_expiry(24 * 3600)
        session.create()
        browser = HttpRequest()
        get_token(browser)  # the secret the log-in form's answer set as the csrftoken cookie
        cookies.append(f"sessionid={session.session_key};csrftoken={browser.META['CSRF_COOKIE']}")
    from django.db import connections

    connections.close_all()
    return cookies


# --- Load ------------------------------------------------------------------------------------

WRK_SCRIPT = """
local cookies = {%s}
local i = 0
request = function()
  i = i + 1
  local cookie = cookies[(i %% #cookies) + 1]
  return wrk.format("GET", "%s", {["Cookie"] = cookie, ["Host"] = "127.0.0.1"})
end
"""


def wrk(port: int, path: str, keys: list[str], seconds: float, connections: int) -> dict:
    script = Path(tempfile.mkstemp(suffix=".lua", prefix="bench-pages-")[1])
    script.write_text(WRK_SCRIPT % (", ".join(f'"{k}"' for k in keys), path))
    try:
        result = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        script.unlink()
    out = result.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    statuses = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": requests,
        "bad": int(statuses.group(1)) if statuses else 0,
        "p50": wrk_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": wrk_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
    }


def wrk_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def workers_cpu(server: subprocess.Popen) -> float:
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return 0.0
    return sum(process_cpu_seconds(int(pid)) for pid in children)


def database_cpu(database_url: str) -> dict[int, float]:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        pids = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
        ).fetchall()
    return {pid: process_cpu_seconds(pid) for (pid,) in pids}


def measure(server, port, path, keys, args, database_url=None) -> dict:
    load_before = os.getloadavg()[0]
    db_before = database_cpu(database_url) if database_url else {}
    cpu_before = workers_cpu(server)
    result = wrk(port, path, keys, args.seconds, args.connections)
    cpu = workers_cpu(server) - cpu_before
    db = 0.0
    if database_url:
        after = database_cpu(database_url)
        db = sum(used - db_before.get(pid, 0.0) for pid, used in after.items())
    n = max(result["requests"], 1)
    result.update(cpu_ms=cpu / n * 1000, db_ms=db / n * 1000, load=load_before)
    return result


def show(name: str, tries: list[dict], bare_rps: float | None) -> dict:
    for i, t in enumerate(tries, 1):
        ratio = f", ratio {t['rps'] / bare_rps:.3f}" if bare_rps else ""
        bad = f", NOT 2xx: {t['bad']}" if t["bad"] else ""
        print(
            f"  {name:9} try {i}: {t['rps']:7.0f} req/s, p50 {t['p50']:6.1f} ms, p99 {t['p99']:6.1f} ms, "
            f"server CPU {t['cpu_ms']:5.2f} ms, PostgreSQL {t['db_ms']:5.2f} ms{ratio}{bad} "
            f"(load {t['load']:.2f})",
            flush=True,
        )
    best = max(tries, key=lambda t: t["rps"])
    best = dict(best, cpu_ms=min(t["cpu_ms"] for t in tries), db_ms=min(t["db_ms"] for t in tries))
    return best


def bench_database(
    label: str, database_url: str, args, pages: list[tuple[str, str]], bare, *, fresh: bool = False
) -> dict:
    """`fresh`: Kabinet with its kept pages off (KABINET_KEEP_PAGES=0), every page made afresh,
    as a resident gets it after an import, a payment or a reading of theirs."""
    env = environment(database_url, args.redis, f"bench-pages-{label}")
    if fresh:
        env["KABINET_KEEP_PAGES"] = "0"
        label = f"{label}, made afresh"
    keys = prepare_residents_in_child(env)
    server = start_server(env, args.port, args.workers)
    results = {}
    try:
        for name, path in pages:  # warm up: templates, connections, each resident's receipt made once
            check_page(args.port, path, keys[0], pdf=name == "receipt")
            if name == "receipt":
                for key in keys:
                    check_page(args.port, path, key, pdf=True, quiet=True)
            wrk(args.port, path, keys, 2, args.connections)
        print(
            f"{label}: {database_url.rsplit('/', 1)[1]} ({loaded(database_url)[0]} accounts, "
            f"{loaded(database_url)[1]} months), uptime: {uptime()}"
        )
        bare_tries, tries = [], {name: [] for name, _ in pages}
        for _ in range(args.tries):
            bare_tries.append(measure(bare, args.port + 1, "/cabinet/", keys, args))
            for name, path in pages:
                tries[name].append(measure(server, args.port, path, keys, args, database_url))
        best_bare = show("bare", bare_tries, None)
        results["bare"] = best_bare
        for name, _ in pages:
            results[name] = show(name, tries[name], best_bare["rps"])
        for name, _ in pages:
            best = results[name]
            print(
                f"  best {name:9}: {best['rps']:.0f} req/s (bare {best_bare['rps']:.0f}), ratio "
                f"{best['rps'] / best_bare['rps']:.3f}, p50 {best['p50']:.1f} ms, p99 {best['p99']:.1f} ms, "
                f"server CPU {best['cpu_ms']:.2f} ms, PostgreSQL {best['db_ms']:.2f} ms per request"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return results


def prepare_residents_in_child(env: dict[str, str]) -> list[str]:
    """Sessions are made in a child process: each database needs its own django.setup()."""
    result = subprocess.run(
        [sys.executable, __file__, "--sessions"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(result.stderr)
    return result.stdout.split()


def start_server(
    env: dict[str, str], port: int, workers: int, *, app: str = "kabinet.wsgi", extra: tuple[str, ...] = ()
) -> subprocess.Popen:
    """gunicorn with sync workers (one request at a time each), as the issue measured; its
    request log (a JSON line per request) goes to a file, as to journald in production."""
    log = Path(tempfile.gettempdir()) / f"bench-pages-{port}.log"
    print(f"  gunicorn {app} on port {port}, its log: {log}")
    return gunicorn(app, f"--workers={workers}", "--worker-class=sync", *extra, env=env, port=port, log=log)


def check_page(port: int, path: str, cookie: str, *, pdf: bool, quiet: bool = False) -> None:
    """The page answers a signed-in resident with itself (not a redirect to the log-in)."""
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as answer:
        body = answer.read()
        if (
            answer.status != 200
            or answer.url.rstrip("/").endswith("login")
            or pdf != body.startswith(b"%PDF")
        ):
            sys.exit(f"{path} answered {answer.status} {answer.url}: {body[:200]!r}")
        if not quiet:
            print(f"  {path}: {answer.status}, {len(body)} bytes")


def print_flatness(how: str, results: dict, history: int) -> None:
    """The main and the history database against the small one, page by page."""
    if "small" not in results:
        return
    for label, what in (("main", "10× the accounts"), ("history", f"{history} monthly files")):
        if label not in results:
            continue
        for page in ("overview", "charges"):
            base, other = results["small"][page], results[label][page]
            db_ratio = "next to nothing in both"
            if base["db_ms"] >= 0.01:
                db_ratio = f"×{other['db_ms'] / base['db_ms']:.2f}"
            print(
                f"flat at {what} ({how}): {page} server CPU {other['cpu_ms']:.2f} ms vs "
                f"{base['cpu_ms']:.2f} ms (×{other['cpu_ms'] / base['cpu_ms']:.2f}), PostgreSQL "
                f"{other['db_ms']:.2f} ms vs {base['db_ms']:.2f} ms ({db_ratio})"
            )


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    if args.redis:
        import redis

        try:
            redis.Redis.from_url(args.redis, socket_timeout=2).ping()
        except redis.RedisError:
            print(f"no Redis at {args.redis}: cache and sessions in the database")
            args.redis = ""
    small = max(args.accounts // 10, RESIDENTS)
    shapes = {
        "main": (args.db, args.accounts, args.months),
        "small": (args.db + "_small", small, args.months),
        "history": (args.db + "_history", small, args.history),
    }
    only = [s for s in args.only.split(",") if s] or list(shapes)
    for label in only:
        database_url, accounts, months = shapes[label]
        ensure_database(database_url)
        env = environment(database_url, args.redis, f"bench-pages-{label}")
        if loaded(database_url) != (accounts, months):
            started = time.monotonic()
            load(database_url, env, accounts, months)
            print(f"  loaded in {time.monotonic() - started:.0f} s")
        else:
            run_manage(env, "migrate", "--noinput", "-v0")  # a database made by an older commit
            run_manage(env, "createcachetable")  # loaded with Redis, asked without (--redis '')
        collect_static(env)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"commit {commit}; gunicorn {args.workers} sync workers; wrk 2 threads × {args.connections} "
        f"connections, {args.seconds:.0f} s a try, {RESIDENTS} residents rotating; "
        f"Redis: {args.redis or 'none'}"
    )
    bare_env = dict(os.environ, SECRET_KEY=secrets.token_urlsafe(50))
    bare = start_server(
        bare_env,
        args.port + 1,
        args.workers,
        app="bare_view:application",
        extra=("--pythonpath", str(ROOT / "bench")),
    )
    results, fresh = {}, {}
    try:
        for label in only:
            pages = PAGES if label == "main" else PAGES[:2]
            results[label] = bench_database(label, shapes[label][0], args, pages, bare)
            if not args.kept_only:  # the receipt is kept as a file either way
                fresh[label] = bench_database(label, shapes[label][0], args, PAGES[:3], bare, fresh=True)
    finally:
        bare.send_signal(signal.SIGTERM)
        bare.wait(timeout=30)
    for how, measured in (("kept", results), ("made afresh", fresh)):
        print_flatness(how, measured, args.history)
    main_results = results.get("main") or next(iter(results.values()))
    overview, bare_best = main_results["overview"], main_results["bare"]
    receipt = main_results.get("receipt")
    if fresh:
        made = fresh.get("main") or next(iter(fresh.values()))
        print(
            "made afresh: "
            + "; ".join(
                f"{page}/bare {made[page]['rps'] / made['bare']['rps']:.2f}, {page} CPU "
                f"{made[page]['cpu_ms']:.1f} ms, PostgreSQL {made[page]['db_ms']:.2f} ms, "
                f"p99 {made[page]['p99']:.0f} ms"
                for page in ("overview", "charges")
            )
        )
    print(
        f"overview/bare: {overview['rps'] / bare_best['rps']:.2f}, "
        f"overview CPU: {overview['cpu_ms']:.1f} ms, "
        f"p99: {overview['p99']:.0f} ms, receipt: {receipt['cpu_ms'] if receipt else float('nan'):.0f} ms"
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--sessions"]:
        print(" ".join(prepare_residents(dict(os.environ))))
    else:
        main()
