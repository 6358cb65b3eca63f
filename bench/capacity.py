"""What one web node and one outbox worker of this machine carry: the figures of docs/scaling.md.

    .venv/bin/python bench/capacity.py [--seconds 8] [--tries 3] [--connections 16]

Starts the stack's own PostgreSQL (5442) and Redis (6389) under var/stack/ (kabinet.ops.stack),
one gunicorn web node on 127.0.0.1:8201 as deploy/ runs it (DEBUG=0, deploy/gunicorn.conf.py:
4 processes × 2 threads), and measures with wrk straight against the node:

- reference: `/healthz` (a bare view: the node's own ceiling on this machine, in this run);
- log-ins/s: the log-in form POSTed with a right password (Argon2 check, new session);
- overview pages/s: the cabinet's start page of a signed-in resident (balance, charges, meters);
- readings/s: the meter form POSTed (a reading stored, or corrected when the meter has one);

then the outbox: SMS/s of one worker and of two draining a queue into a local SMS.ru that answers
at once, against a reference of single-row UPDATE commits/s of the same PostgreSQL; and the
billing import's rows/s (bench/import_accruals.py, its own COPY reference).

Every try is printed; the best of the tries is the figure (noise on a shared machine only ever
slows things down). Each figure is also given as a share of its reference, which travels to
other machines better than the raw number.
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kabinet.messaging.tests.smsru_server import SmsRuServer, SmsRuState  # noqa: E402
from kabinet.ops.stack import seed  # noqa: E402
from kabinet.ops.stack.cluster import GATEWAY_PORT, PY, SMS_API_ID, Stack, pg_bin  # noqa: E402

NODE = 8201
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

COUNT_LUA = """
local counts = {}
function setup(thread) table.insert(counts, thread) end
function init(args) good = 0; bad = 0 end
function response(status, headers, body)
  if status == %(ok)d then good = good + 1 else
    bad = bad + 1
    if bad == 1 then
      io.write("  first other answer: ", status, " ", string.match(body, "<title>(.-)</title>") or "", "\\n")
    end
  end
end
function done(summary, latency, requests)
  local g, b = 0, 0
  for _, t in ipairs(counts) do g = g + t:get("good"); b = b + t:get("bad") end
  io.write(string.format("ANSWERS %%d %%d\\n", g, b))
end
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--messages", type=int, default=1500)
    parser.add_argument("--web-only", action="store_true", help="the web node's figures only")
    parser.add_argument("--residents", type=int, default=32, help="signed-in residents the load comes from")
    parser.add_argument("--import-rows", type=int, default=96_000)
    return parser.parse_args()


def wrk(script: str, path: str, seconds: int, connections: int) -> tuple[float, int, int, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", file.name, f"http://127.0.0.1:{NODE}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    good, bad = map(int, re.search(r"ANSWERS (\d+) (\d+)", out).groups())
    for line in re.findall(r"  first other answer: .*", out)[:1]:
        print(line)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)] if p99 else 0.0
    return good / seconds, good, bad, p99_ms


def cpu_seconds(root: int) -> float:
    """User + system CPU of a process and all its descendants (from /proc), in seconds."""
    parents, times = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        # Its own time and that of its children already gone (gunicorn recycles its workers).
        times[pid] = sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    total, wanted = 0.0, {root}
    for pid in sorted(parents):  # children have larger pids than their parents, as a rule
        if pid in wanted or parents[pid] in wanted:
            wanted.add(pid)
            total += times[pid]
    return total


CPU: dict[str, int] = {}  # name → root pid whose CPU is reported per answer


def best_of(name: str, tries: int, run) -> float:
    figures = []
    for n in range(1, tries + 1):
        before = {who: cpu_seconds(pid) for who, pid in CPU.items()}
        per_second, good, bad, p99 = run()
        used = "".join(
            f", {who} {(cpu_seconds(pid) - before[who]) * 1000 / max(good, 1):.1f} ms CPU each"
            for who, pid in CPU.items()
        )
        figures.append(per_second)
        print(
            f"  {name} try {n}: {per_second:8.1f}/s  "
            f"(answered as expected {good}, otherwise {bad}, p99 {p99:.0f} ms{used})"
        )
    print(f"{name}: best {max(figures):.1f}/s")
    return max(figures)


def signed_in(login: str) -> tuple[str, str, str]:
    """A resident signed in through the form: (session cookie, csrf cookie, form token). Cookies
    are kept by hand: with DEBUG=0 they are Secure, and the node is asked over plain HTTP."""
    cookies: dict[str, str] = {}

    def ask(method: str, path: str, body: str | None = None) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", NODE, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return text

    token = CSRF.search(ask("GET", "/login/")).group(1)
    ask(
        "POST",
        "/login/",
        urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": login, "password": seed.PASSWORD}),
    )
    token = CSRF.search(ask("GET", "/cabinet/meters/")).group(1)
    return cookies["sessionid"], cookies["csrftoken"], token


def web(stack: Stack, args) -> dict[str, float]:
    env = stack.env(SECURE_SSL_REDIRECT="0", KABINET_LOG_FORMAT="json", LOG_LEVEL="WARNING")
    stack.start_node(NODE, env=env)
    CPU["node"] = stack.processes[f"web{NODE}"].pid
    CPU["PostgreSQL"] = stack.processes["postgres"].pid
    people = json.loads(
        subprocess.run([PY, "-m", "kabinet.ops.stack.seed", "residents", str(args.residents), "10"], cwd=ROOT,
                       env=env, capture_output=True, text=True, check=True).stdout
    )  # fmt: skip
    # Many residents, as on a readings day: one resident's submissions queue behind each other.
    sessions = [(login, meters, *signed_in(login)) for login, meters in people]
    table = ",".join(
        # {cookies of the signed-in resident, form token, meter ids, the csrf cookie alone}
        f'{{"sessionid={s}; csrftoken={c}", "{t}", {{{",".join(map(str, m))}}}, "csrftoken={c}"}}'
        for _, m, s, c, t in sessions
    )
    pick = f"local people = {{{table}}}\n"
    overview_lua = (
        pick
        + COUNT_LUA % {"ok": 200}
        + (
            "request = function()\n  local p = people[math.random(#people)]\n"
            '  return wrk.format("GET", "/cabinet/", {["Cookie"] = p[1]})\nend\n'
        )
    )
    results = {}
    results["reference /healthz"] = best_of(
        "reference /healthz",
        args.tries,
        lambda: wrk(COUNT_LUA % {"ok": 200}, "/healthz", args.seconds, args.connections),
    )
    results["overview pages"] = best_of(
        "overview pages (/cabinet/)", args.tries,
        lambda: wrk(overview_lua, "/cabinet/", args.seconds, args.connections),
    )  # fmt: skip
    logins = ",".join(f'"{login}"' for login, *_ in sessions)
    login_lua = (
        pick
        + f"local logins = {{{logins}}}\n"
        + COUNT_LUA % {"ok": 302}
        + (
            "request = function()\n  local i = math.random(#people)\n  local p = people[i]\n"
            '  return wrk.format("POST", "/login/", {["Cookie"] = p[4], '
            '["Content-Type"] = "application/x-www-form-urlencoded"}, '
            '"csrfmiddlewaretoken=" .. p[2] .. "&username=" .. logins[i] .. '
            f'"&password={seed.PASSWORD}")\nend\n'
        )
    )
    results["log-ins"] = best_of(
        "log-ins (POST /login/)",
        args.tries,
        lambda: wrk(login_lua, "/login/", args.seconds, args.connections),
    )
    readings_lua = (
        pick
        + COUNT_LUA % {"ok": 302}
        + (
            "request = function()\n  local p = people[math.random(#people)]\n"
            "  local id = p[3][math.random(#p[3])]\n"
            '  return wrk.format("POST", "/cabinet/meters/" .. id .. "/", {["Cookie"] = p[1], '
            '["Content-Type"] = "application/x-www-form-urlencoded"}, '
            '"csrfmiddlewaretoken=" .. p[2] .. "&m" .. id .. "-value_1=101,250")\nend\n'
        )
    )
    results["readings"] = best_of(
        "readings (POST /cabinet/meters/<id>/)",
        args.tries,
        lambda: wrk(readings_lua, "/", args.seconds, args.connections),
    )
    stack.stop(f"web{NODE}")
    CPU.pop("node")
    return results


def commits_per_second(stack: Stack, seconds: float = 3) -> tuple[float, int, int, float]:
    import psycopg

    with psycopg.connect(stack.database_url(), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_ref (id int PRIMARY KEY, n bigint)")
        conn.execute("INSERT INTO bench_ref VALUES (1, 0) ON CONFLICT DO NOTHING")
        done, started = 0, time.monotonic()
        while time.monotonic() - started < seconds:
            conn.execute("UPDATE bench_ref SET n = n + 1 WHERE id = 1")
            done += 1
    return done / seconds, done, 0, 0.0


def outbox(stack: Stack, args, workers: int) -> tuple[float, int, int, float]:
    env = stack.env(LOG_LEVEL="WARNING")
    subprocess.run([PY, "-m", "kabinet.ops.stack.seed", "sms", str(args.messages), f"bench-{time.time()}"],
                   cwd=ROOT, env=env, check=True, capture_output=True)  # fmt: skip
    names = [f"bench-outbox{n}" for n in range(workers)]
    started = time.monotonic()
    for name in names:
        stack.spawn(name, [PY, "manage.py", "run_worker"], env=env)
    unsent = "SELECT count(*) FROM messaging_outboxmessage WHERE status IN ('queued','sending')"
    while int(stack.psql(unsent, "kabinet")):
        time.sleep(0.2)  # polling the queue until the workers drained it
    took = time.monotonic() - started - 1.0  # a worker's start (Django setup) is about a second
    for name in names:
        stack.stop(name)
    return args.messages / took, args.messages, 0, 0.0


def imports(stack: Stack, args) -> None:
    stack.create_database("bench_import")
    env = {**stack.env(), "DATABASE_URL": stack.database_url("bench_import")}
    command = [PY, "bench/import_accruals.py", "--rows", str(args.import_rows)]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    print("\n".join(line for line in out.stdout.splitlines() if line.strip()))
    if out.returncode:
        print(out.stderr[-2000:])


def main() -> None:
    args = parse_args()
    stack = Stack()
    gateway = SmsRuServer(SmsRuState(api_id=SMS_API_ID), port=GATEWAY_PORT)
    try:
        for sub in ("logs", "data", "static"):
            (stack.directory / sub).mkdir(parents=True, exist_ok=True)
        stack.init_postgres()
        stack.start_postgres()
        stack.start_redis()
        stack.prepare_django()
        cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(f"machine: {cores} cores; load before: {load}; PostgreSQL {pg_bin().parent.name}")
        figures = web(stack, args)
        if args.web_only:
            return
        reference = best_of(
            "reference: UPDATE commits/s (one connection)", args.tries, lambda: commits_per_second(stack)
        )
        one = best_of("SMS/s, one outbox worker", args.tries, lambda: outbox(stack, args, 1))
        two = best_of("SMS/s, two outbox workers", args.tries, lambda: outbox(stack, args, 2))
        imports(stack, args)
        print()
        base = figures["reference /healthz"]
        for name, value in figures.items():
            print(f"web node: {name}: {value:.0f}/s ({value / base:.1%} of /healthz)")
        print(
            f"outbox: one worker {one:.0f} SMS/s, two {two:.0f} SMS/s "
            f"(reference {reference:.0f} commits/s; {reference / one:.1f} commits per SMS)"
        )
    finally:
        stack.stop_all()
        gateway.stop()


if __name__ == "__main__":
    main()
