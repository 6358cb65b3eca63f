"""Files kept for rows (billing's uploads, ГИС ЖКХ's exports) and deleted when their keeping time
is over (152-ФЗ ст. 5 ч. 7: kept no longer than the purpose of processing needs).

A row with a kept file has `stored_path` and `file_purged_at`. The file goes first, then the row
says so: a purge cut short in between finds the row again and the file already gone.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from django.db import models

log = logging.getLogger("kabinet.jobs")


def remove_file(path: str) -> bool:
    """Delete a kept file; whether it is gone. One already gone is no error (a purge cut short
    deleted it first); one that cannot be deleted is logged and tried again next time, and the
    worker goes on with its work."""
    if not path:
        return True
    try:
        Path(path).unlink(missing_ok=True)
    except OSError as error:
        log.error("kept file not deleted: %s", error, extra={"path": path})
        return False
    return True


def purge_files(
    rows: models.QuerySet, *, now: datetime.datetime, paths: Callable[[models.Model], Iterable[str]]
) -> int:
    """Delete the files of `rows` (each row's `paths`) and mark each row whose files are gone;
    how many were marked. A file that could not be deleted leaves its row for the next round."""
    removed = 0
    for row in rows:
        if not all([remove_file(path) for path in paths(row)]):  # every path tried, not the first
            continue
        removed += rows.model._default_manager.filter(pk=row.pk, file_purged_at=None).update(
            file_purged_at=now, stored_path=""
        )
    return removed
