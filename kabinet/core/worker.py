"""The poll loop every background worker runs (outbox, billing uploads, reminders).

One loop, one job per process: the command that starts a worker passes its own round. The loop
leaves a heartbeat in the database (`WorkerHeartbeat`, read by `/readyz` and the metrics) and one
JSON log line per round that did something, and stops cleanly on SIGTERM/SIGINT: the round in
progress finishes, nothing is cut in half.
"""

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import Error, connections
from django.db.models import Max
from django.utils import timezone

from .logs import job_context
from .models import WorkerHeartbeat

log = logging.getLogger("kabinet.jobs")

# A heartbeat costs one UPDATE; written at most this often, however fast the rounds go.
BEAT_EVERY_SECONDS = 10


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.worker = worker_name()
        self.started_at = timezone.now()
        self.rounds = 0
        self.last = 0.0

    def beat(self, *, force: bool = False) -> None:
        self.rounds += 1
        now = time.monotonic()
        if not force and now - self.last < BEAT_EVERY_SECONDS:
            return
        try:
            if not self.last:
                # Each start is a new process: rows of processes gone for a day are the past.
                gone = timezone.now() - timedelta(days=1)
                WorkerHeartbeat.objects.filter(kind=self.kind, beat_at__lt=gone).delete()
            WorkerHeartbeat.objects.update_or_create(
                kind=self.kind,
                worker=self.worker,
                defaults={"beat_at": timezone.now(), "rounds": self.rounds, "started_at": self.started_at},
            )
            self.last = now
        except Error:
            # The database is away: the round itself will say so; the beat tries again next round.
            log.warning("heartbeat not written", extra={"job": self.kind})


def newest_beats() -> dict[str, datetime]:
    """The newest heartbeat of each kind of worker, in one query (`/readyz`, the metrics)."""
    rows = WorkerHeartbeat.objects.values("kind").annotate(newest=Max("beat_at")).order_by()
    return {row["kind"]: row["newest"] for row in rows}


def run_until_stopped(round_: Callable[[], bool], *, kind: str, once: bool, poll_seconds: float) -> None:
    """Run ``round_`` until SIGTERM/SIGINT; sleep ``poll_seconds`` after a round with nothing to do.

    ``round_`` returns whether it did anything; with ``once`` there is exactly one round. A round
    that raises (the database restarting, say) is logged and retried after a pause: a worker
    outlives the faults around it instead of leaving the queue to pile up.
    """
    stopping = threading.Event()  # set by SIGTERM/SIGINT; also cuts the pause between rounds short

    def stop(signum, frame) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    heartbeat = Heartbeat(kind)
    while not stopping.is_set():
        busy = _one_round(round_, kind=kind, once=once)
        heartbeat.beat(force=once)
        if once:
            break
        if not busy:
            stopping.wait(poll_seconds)


def _one_round(round_: Callable[[], bool], *, kind: str, once: bool) -> bool:
    job_id = uuid.uuid4().hex[:16]
    started = time.monotonic()
    with job_context(job_id):
        try:
            busy = round_()
        except Error:
            if once:
                raise
            log.exception("round failed", extra={"job": kind})
            connections.close_all()  # a connection the database dropped is opened anew next round
            return False
        if busy:
            log.info(
                "round done",
                extra={"job": kind, "duration_ms": round((time.monotonic() - started) * 1000)},
            )
    return busy
