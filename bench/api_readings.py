"""The last day of the reading window through the API, next to the web form in the same run.

Run by hand (not part of `make test`):

    .venv/bin/python bench/api_readings.py [--seconds 20] [--users 100] [--rate 200] [--tries 3]
        [--batch 1] [--workers 2] [--threads 6] [--port 8641] [--redis redis://127.0.0.1:6379/0]

Each try prepares its own residents and meters (in postgres://postgres@127.0.0.1:5432/bench_api
unless DATABASE_URL is given: the data there is replaced), starts gunicorn as in production
(bench/serving.py: DEBUG off, kept connections, cache and sessions in Redis), and then:

1. the API: every resident's app signs in (POST /api/v1/auth/password/) and sends readings
   (POST /api/v1/readings/, `--batch` meters a request, each a meter with no reading yet) at
   `--rate` readings per second in all, for `--seconds`;
2. the web form, as bench/readings_peak.py does it, on other meters of the same residents.

A submission is one reading accepted (the API's per-meter answer «accepted», the form's redirect
back to the readings page); lost compares them with the rows stored. Every try is printed, then
the best of the tries, the last two lines (the server's request log: /tmp/bench-api-<port>.log)

    api submissions/s: N, p99: N ms, lost: N
    web form submissions/s: N, p99: N ms, lost: N
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import readings_peak as web  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_api"
JSON = "application/json"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long each load lasts")
    parser.add_argument("--users", type=int, default=100, help="residents submitting at once")
    parser.add_argument("--rate", type=float, default=200, help="readings per second asked for (0: max)")
    parser.add_argument("--batch", type=int, default=1, help="meters in one API request")
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--workers", type=int, default=int(os.getenv("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=int(os.getenv("WEB_THREADS", "6")))
    parser.add_argument("--redis", default=os.getenv("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--port", type=int, default=8641)
    return parser.parse_args()


class App:
    """One resident's app: its own kept connection and its token."""

    def __init__(self, port: int, login: str, meters: list[int]) -> None:
        self.browser = web.Browser("127.0.0.1", port)
        self.login, self.meters = login, list(meters)
        self.headers: dict[str, str] = {}

    async def post(self, path: str, data: dict) -> web.Answer:
        body = json.dumps(data).encode()
        return await self.browser.request("POST", path, self.headers, body, content_type=JSON)

    async def sign_in(self) -> None:
        answer = await self.post(
            "/api/v1/auth/password/",
            {"login": self.login, "password": web.PASSWORD, "device_name": "bench"},
        )
        if answer.status_code != 201:
            raise RuntimeError(f"{self.login}: sign-in answered {answer.status_code} {answer.text[:200]}")
        self.headers = {"Authorization": f"Bearer {json.loads(answer.body)['token']}"}

    async def submit_until(
        self, deadline: float, latencies: list, outcome: dict, *, first: float, interval: float, batch: int
    ) -> None:
        """As readings_peak.Resident.submit_until: paced arrivals, latency from the planned start."""
        planned = first
        while len(self.meters) >= batch and time.monotonic() < deadline:
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
            chosen = [self.meters.pop() for _ in range(batch)]
            readings = [{"meter_id": m, "values": ["101,250"]} for m in chosen]
            try:
                answer = await self.post("/api/v1/readings/", {"readings": readings})
            except Exception as exc:  # a refused or dropped connection is a failed submission
                outcome["errors"] += batch
                outcome.setdefault("first_error", repr(exc))
                continue
            latencies.append(time.perf_counter() - started)
            if answer.status_code != 200:
                outcome["refused"] += batch
                outcome.setdefault("first_refusal", f"{answer.status_code} {answer.text[:200]}")
                continue
            for result in json.loads(answer.body)["results"]:
                if result["accepted"]:
                    outcome["accepted"] += 1
                else:
                    outcome["refused"] += 1
                    outcome.setdefault("first_refusal", f"{result['code']}: {result['message']}")


async def api_load(server, database_url: str, port: int, residents, args) -> dict:
    apps = [App(port, login, meters) for login, meters in residents]
    semaphore = asyncio.Semaphore(16)  # sign-ins verify Argon2 hashes: not part of the peak

    async def sign_in(app: App) -> None:
        async with semaphore:
            await app.sign_in()

    began = time.perf_counter()
    await asyncio.gather(*(sign_in(a) for a in apps))
    print(f"  api: {len(apps)} apps signed in in {time.perf_counter() - began:.1f} s")
    database_before = web.database_cpu(database_url)
    cpu_before = web.server_cpu_seconds(server)
    latencies: list[float] = []
    outcome = {"accepted": 0, "refused": 0, "errors": 0}
    started = time.monotonic()
    requests_per_second = args.rate / args.batch if args.rate else 0
    interval = len(apps) / requests_per_second if requests_per_second else 0.0
    await asyncio.gather(
        *(
            a.submit_until(
                started + args.seconds,
                latencies,
                outcome,
                first=started + i * interval / len(apps),
                interval=interval,
                batch=args.batch,
            )
            for i, a in enumerate(apps)
        )
    )
    elapsed = time.monotonic() - started
    cpu = web.server_cpu_seconds(server) - cpu_before
    database_after = web.database_cpu(database_url)
    database = sum(used - database_before.get(pid, 0.0) for pid, used in database_after.items())
    for app in apps:
        app.browser.close()
    return {
        "latencies": latencies,
        "elapsed": elapsed,
        "server_cpu": cpu,
        "database_cpu": database,
        **outcome,
    }


def figures(result: dict, stored: int) -> dict:
    accepted = result["accepted"]
    return {
        "rate": accepted / result["elapsed"] if result["elapsed"] else 0.0,
        "p50": web.percentile(result["latencies"], 0.50) * 1000,
        "p99": web.percentile(result["latencies"], 0.99) * 1000,
        "lost": abs(accepted - stored),
        "cpu": result["server_cpu"] / accepted * 1000 if accepted else 0.0,
        "db": result["database_cpu"] / accepted * 1000 if accepted else 0.0,
        "refused": result["refused"],
        "errors": result["errors"],
        "first": result.get("first_refusal") or result.get("first_error") or "",
    }


def line(name: str, f: dict) -> str:
    return f"{name} submissions/s: {f['rate']:.0f}, p99: {f['p99']:.0f} ms, lost: {f['lost']}"


def detail(f: dict) -> str:
    text = (
        f"p50 {f['p50']:.0f} ms, server CPU {f['cpu']:.1f} ms and PostgreSQL {f['db']:.2f} ms per "
        f"submission, refused {f['refused']}, errors {f['errors']}"
    )
    return text + (f" (first: {f['first']})" if f["first"] else "")


def one_try(args, env: dict, database_url: str) -> tuple[dict, dict]:
    per_second = args.rate or 400
    each = max(20, int(args.seconds * per_second * 1.2 / args.users) + 5 + args.batch)
    residents = web.prepare(args.users, 2 * each)
    api_part = [(login, meters[:each]) for login, meters in residents]
    web_part = [(login, meters[each:]) for login, meters in residents]
    server = web.gunicorn(
        "kabinet.wsgi",
        f"--workers={args.workers}",
        f"--threads={args.threads}",
        "--keep-alive=30",
        env=env,
        port=args.port,
        log=Path(f"/tmp/bench-api-{args.port}.log"),  # the request log, as journald would take it
    )
    try:
        api_result = asyncio.run(api_load(server, database_url, args.port, api_part, args))
        api_stored = web.stored_readings()
        web_result = asyncio.run(
            web.run_load(server, database_url, args.port, web_part, args.seconds, args.rate)
        )
        web_stored = web.stored_readings() - api_stored
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return figures(api_result, api_stored), figures(web_result, web_stored)


def main() -> None:
    args = parse_args()
    database_url = os.getenv("DATABASE_URL", DEFAULT_DB)
    env = web.environment(database_url, web.redis_url(args.redis))
    os.environ.update(env)
    web.ensure_database(database_url)
    print(
        f"database {database_url.rsplit('@', 1)[-1]}, Redis {env['REDIS_URL'] or 'none'}; gunicorn "
        f"{args.workers} × {args.threads} threads; {args.users} residents, {args.rate or 'max'} readings/s "
        f"asked for {args.seconds:.0f} s; {args.batch} meter(s) per API request; {os.cpu_count()} cores"
    )
    tries = []
    for n in range(1, args.tries + 1):
        api, form = one_try(args, env, database_url)
        tries.append((api, form))
        print(f"try {n} (load average {os.getloadavg()[0]:.2f}):")
        print(f"  {line('api', api)}; {detail(api)}")
        print(f"  {line('web form', form)}; {detail(form)}")
    best_api = max((t[0] for t in tries), key=lambda f: (f["rate"], -f["p99"]))
    best_form = max((t[1] for t in tries), key=lambda f: (f["rate"], -f["p99"]))
    print(f"best of {len(tries)}:")
    print(line("api", best_api))
    print(line("web form", best_form))


if __name__ == "__main__":
    main()
