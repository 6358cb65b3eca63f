"""What `/readyz` checks: the database, the cache, the migrations, the workers' heartbeats."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kabinet.core.worker import newest_beats


@dataclass
class Check:
    ok: bool
    detail: str
    ms: float = 0.0


def database() -> Check:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return Check(True, "отвечает")


def cache_answers() -> Check:
    key = "kabinet:readyz"
    cache.set(key, "1", 30)
    if cache.get(key) != "1":
        return Check(False, "кэш не вернул записанное")
    return Check(True, "отвечает")


# Applied migrations stay applied: once every one is, the check is not repeated (it reads every
# migration file). An event, set once, safe across the threads of one process.
_all_applied = threading.Event()


def migrations() -> Check:
    if not _all_applied.is_set():
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return Check(False, f"не применено миграций: {len(plan)} (manage.py migrate)")
        _all_applied.set()
    return Check(True, "все применены")


def workers() -> Check:
    """The newest heartbeat of every kind of worker named in KABINET_READY_WORKERS."""
    limit = settings.HEARTBEAT_MAX_AGE_SECONDS
    now = timezone.now()
    problems, fine = [], []
    beats = newest_beats()
    for kind in settings.READY_WORKERS:
        newest = beats.get(kind)
        if newest is None:
            problems.append(f"{kind}: ни разу не запускался")
            continue
        age = (now - newest).total_seconds()
        (problems if age > limit else fine).append(f"{kind}: {age:.0f} с назад")
    if problems:
        return Check(False, "; ".join(problems + fine))
    return Check(True, "; ".join(fine) or "не проверяются")


CHECKS: dict[str, Callable[[], Check]] = {
    "database": database,
    "cache": cache_answers,
    "migrations": migrations,
    "workers": workers,
}


def run_checks() -> dict[str, Check]:
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            result = check()
        except Exception as error:  # a check that cannot run has failed; say why, never a 500
            result = Check(False, f"{type(error).__name__}: {error}".splitlines()[0][:200])
        result.ms = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    return results
