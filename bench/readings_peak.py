"""The last day of the reading window: many residents submit meter readings at once.

Run by hand (not part of `make test`):

    .venv/bin/python bench/readings_peak.py --seconds 30 --users 200

It prepares its own database (postgres://postgres@127.0.0.1:5432/bench_wt5a unless DATABASE_URL
is given: the data there is replaced), creates the residents, accounts and meters, starts the app
under gunicorn as in production (DEBUG off, a random SECRET_KEY, kept database connections, the
cache and sessions in Redis when one answers at --redis), signs every resident in through the
login form, and then has them submit readings through the real form (CSRF token included) at
`--rate` per second in all, for `--seconds`. A submission is the POST a resident's browser sends;
it is answered with a redirect to the readings page, which the browser then loads like any other
page (that page view is not counted here). Each submission goes to a meter with no reading yet
this period, so every accepted submission must add one row: at the end the rows stored are
compared with the answers that said «accepted» (a 302 back to the readings page). The last line is

    submissions/s: N, p99: N ms, lost: N
"""

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serving import gunicorn, production_env  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_wt5a"
PASSWORD = "Bench-Reading-2026"
ACCOUNT_BASE = 7_000_000_000
FORM = "application/x-www-form-urlencoded"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long the residents submit")
    parser.add_argument("--users", type=int, default=100, help="residents submitting at once")
    parser.add_argument(
        "--workers", type=int, default=int(os.getenv("WEB_CONCURRENCY", "2")), help="gunicorn workers"
    )
    parser.add_argument(
        "--rate", type=float, default=200, help="submissions per second asked for (0: as fast as answered)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=int(os.getenv("WEB_THREADS", "6")),
        help="threads per worker (over 1: gthread workers, which keep connections)",
    )
    parser.add_argument(
        "--redis",
        default=os.getenv("REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="REDIS_URL for the cache and sessions, as in production ('' : the database alone)",
    )
    parser.add_argument("--port", type=int, default=8051)
    parser.add_argument(
        "--meters", type=int, default=0, help="meters per resident (default: enough for the run)"
    )
    return parser.parse_args()


def environment(database_url: str, redis_url: str) -> dict[str, str]:
    return production_env(database_url, redis_url, "bench-readings-peak")


def redis_url(wanted: str) -> str:
    """The Redis asked for if it answers, else none (the cache and sessions in the database)."""
    if not wanted:
        return ""
    import redis

    try:
        redis.Redis.from_url(wanted, socket_timeout=2).ping()
    except redis.RedisError:
        print(f"no Redis at {wanted}: cache and sessions in the database")
        return ""
    return wanted


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(users: int, meters_per_user: int) -> list[tuple[str, list[int]]]:
    """Residents, each with an account and `meters_per_user` cold-water meters; returns
    (login, meter ids) per resident. Readings of earlier runs are removed."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from kabinet.billing.models import Account
    from kabinet.core.models import User
    from kabinet.meters.models import Meter, Reading
    from kabinet.ops.stack.seed import residents_with_meters
    from kabinet.residents.models import Resident, ResidentAccount

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the rate limits' cache when REDIS_URL is not set
    call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment does (serving.py)
    password = make_password(PASSWORD)  # hashed once: the residents share it
    with transaction.atomic():
        Reading.objects.all().delete()
        Meter.objects.all().delete()
        ResidentAccount.objects.all().delete()
        Resident.objects.all().delete()
        User.objects.filter(username__startswith="7").delete()
        Account.objects.filter(number__startswith="7").delete()
    return residents_with_meters(
        [str(ACCOUNT_BASE + n) for n in range(users)],
        address="г. Тверь, ул. Нагрузочная, д. 1",
        meters_each=meters_per_user,
        serial_prefix="Б",
        password_hash=password,
    )


def stored_readings() -> int:
    from kabinet.meters.models import Reading

    return Reading.objects.count()


def start_server(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen:
    return gunicorn(
        "kabinet.wsgi",
        f"--workers={workers}",
        f"--threads={threads}",  # over 1 gunicorn uses gthread workers, which keep connections
        "--keep-alive=30",  # a resident's browser keeps its connection between submissions
        env=env,
        port=port,
    )


@dataclass
class Answer:
    status_code: int
    headers: dict[str, list[str]]  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, [""])[0]


class Browser:
    """A lean HTTP/1.1 client over asyncio streams: the client shares the two cores with the
    server, so it must cost far less than a submission. Keeps the connection while the server
    does (gunicorn's gthread workers), opens a new one when the server closes it (sync workers)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b"", content_type: str = FORM
    ) -> Answer:
        reused = self.writer is not None
        try:
            return await self._exchange(method, path, headers, body, content_type)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
        # The server closed a kept connection before reading the request (idle timeout): send again.
        return await self._exchange(method, path, headers, body, content_type)

    async def _exchange(
        self, method: str, path: str, headers: dict[str, str], body: bytes, content_type: str
    ) -> Answer:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if method == "POST":
            lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        received: dict[str, list[str]] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            received.setdefault(name.strip().lower(), []).append(value.strip())
        if "content-length" in received:
            content = await self.reader.readexactly(int(received["content-length"][0]))
        elif "chunked" in received.get("transfer-encoding", [""])[0]:
            content = await self._chunked()
        else:
            content = await self.reader.read()  # until the server closes
            received["connection"] = ["close"]
        if received.get("connection", [""])[0].lower() == "close":
            self.close()
        return Answer(status, received, content)

    async def _chunked(self) -> bytes:
        parts = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size + 2))
        await self.reader.readuntil(b"\r\n")
        return b"".join(p[:-2] for p in parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Resident:
    """One resident's browser: its own connection and cookies (kept by hand, so that the Secure
    flag of production settings does not stop them over plain http), a CSRF token from the page."""

    def __init__(self, host: str, port: int, login: str, meters: list[int]) -> None:
        self.browser = Browser(host, port)
        self.referer = f"http://{host}:{port}/"
        self.login, self.meters = login, list(meters)
        self.cookies: dict[str, str] = {}

    def _headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, "Referer": self.referer}

    def _keep(self, response: Answer) -> None:
        for header in response.headers.get("set-cookie", []):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    async def get(self, path: str) -> Answer:
        response = await self.browser.request("GET", path, self._headers())
        self._keep(response)
        return response

    async def post(self, path: str, data: dict[str, str]) -> Answer:
        body = urlencode(data).encode("ascii")
        response = await self.browser.request("POST", path, self._headers(), body)
        self._keep(response)
        return response

    async def sign_in(self) -> None:
        page = await self.get("/login/")
        token = CSRF_RE.search(page.text).group(1)
        answer = await self.post(
            "/login/", {"csrfmiddlewaretoken": token, "username": self.login, "password": PASSWORD}
        )
        if answer.status_code != 302:
            raise RuntimeError(f"{self.login}: log-in answered {answer.status_code}")
        page = await self.get("/cabinet/meters/")
        self.token = CSRF_RE.search(page.text).group(1)

    async def submit_until(
        self,
        deadline: float,
        latencies: list[float],
        outcome: dict[str, int],
        *,
        first: float,
        interval: float,
    ) -> None:
        """Submit one reading every `interval` seconds from `first` (0: back to back). Latency is
        counted from the planned start, so a server that falls behind is not flattered by the
        client waiting for it."""
        planned = first
        while self.meters and time.monotonic() < deadline:
            if interval:
                delay = planned - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)  # pacing the arrivals, not waiting for a result
                if planned >= deadline:
                    return
            started = (
                time.perf_counter() - max(0.0, time.monotonic() - planned)
                if interval
                else time.perf_counter()
            )
            planned += interval
            meter = self.meters.pop()
            data = {"csrfmiddlewaretoken": self.token, f"m{meter}-value_1": "101,250"}
            try:
                answer = await self.post(f"/cabinet/meters/{meter}/", data)
            except Exception as exc:  # a refused or dropped connection is a failed submission
                outcome["errors"] += 1
                outcome.setdefault("first_error", repr(exc))
                continue
            latencies.append(time.perf_counter() - started)
            if answer.status_code == 302 and "/cabinet/meters/" in answer.header("location"):
                outcome["accepted"] += 1
            else:
                outcome["refused"] += 1
                outcome.setdefault("first_refusal", f"{answer.status_code} {answer.text[:200]}")


async def run_load(
    server: subprocess.Popen,
    database_url: str,
    port: int,
    residents: list[tuple[str, list[int]]],
    seconds: float,
    rate: float,
) -> dict:
    people = [Resident("127.0.0.1", port, login, meters) for login, meters in residents]
    signing_in = time.perf_counter()
    semaphore = asyncio.Semaphore(16)  # log-ins verify Argon2 hashes: not part of the peak

    async def sign_in(person: Resident) -> None:
        async with semaphore:
            await person.sign_in()

    await asyncio.gather(*(sign_in(p) for p in people))
    print(f"signed in {len(people)} residents in {time.perf_counter() - signing_in:.1f} s")
    database_before = database_cpu(database_url)
    cpu_before, client_before = server_cpu_seconds(server), time.process_time()
    latencies: list[float] = []
    outcome = {"accepted": 0, "refused": 0, "errors": 0}
    started = time.monotonic()
    interval = len(people) / rate if rate else 0.0  # each resident's pace for the total rate
    await asyncio.gather(
        *(
            p.submit_until(
                started + seconds,
                latencies,
                outcome,
                first=started + i * interval / len(people),
                interval=interval,
            )
            for i, p in enumerate(people)
        )
    )
    elapsed = time.monotonic() - started
    cpu = server_cpu_seconds(server) - cpu_before
    client_cpu = time.process_time() - client_before
    database_after = database_cpu(database_url)
    database = sum(used - database_before.get(pid, 0.0) for pid, used in database_after.items())
    for person in people:
        person.browser.close()
    return {
        "latencies": latencies,
        "elapsed": elapsed,
        "server_cpu": cpu,
        "client_cpu": client_cpu,
        "database_cpu": database,
        **outcome,
    }


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by gunicorn's workers, from /proc (Linux)."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return 0.0
    return sum(process_cpu_seconds(int(pid)) for pid in children)


def process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def database_cpu(database_url: str) -> dict[int, float]:
    """CPU time so far of each PostgreSQL backend serving the bench database (when PostgreSQL
    runs on this machine): the database shares the cores with the server and the client."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        pids = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]).fetchall()
    return {pid: process_cpu_seconds(pid) for (pid,) in pids}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    args = parse_args()
    database_url = os.getenv("DATABASE_URL", DEFAULT_DB)
    env = environment(database_url, redis_url(args.redis))
    os.environ.update(env)
    ensure_database(database_url)
    per_second = args.rate or 400
    meters = args.meters or max(20, int(args.seconds * per_second * 1.2 / args.users) + 5)
    print(f"database {database_url.rsplit('@', 1)[-1]}: preparing {args.users} residents × {meters} meters")
    residents = prepare(args.users, meters)
    server = start_server(env, args.port, args.workers, args.threads)
    try:
        result = asyncio.run(run_load(server, database_url, args.port, residents, args.seconds, args.rate))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    stored = stored_readings()
    accepted = result["accepted"]
    rate = accepted / result["elapsed"] if result["elapsed"] else 0.0
    p50 = percentile(result["latencies"], 0.50) * 1000
    p99 = percentile(result["latencies"], 0.99) * 1000
    lost = abs(accepted - stored)
    print(
        f"load average now: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
        f"gunicorn workers: {args.workers} × {args.threads} threads; "
        f"Redis: {env['REDIS_URL'] or 'none'}; asked for {args.rate or 'max'}/s from {args.users} residents"
    )
    print(
        f"accepted {accepted}, refused {result['refused']}, errors {result['errors']}, stored {stored} "
        f"in {result['elapsed']:.1f} s; p50 {p50:.0f} ms"
    )
    if accepted and result["server_cpu"]:
        per = result["server_cpu"] / accepted * 1000
        cores = os.cpu_count() or 1
        print(
            f"server CPU per submission: {per:.1f} ms (gunicorn workers only) — "
            f"about {cores * 1000 / per:.0f} submissions/s if the {cores} cores were the server's alone"
        )
        print(
            f"client CPU per submission: {result['client_cpu'] / accepted * 1000:.2f} ms, "
            f"PostgreSQL: {result['database_cpu'] / accepted * 1000:.2f} ms"
        )
    for key in ("first_refusal", "first_error"):
        if key in result:
            print(f"{key}: {result[key]}")
    print(f"submissions/s: {rate:.0f}, p99: {p99:.0f} ms, lost: {lost}")


if __name__ == "__main__":
    main()
