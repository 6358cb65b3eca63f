"""Uploads in the back-office: a file kept on disk, imported by the worker, its progress shown.

The upload only stores the file and queues an `ImportJob`; `manage.py run_billing_worker`
claims and runs the jobs, so that an import of minutes never holds a web request.
"""

import datetime
import logging
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.utils import timezone

from kabinet.core.keptfiles import purge_files
from kabinet.core.models import User
from kabinet.core.queues import claim_oldest

from ..models import ImportJob, ImportProfile
from .read import ImportFileError
from .registry import KINDS, import_file

log = logging.getLogger("kabinet.jobs")

UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".dbf")
_PROGRESS_SECONDS = 1.0
# Long work an app above billing hands to the billing worker (ГИС ЖКХ's exports, kabinet/gis):
# each task does what waits and says what it did in a sentence ("" when nothing waited).
WORKER_TASKS: list[Callable[[], str]] = []


def add_worker_task(task: Callable[[], str]) -> None:
    """Have the billing worker run `task` in each of its rounds, after the queued imports."""
    if task not in WORKER_TASKS:
        WORKER_TASKS.append(task)


# Files whose keeping time is over, deleted by the worker once an hour (`purge_expired_files`):
# billing's uploads, and what an app above adds (ГИС ЖКХ's exports). Each task takes `now` and
# says what it deleted in a sentence ("" when nothing).
RETENTION_TASKS: list[Callable[..., str]] = []


def add_retention_task(task: Callable[..., str]) -> None:
    if task not in RETENTION_TASKS:
        RETENTION_TASKS.append(task)


def queue_import(
    *, job: ImportJob, upload: UploadedFile, user: User | None, map_columns: bool = False
) -> ImportJob:
    """Keep an uploaded file under BILLING_IMPORT_DIR (outside the web root) and queue its
    import for the worker (`manage.py run_billing_worker`). `job` carries kind and skip_bad.
    With `map_columns` the job waits instead for the operator to say what its columns are
    (`map_columns_and_queue`)."""
    directory = Path(settings.BILLING_IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.name or "").suffix.lower()
    stored = directory / f"{uuid.uuid4().hex}{suffix if suffix in UPLOAD_SUFFIXES else '.csv'}"
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job.file_name = Path(upload.name or stored.name).name[:255]
    job.stored_path = str(stored)
    job.bytes_total = stored.stat().st_size
    job.status = ImportJob.Status.MAPPING if map_columns else ImportJob.Status.QUEUED
    job.created_by = user
    job.save()
    return job


@transaction.atomic
def map_columns_and_queue(*, job: ImportJob, profile: ImportProfile) -> ImportJob:
    """Save the operator's mapping of a file's columns as a profile, kept for the next file of
    that layout, and queue the waiting job to be imported through it."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportJob.Status.MAPPING:
        raise ImportFileError("Этот файл уже поставлен в очередь — обновите страницу.")
    profile.full_clean()
    profile.save()
    locked.column_profile = profile
    locked.status = ImportJob.Status.QUEUED
    locked.save(update_fields=["column_profile", "status"])
    return locked


# Russian letters in Latin, for profile names (ъ and ь are dropped).
_LATIN = {
    **dict(zip("абвгдеёзийклмнопрстуфхыэ", "abvgdeeziyklmnoprstufhye", strict=True)),
    **{"ж": "zh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ь": "", "ю": "yu", "я": "ya"},
}


def profile_name(*, title: str, kind: str) -> str:
    """A name for `import_billing … --profile NAME`, in Latin letters, from the title the
    operator gave (`1С: начисления` → `1s-nachisleniya`), unique among the kind's profiles."""
    latin = "".join(_LATIN.get(ch, ch) for ch in title.lower())
    base = "-".join(re.findall(r"[a-z0-9]+", latin))[:36] or "profile"
    taken = set(ImportProfile.objects.filter(kind=kind, name__startswith=base).values_list("name", flat=True))
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    return name


def worker_lease() -> datetime.timedelta:
    """How long a job of the billing worker (an upload, a ГИС ЖКХ export) may run before it is
    taken for an orphan of a worker that died (`KABINET_BILLING_IMPORT_LEASE_MINUTES`)."""
    return datetime.timedelta(minutes=settings.BILLING_IMPORT_LEASE_MINUTES)


def claim_import_job() -> ImportJob | None:
    """Take the oldest queued job, so that two workers never run the same one. A worker that
    died mid-import rolled its transaction back: nothing of the file is in the books, and an
    import replaces whole months, so running the file again is safe."""
    return claim_oldest(ImportJob, lease=worker_lease(), restart={"rows_done": 0, "bytes_done": 0})


def run_import_job(job: ImportJob) -> ImportJob:
    """Import a claimed job's file, recording progress as it goes and the report at the end."""
    reporter = _JobProgress(job)
    try:
        report = import_file(
            kind=job.kind,
            path=Path(job.stored_path),
            file_name=job.file_name,  # the operator's; the stored copy's is random
            skip_bad=job.skip_bad,
            progress=reporter,
            profile=job.profile,
            column_profile=job.column_profile,
        )
    except ImportFileError as exc:
        job.status = ImportJob.Status.FAILED
        job.summary = f"Файл не загружен: {exc}"
    else:
        job.status = ImportJob.Status.DONE if report.applied else ImportJob.Status.FAILED
        job.summary = f"{KINDS[job.kind].title}: {report.summary()}"
        job.error_count = report.error_count
        job.report = "\n".join(report.lines())
        job.rows_done = report.rows_read
        job.bytes_done = job.bytes_total
    finally:
        reporter.close()
    job.finished_at = timezone.now()
    job.save()
    return job


# --- Keeping time of the files (152-ФЗ ст. 5 ч. 7) ----------------------------------------------
# A billing file lists residents' ФИО, addresses and sums: once its import ended, the books hold
# what it said and the file has no purpose left, so it is kept no longer than
# IMPORT_UPLOAD_KEEP_DAYS (ст. 5 ч. 7: kept no longer than the purpose of processing needs).

ABANDONED = (
    "Столбцы файла не сопоставлены за {days} дн.: файл удалён по сроку хранения, ничего не "
    "загружено. Чтобы загрузить его, отправьте файл ещё раз."
)


def purge_old_uploads(*, now: datetime.datetime | None = None) -> str:
    """Delete the files of jobs that ended IMPORT_UPLOAD_KEEP_DAYS ago, and of jobs still waiting
    for their columns that long after the upload (they end, saying so). Queued and running jobs
    keep theirs, however old. The rows keep their summary and report."""
    now = now or timezone.now()
    days = settings.IMPORT_UPLOAD_KEEP_DAYS
    cutoff = now - datetime.timedelta(days=days)
    Status = ImportJob.Status
    waiting = ImportJob.objects.filter(status=Status.MAPPING, created_at__lt=cutoff, file_purged_at=None)
    abandoned = [
        job.pk
        for job in waiting.only("pk")
        # Ended first, by a conditional update: an operator saving its columns at this moment
        # finds it no longer waiting (map_columns_and_queue), not a file gone under it.
        if ImportJob.objects.filter(pk=job.pk, status=Status.MAPPING).update(
            status=Status.FAILED, summary=ABANDONED.format(days=days), finished_at=now
        )
    ]
    ended = ImportJob.objects.filter(
        Q(status__in=[Status.DONE, Status.FAILED], finished_at__lt=cutoff) | Q(pk__in=abandoned),
        file_purged_at=None,
    )
    removed = purge_files(ended.only("pk", "stored_path"), now=now, paths=lambda job: [job.stored_path])
    return f"Удалено по сроку хранения загруженных файлов: {removed}." if removed else ""


def purge_expired_files(*, now: datetime.datetime | None = None) -> str:
    """One round of the keeping times: every kind of file; what was deleted, in sentences."""
    now = now or timezone.now()
    said = [purge_old_uploads(now=now), *(task(now=now) for task in RETENTION_TASKS)]
    done = " ".join(sentence for sentence in said if sentence)
    if done:
        # The operator's record that personal data were destroyed, and when.
        log.info("files purged: %s", done, extra={"job": "billing"})
    return done


def run_queued_imports() -> int:
    """Run every queued import job; the number run. The worker's one call into billing."""
    count = 0
    while (job := claim_import_job()) is not None:
        run_import_job(job)
        count += 1
    return count


class _JobProgress:
    """Writes a job's progress about once a second through a connection of its own: the import
    runs in one long transaction, whose writes the back-office could not see until it ends.
    SQLite allows one writer at a time, so there the progress shows only at the end."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.rows = 0
        self.written_at = 0.0
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS) if _live_progress() else None

    def __call__(self, rows: int, share: float) -> None:
        self.rows = rows
        now = time.monotonic()
        if self.connection is None or now - self.written_at < _PROGRESS_SECONDS:
            return
        self.written_at = now
        done = min(int(share * self.job.bytes_total), self.job.bytes_total)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE billing_importjob SET rows_done = %s, bytes_done = %s WHERE id = %s",
                [rows, done, self.job.pk],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _live_progress() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"
