"""The exchange's actions: the two exports, each with its audit entry, and their jobs (asked
for in the back-office, written by the billing worker). (The two imports are billing import
kinds: accounts.py, meters.py.)"""

import logging
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from kabinet.audit import services as audit
from kabinet.audit.models import AuditEntry
from kabinet.billing.imports.jobs import worker_lease
from kabinet.core.keptfiles import purge_files
from kabinet.core.queues import claim_oldest

from . import payment_documents, readings
from .models import GisExport

logger = logging.getLogger(__name__)

KINDS = {"payment-documents": "платёжные документы", "readings": "показания приборов учёта"}


def export_payment_documents(
    *, period: date, target, actor=None, ip: str | None = None
) -> payment_documents.Written:
    """The month's payment documents in ГИС ЖКХ's template, written to `target`."""
    written = payment_documents.write(period, target)
    audit.record(
        action=AuditEntry.Action.EXPORT,
        actor=actor,
        ip=ip,
        target=f"ГИС ЖКХ: платёжные документы за {period:%m.%Y}",
        details={
            "documents": written.documents,
            "lines": written.lines,
            "penalties": written.penalties,
            "without_service_id": written.without_service_id,
            "template": payment_documents.TEMPLATE_VERSION,
        },
    )
    return written


def export_readings(*, period: date, target, actor=None, ip: str | None = None) -> readings.Written:
    """The month's readings in ГИС ЖКХ's readings template, written to `target`."""
    written = readings.write(period, target)
    audit.record(
        action=AuditEntry.Action.EXPORT,
        actor=actor,
        ip=ip,
        target=f"ГИС ЖКХ: показания за {period:%m.%Y}",
        details={
            "readings": written.rows,
            "without_number": written.without_number,
            "template": readings.TEMPLATE_VERSION,
        },
    )
    return written


def queue_export(*, kind: str, period: date, actor) -> GisExport:
    """Ask the billing worker for a file (`run_queued_exports`): a company's month is minutes of
    writing, which a back-office request must not wait for."""
    return GisExport.objects.create(kind=kind, period=period, created_by=actor)


def run_queued_exports() -> str:
    """The billing worker's task: write every queued export; a sentence naming what was written.
    (A worker killed mid-file left a half-written file nobody links to: it is written again.)"""
    names = []
    # The billing worker writes the exports: its lease is theirs.
    while (export := claim_oldest(GisExport, lease=worker_lease())) is not None:
        _write(export)
        names.append(export.file_name)
    return f"Выгрузки для ГИС ЖКХ: {', '.join(names)}." if names else ""


def _path(export: GisExport) -> Path:
    return Path(settings.BILLING_IMPORT_DIR) / "gis" / f"{export.pk}-{export.file_name}"


def _write(export: GisExport) -> None:
    path = _path(export)  # outside the web root, as uploads
    path.parent.mkdir(parents=True, exist_ok=True)
    write = export_payment_documents if export.kind == "payment-documents" else export_readings
    try:
        written = write(period=export.period, target=path, actor=export.created_by)
    except Exception:  # the operator is told on the page; the traceback goes to the log
        logger.exception("ГИС ЖКХ export %s failed", export.pk)
        export.status = GisExport.Status.FAILED
        export.summary = (
            "Файл не удалось подготовить: ошибка на сервере. Закажите его ещё раз; если ошибка "
            "повторится, сообщите администратору."
        )
    else:
        export.status = GisExport.Status.DONE
        export.stored_path = str(path)
        export.summary = written.summary(export.period)
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "stored_path", "summary", "finished_at"])


def purge_old_exports(*, now: datetime | None = None) -> str:
    """Delete the files written EXPORT_KEEP_DAYS ago (152-ФЗ ст. 5 ч. 7: a file of the month's
    documents or readings, with residents' ФИО and addresses, has served its purpose once sent to
    ГИС ЖКХ; a fresh one can be asked for at any time). The row keeps its summary and says that
    the file was deleted. A failed export's half-written file goes the same way; queued and
    running ones are their worker's."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EXPORT_KEEP_DAYS)
    ended = GisExport.objects.filter(
        status__in=[GisExport.Status.DONE, GisExport.Status.FAILED],
        finished_at__lt=cutoff,
        file_purged_at=None,
    )
    # A failed export may have left its half-written file where it was being written.
    removed = purge_files(ended, now=now, paths=lambda export: {export.stored_path, str(_path(export))})
    return f"Удалено по сроку хранения выгрузок для ГИС ЖКХ: {removed}." if removed else ""
