"""Faults with real worker processes (`manage.py run_worker`) and a gateway that counts.

The gateway is the local SMS.ru server: it counts every SMS it accepts, so lost messages and
duplicates are measured, not assumed. Each test prints its figures (messages, delivered,
duplicates, time). A worker killed with a message at the gateway leaves that one message
«возможно отправлено» (a worker holds one at a time): it is never sent again by itself; the
tests then do what the operator does — look for it in the gateway's own log — and count.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from kabinet.messaging import services
from kabinet.messaging.models import DeliveryAttempt, OutboxMessage

from .conftest import SMSRU_API_ID
from .peers import wait_for
from .smsru_server import SmsRuServer

pytestmark = pytest.mark.django_db(transaction=True)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="several workers at once are a PostgreSQL setup (SKIP LOCKED); run `make test PG_URL=...`",
)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """`manage.py run_worker` processes against the test database and the local SMS.ru."""

    def __init__(self, directory: Path, gateway_url: str) -> None:
        self.dir = directory
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "SMS_GATEWAY": "smsru",
            "SMSRU_URL": gateway_url,
            "SMSRU_API_ID": SMSRU_API_ID,
            "SMS_TIMEOUT": "2",
            "EMAIL_TIMEOUT": "2",
            "OUTBOX_RETRY_SECONDS": "1",
            "OUTBOX_CLAIM_SECONDS": "3",
            "OUTBOX_POLL_SECONDS": "1",
            "SECRET_KEY": django_settings.SECRET_KEY,
        }
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        log = open(self.dir / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker"],
            cwd=django_settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def ready(self) -> bool:
        """Every started worker has printed its start line and polls the outbox."""
        logs = (self.dir / f"worker-{i}.log" for i in range(len(self.processes)))
        return all("запущен" in log.read_text("utf-8", "replace") for log in logs)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(tmp_path, smsru):
    running = Workers(tmp_path, smsru.url)
    yield running
    running.stop_all()


def queue(count: int) -> list[OutboxMessage]:
    return [
        services.send_sms(phone=f"+7912{i:07d}", text=f"Сообщение {i}: показания принимаются до 25-го")
        for i in range(count)
    ]


def tried_messages() -> int:
    return DeliveryAttempt.objects.filter(outcome="retry").order_by().values("message").distinct().count()


def all_sent() -> bool:
    return not OutboxMessage.objects.exclude(status="sent").exists()


def none_waiting() -> bool:
    """Every message sent, or possibly sent and waiting for the operator."""
    return not OutboxMessage.objects.exclude(status__in=["sent", "uncertain"]).exists()


def settle_like_an_operator(smsru) -> tuple[int, int]:
    """The operator's part for each possibly-sent SMS: find it in the gateway's own log
    (SMS.ru's «Отправленные»). Found: mark it sent; not found: send it again."""
    received = set(smsru.state.counts())
    uncertain = OutboxMessage.objects.filter(status="uncertain")
    found = [m.pk for m in uncertain if (m.recipient.lstrip("+"), m.body) in received]
    marked = services.mark_sent(messages=uncertain.filter(pk__in=found), staff=None, ip=None)
    resent = services.resend(messages=uncertain.exclude(pk__in=found), staff=None, ip=None)
    return marked, resent.queued


def figures(capsys, name: str, messages: int, counts, seconds: float, **extra) -> tuple[int, int, int]:
    delivered = len(counts)
    duplicates = sum(n - 1 for n in counts.values())
    lost = messages - delivered
    more = "".join(f" {key}={value}" for key, value in extra.items())
    with capsys.disabled():
        print(
            f"\n[fault test] {name} on {connection.vendor}: messages={messages} delivered={delivered}"
            f" duplicates={duplicates} lost={lost} time={seconds:.1f}s{more}"
        )
    return delivered, duplicates, lost


def test_gateway_down_while_messages_wait_then_back_every_message_delivered_once(workers, smsru, capsys):
    port = smsru.server_address[1]
    smsru.stop()
    count = 40
    queue(count)
    workers.start()
    wait_for(
        lambda: tried_messages() == count,
        timeout=60,
        what="the worker to try every message while the gateway is down",
    )
    assert not OutboxMessage.objects.filter(status__in=["sent", "failed"]).exists()
    assert smsru.state.total() == 0

    started = time.monotonic()
    back = SmsRuServer(smsru.state, port=port)
    try:
        wait_for(all_sent, timeout=90, what="every message sent after the gateway came back")
        seconds = time.monotonic() - started
    finally:
        workers.stop_all()
        back.stop()

    tries = DeliveryAttempt.objects.filter(outcome="retry").count()
    delivered, duplicates, lost = figures(
        capsys, "gateway down, then back", count, smsru.state.counts(), seconds, failed_tries=tries
    )
    assert (delivered, duplicates, lost) == (count, 0, 0)
    assert tries >= count
    assert not DeliveryAttempt.objects.filter(outcome="pending").exists()


def test_worker_killed_mid_batch_and_restarted_loses_nothing(workers, smsru, capsys):
    count = 120
    smsru.state.delay = 0.02  # a gateway that takes a moment, so the kill lands mid-batch
    queue(count)
    started = time.monotonic()
    first = workers.start()
    wait_for(lambda: smsru.state.total() >= 30, timeout=60, what="the first worker to be mid-batch")
    first.send_signal(signal.SIGKILL)
    first.wait()
    at_kill = smsru.state.total()
    assert at_kill < count, "the worker finished before it was killed: nothing was tested"

    workers.start()
    wait_for(none_waiting, timeout=90, what="the restarted worker to send the rest")
    uncertain = OutboxMessage.objects.filter(status="uncertain").count()
    marked, resent = settle_like_an_operator(smsru)
    wait_for(all_sent, timeout=30, what="the operator's resend to go")
    seconds = time.monotonic() - started
    workers.stop_all()

    delivered, duplicates, lost = figures(
        capsys,
        "worker SIGKILLed mid-batch, restarted",
        count,
        smsru.state.counts(),
        seconds,
        sent_before_kill=at_kill,
        possibly_sent=uncertain,
        marked_sent=marked,
        sent_again=resent,
    )
    assert (delivered, duplicates, lost) == (count, 0, 0)
    # At most the one message the killed worker held; its attempt says the worker stopped.
    assert uncertain <= 1
    assert DeliveryAttempt.objects.filter(outcome="unknown").count() == uncertain
    assert not DeliveryAttempt.objects.filter(outcome="pending").exists()


@on_postgresql
def test_two_workers_on_postgresql_never_send_a_message_twice(workers, smsru, capsys):
    count = 300
    smsru.state.delay = 0.005
    workers.start()
    workers.start()
    wait_for(workers.ready, timeout=60, what="both workers to start")  # so both find work
    started = time.monotonic()
    queue(count)
    wait_for(all_sent, timeout=120, what="two workers to send everything")
    seconds = time.monotonic() - started
    workers.stop_all()

    by_worker = sorted(
        DeliveryAttempt.objects.order_by().values_list("worker", flat=True).distinct(), key=str
    )
    shares = [DeliveryAttempt.objects.filter(worker=w).count() for w in by_worker]
    delivered, duplicates, lost = figures(
        capsys, "two workers", count, smsru.state.counts(), seconds, per_worker=shares
    )
    assert (delivered, duplicates, lost) == (count, 0, 0)
    assert DeliveryAttempt.objects.count() == count  # one attempt each: nobody took a taken message
    assert len(shares) == 2 and min(shares) > 0, "both workers must have worked at the same time"
