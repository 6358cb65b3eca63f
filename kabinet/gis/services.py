"""The exchange's actions: the two exports, each with its audit entry. (The two imports are
billing import kinds: accounts.py, meters.py.)"""

from datetime import date

from kabinet.audit import services as audit
from kabinet.audit.models import AuditEntry

from . import payment_documents, readings

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
