"""What the benchmarks share: Kabinet's production settings and gunicorn, started and waited for."""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def production_env(database_url: str, redis_url: str, cache_prefix: str, **more: str) -> dict[str, str]:
    """The environment of a production node on loopback (DEBUG off, kept connections, Redis),
    with `collectstatic`'s hashed copies in a directory of the benchmark's own."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=cache_prefix,  # its own keys on a shared Redis
        DJANGO_SETTINGS_MODULE="kabinet.settings",
        DEBUG="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_CONN_MAX_AGE="600",  # as README's production shape: connections kept
        LOG_LEVEL="WARNING",
        STATIC_ROOT=env.get("STATIC_ROOT") or str(Path(tempfile.gettempdir()) / f"{cache_prefix}-static"),
    )
    env.update(more)
    return env


def collect_static(env: dict[str, str]) -> None:
    """What a deployment does before starting the nodes: with DEBUG off pages name hashed files."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def gunicorn(
    app: str, *options: str, env: dict[str, str], port: int, log: Path | None = None
) -> subprocess.Popen:
    """gunicorn serving `app` on 127.0.0.1:`port`, returned once it listens (30 s at most).
    `log`: the file its output (the request log lines) goes to, as journald takes it in
    production, instead of the terminal."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        app,
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        "--backlog=2048",
        *options,
    ]
    output = log.open("ab") if log is not None else None
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped with code {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return server
        except OSError:
            time.sleep(0.1)  # waiting for the server to listen, polled with a deadline
    server.terminate()
    sys.exit("gunicorn did not start listening within 30 s")
