"""Start and stop the stack's processes; each is a child of this process, killed only by its pid."""

import glob
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PY = sys.executable
PG_PORT, REDIS_PORT, HTTPS_PORT, HTTP_PORT = 5442, 6389, 8443, 8280
NODE_PORTS = (8201, 8202)
RESTORE_PORT = 8203
GATEWAY_PORT = 8209
SMS_API_ID = "stack-api-id"


def ports_in_use() -> list[int]:
    ports = [PG_PORT, REDIS_PORT, HTTPS_PORT, HTTP_PORT, *NODE_PORTS, RESTORE_PORT, GATEWAY_PORT]
    return [port for port in ports if answers(port)]


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        sys.exit("PostgreSQL's server programs are not installed (apt-get install postgresql)")
    return Path(found[-1]).parent


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


def wait_until(what: str, check, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)  # polling a process coming up, with a deadline
    raise RuntimeError(f"{what}: not ready within {seconds:.0f} s")


_TLS = ssl.create_default_context()
_TLS.check_hostname = False
_TLS.verify_mode = ssl.CERT_NONE  # the stack's certificate is self-signed, made at start


def get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=_TLS) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return 0, ""  # nobody answers (yet)


@dataclass
class Stack:
    directory: Path = ROOT / "var" / "stack"
    node_ports: tuple[int, ...] = NODE_PORTS
    outbox_workers: int = 2
    quiet: bool = True
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    # --- paths and settings -------------------------------------------------------------------
    @property
    def pg_data(self) -> Path:
        return self.directory / "pg"

    @property
    def logs(self) -> Path:
        return self.directory / "logs"

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{HTTPS_PORT}"

    def database_url(self, name: str = "kabinet") -> str:
        return f"postgres://postgres@127.0.0.1:{PG_PORT}/{name}"

    def env(self, **overrides: str) -> dict[str, str]:
        secret = self.directory / "secret_key"
        if not secret.exists():
            secret.write_text(secrets.token_urlsafe(50))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KABINET_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="kabinet.settings",
            DEBUG="0",
            SECRET_KEY_FILE=str(secret),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL=self.url,
            # nginx passes Host without the port (as on 443): the form's origin carries :8443.
            CSRF_TRUSTED_ORIGINS=f"{self.url},https://localhost:{HTTPS_PORT}",
            DATABASE_URL=self.database_url(),
            DATABASE_CONN_MAX_AGE="60",
            REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
            KABINET_TRUSTED_PROXIES="127.0.0.1/32",
            KABINET_X_ACCEL_PREFIX="/_private/appeals/",
            KABINET_VAR_DIR=str(self.directory / "data"),
            STATIC_ROOT=str(self.directory / "static"),
            KABINET_LOG_FORMAT="json",
            SMS_GATEWAY="smsru",
            SMSRU_URL=f"http://127.0.0.1:{GATEWAY_PORT}",
            SMSRU_API_ID=SMS_API_ID,
            SMS_TIMEOUT="5",
            EMAIL_TIMEOUT="5",
            # A worker killed mid-send gives its message back after this (production: 300 s).
            OUTBOX_CLAIM_SECONDS="15",
            OUTBOX_RETRY_SECONDS="1",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            PAYMENT_PROVIDER="yookassa",
            YOOKASSA_SHOP_ID="000000",
            YOOKASSA_SECRET_KEY="stack-has-no-payments",
            YOOKASSA_API_URL=f"http://127.0.0.1:{GATEWAY_PORT}/yookassa",
            KABINET_SMS_DAILY_CAP="0",
            GUNICORN_WORKERS="2",
            GUNICORN_THREADS="4",
        )
        env.update(overrides)
        return env

    def log(self, message: str) -> None:
        if not self.quiet:
            print(message, flush=True)

    # --- processes ----------------------------------------------------------------------------
    def spawn(
        self, name: str, command: list[str], *, env: dict | None = None, user: str | None = None
    ) -> None:
        logfile = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115  kept open by the child
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env or self.env(),
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches this process only; it stops the others in order
            user=user,
        )

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self, name: str) -> int:
        """SIGKILL, as a crash or the OOM killer would: no clean-up at all."""
        process = self.processes.pop(name)
        pid = process.pid
        os.killpg(pid, signal.SIGKILL) if name.startswith("web") else process.kill()
        process.wait()
        return pid

    def stop_all(self) -> None:
        order = ["nginx", *[n for n in self.processes if n.startswith(("web", "restore"))]]
        order += [n for n in self.processes if n.startswith(("outbox", "billing", "reminders", "devices"))]
        order += ["redis", "postgres"]
        for name in order:
            self.stop(name)
        for name in list(self.processes):
            self.stop(name)

    # --- PostgreSQL ---------------------------------------------------------------------------
    def _pg_user(self) -> str | None:
        return "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root

    def init_postgres(self) -> None:
        if (self.pg_data / "PG_VERSION").exists():
            return
        self.pg_data.mkdir(parents=True, exist_ok=True)
        if self._pg_user():
            shutil.chown(self.pg_data, "postgres", "postgres")
        subprocess.run(
            [str(pg_bin() / "initdb"), "-D", str(self.pg_data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8"],
            check=True, stdout=subprocess.DEVNULL, user=self._pg_user(),
        )  # fmt: skip

    def start_postgres(self) -> None:
        socket_dir = self.directory / "pg-socket"
        socket_dir.mkdir(exist_ok=True)
        if self._pg_user():
            shutil.chown(socket_dir, "postgres", "postgres")
        self.spawn(
            "postgres",
            [str(pg_bin() / "postgres"), "-D", str(self.pg_data), "-p", str(PG_PORT),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={socket_dir}",
             "-c", "max_connections=200", "-c", "shared_buffers=256MB", "-c", "synchronous_commit=on",
             "-c", "fsync=on"],
            user=self._pg_user(),
        )  # fmt: skip
        wait_until("PostgreSQL", self._pg_ready, 60)

    def _pg_ready(self) -> bool:
        result = subprocess.run(
            [str(pg_bin() / "pg_isready"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-q"], check=False
        )
        return result.returncode == 0

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [str(pg_bin() / "psql"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return result.stdout.strip()

    def create_database(self, name: str) -> None:
        if not self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            self.psql(f'CREATE DATABASE "{name}"')

    # --- Redis --------------------------------------------------------------------------------
    def start_redis(self) -> None:
        (self.directory / "redis").mkdir(exist_ok=True)
        self.spawn(
            "redis",
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory / "redis"),
             "--maxmemory", "256mb", "--maxmemory-policy", "noeviction", "--daemonize", "no"],
        )  # fmt: skip
        wait_until("Redis", lambda: answers(REDIS_PORT), 20)

    # --- Django -------------------------------------------------------------------------------
    def manage(self, *args: str, env: dict | None = None) -> str:
        result = subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=env or self.env(), capture_output=True, text=True
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare_django(self) -> None:
        self.create_database("kabinet")
        self.manage("migrate", "--noinput")
        self.manage("createcachetable")
        self.manage("collectstatic", "--noinput", "-v", "0")
        self.manage("load_demo_data", "--if-empty")

    def start_node(self, port: int, *, name: str | None = None, env: dict | None = None) -> None:
        prom = self.directory / f"prometheus-{port}"
        node_env = env or self.env()
        node_env = {**node_env, "PROMETHEUS_MULTIPROC_DIR": str(prom)}
        self.spawn(
            name or f"web{port}",
            [str(Path(PY).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "kabinet.wsgi"],
            env=node_env,
        )  # fmt: skip
        wait_until(f"web node {port}", lambda: get(f"http://127.0.0.1:{port}/healthz")[0] == 200, 60)

    def start_worker(self, name: str, *command: str) -> None:
        self.spawn(name, [PY, "manage.py", *command])

    def start_workers(self) -> None:
        for n in range(1, self.outbox_workers + 1):
            self.start_worker(f"outbox{n}", "run_worker")
        self.start_worker("billing", "run_billing_worker")
        self.start_worker("reminders", "send_reading_reminders", "--schedule")
        self.start_worker("devices", "submit_device_readings", "--schedule")

    # --- nginx --------------------------------------------------------------------------------
    def certificate(self) -> tuple[Path, Path]:
        certs = self.directory / "tls"
        certs.mkdir(exist_ok=True)
        cert, key = certs / "cert.pem", certs / "key.pem"
        if not cert.exists():
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                 "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                 "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                check=True, capture_output=True,
            )  # fmt: skip
        return cert, key

    def nginx_config(self) -> Path:
        """deploy/nginx/kabinet.conf with this machine's ports and paths, inside a main config."""
        cert, key = self.certificate()
        prefix = self.directory / "nginx"
        (prefix / "tmp").mkdir(parents=True, exist_ok=True)
        site = (ROOT / "deploy" / "nginx" / "kabinet.conf").read_text()
        upstream = "".join(
            f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in self.node_ports
        )
        site = site.replace(
            "    server 127.0.0.1:8201 max_fails=1 fail_timeout=10s;\n"
            "    server 127.0.0.1:8202 max_fails=1 fail_timeout=10s;\n",
            upstream,
        )
        replacements = {
            "/etc/letsencrypt/live/lk.uk-example.ru/fullchain.pem": str(cert),
            "/etc/letsencrypt/live/lk.uk-example.ru/privkey.pem": str(key),
            "/var/log/nginx/": f"{self.logs}/",
            "/srv/kabinet/static/": f"{self.directory / 'static'}/",
            "/var/lib/kabinet/": f"{self.directory / 'data'}/",
            "/srv/kabinet/app/deploy/nginx": str(ROOT / "deploy" / "nginx"),
            "root /var/www/letsencrypt;": f"root {prefix};",
            "lk.uk-example.ru": "127.0.0.1 localhost",
            "listen 80;": f"listen 127.0.0.1:{HTTP_PORT};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{HTTPS_PORT} ssl http2;",
            "return 301 https://$host$request_uri;": f"return 301 https://$host:{HTTPS_PORT}$request_uri;",
        }
        # Every drill visitor comes from 127.0.0.1: the per-address limits would refuse them as one
        # flooding visitor and the drills would measure nginx's 429s, not the nodes.
        replacements["rate=30r/s"] = "rate=5000r/s"
        replacements["rate=5r/s"] = "rate=5000r/s"
        for old, new in replacements.items():
            site = site.replace(old, new)
        site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
        (prefix / "kabinet.conf").write_text(site)
        main = prefix / "nginx.conf"
        main.write_text(
            f"worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {self.logs}/nginx-error.log warn;\n"
            + ("user root;\n" if os.geteuid() == 0 else "")
            + "events { worker_connections 1024; }\n"
            "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
            "  sendfile on;\n  gzip on;\n  server_tokens off;\n"
            f"  client_body_temp_path {prefix}/tmp/body;\n  proxy_temp_path {prefix}/tmp/proxy;\n"
            f"  fastcgi_temp_path {prefix}/tmp/fastcgi;\n  uwsgi_temp_path {prefix}/tmp/uwsgi;\n"
            f"  scgi_temp_path {prefix}/tmp/scgi;\n  include {prefix}/kabinet.conf;\n}}\n"
        )
        return main

    def start_nginx(self) -> None:
        config = self.nginx_config()
        prefix = str(self.directory / "nginx")
        check = subprocess.run(
            ["nginx", "-t", "-q", "-p", prefix, "-c", str(config)], capture_output=True, text=True
        )
        if check.returncode:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.spawn("nginx", ["nginx", "-p", prefix, "-c", str(config), "-g", "daemon off;"])
        wait_until("nginx", lambda: get(f"{self.url}/healthz")[0] == 200, 30)

    # --- everything ---------------------------------------------------------------------------
    def start(self) -> None:
        for sub in ("logs", "data", "static"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        self.log("PostgreSQL (own cluster, port 5442)…")
        self.init_postgres()
        self.start_postgres()
        self.log("Redis (port 6389, noeviction)…")
        self.start_redis()
        self.log("migrate, collectstatic, demo data…")
        self.prepare_django()
        self.log("workers: 2 outbox, billing, reminders, devices…")
        self.start_workers()
        for port in self.node_ports:
            self.log(f"gunicorn node 127.0.0.1:{port}…")
            self.start_node(port)
        self.log("nginx (HTTPS 8443, HTTP 8280)…")
        self.start_nginx()

    def ready(self) -> dict:
        status, body = get(f"{self.url}/readyz")
        return {"status": status, **(json.loads(body) if body.startswith("{") else {"body": body[:200]})}
