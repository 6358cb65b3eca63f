"""Queues of rows that background workers take one at a time: billing's uploads (`ImportJob`),
ГИС ЖКХ's exports (`GisExport`).

A queue is a model with a `Status` of QUEUED and RUNNING, `created_at` and `started_at`. A row is
taken by a conditional UPDATE, so that two workers on any number of machines never take the same
one, and without a lock held through the work, which may last minutes. (The outbox, whose rows
are many and short, claims with `SELECT … FOR UPDATE SKIP LOCKED` instead: kabinet/messaging.)
"""

import datetime
from typing import TypeVar

from django.db import models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)
# Queued rows looked at per call: enough that a row another worker took meanwhile is passed over.
_CANDIDATES = 5


def claim_oldest(
    model: type[M], *, lease: datetime.timedelta, restart: dict[str, object] | None = None
) -> M | None:
    """The oldest queued row of `model`, taken (RUNNING, `started_at` now) so that two workers
    never take the same one; None when nothing waits. A row running longer than `lease` — far
    longer than any of the queue's work takes — is an orphan of a worker that died: it is queued
    again first, with `restart`'s fields set back, and so taken again."""
    queued, running = model.Status.QUEUED, model.Status.RUNNING  # type: ignore[attr-defined]
    model._default_manager.filter(status=running, started_at__lt=timezone.now() - lease).update(
        status=queued, started_at=None, **(restart or {})
    )
    for row in model._default_manager.filter(status=queued).order_by("created_at")[:_CANDIDATES]:
        if model._default_manager.filter(pk=row.pk, status=queued).update(
            status=running, started_at=timezone.now()
        ):
            row.refresh_from_db()
            return row
    return None
