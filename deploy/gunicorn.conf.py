"""gunicorn settings for one Kabinet web node (deploy/systemd/kabinet-web@.service).

Run as: gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8201 kabinet.wsgi
Every value can be changed from the environment file without editing this one.
"""

import os
import shutil

# Sync workers with a few threads each: Kabinet's pages are short database reads; threads cover
# the slow moments (an SMS gateway's answer is never waited for in a request: the outbox does it).
workers = int(os.getenv("GUNICORN_WORKERS", "4"))
threads = int(os.getenv("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# A request longer than this is killed (and logged): no page of ours needs more. Uploads of
# billing files are written to disk and imported by the billing worker, not in the request.
timeout = int(os.getenv("GUNICORN_TIMEOUT", "60"))
# On SIGTERM (systemctl stop/restart) requests in progress get this long to finish.
graceful_timeout = int(os.getenv("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle a worker process now and then: a slow leak never grows into an outage.
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# nginx is the only client: the X-Forwarded-* headers it sets are believed by Django itself
# (KABINET_TRUSTED_PROXIES, SECURE_PROXY_SSL_HEADER), not by gunicorn.
forwarded_allow_ips = "127.0.0.1,::1"
# One JSON line per request comes from Django (kabinet.requests); gunicorn's access log would
# repeat it without the request id and with the query string.
accesslog = None
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")
# gunicorn 24+ opens a control socket in the home directory, one path for every node: two
# nodes on one server would fight over it, and nothing here uses it.
control_socket_disable = True
# Load the application before forking: workers share its memory, and a broken release fails at
# start instead of in every worker.
preload_app = True


def on_starting(server) -> None:
    """Prometheus counts of all worker processes are added up in PROMETHEUS_MULTIPROC_DIR: it
    starts empty, so a restart does not add the counts of processes that are gone."""
    directory = os.getenv("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.getenv("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
