"""The meters file ГИС ЖКХ gives back: the number it gave each meter.

The meters template (11.10.0.3 in public producers' code, docs/gis-zhkh.md), sheet «Сведения о
ПУ», data from row 2: A the serial number, I the account (its number, ЕЛС or ИЖКУ), O the
resource, AD «Номер прибора учета в ГИС ЖКХ» filled by ГИС, AE the processing status. A meter
is found by its account and serial number; its ГИС number is stored (`Meter.gis_number`), and
its readings then go to ГИС under it (readings.py).
"""

from pathlib import Path

from django.db import transaction
from django.db.models import Q

from kabinet.billing.imports.read import Progress
from kabinet.billing.imports.registry import ImportKind
from kabinet.billing.imports.report import ImportReport
from kabinet.billing.models import Account
from kabinet.core import normalize
from kabinet.meters.models import Meter

from .workbook import Column, Sheet, data_rows, find_sheet, open_workbook

TEMPLATE = "файл приборов учёта из ГИС ЖКХ"
METERS = Sheet(
    "Сведения о ПУ",
    data_row=2,
    columns=(
        Column("A", "Заводской (серийный) номер ПУ"),
        Column("I", "Номер лицевого счета/Единый лицевой счет/Идентификатор ЖКУ"),
        Column("AD", "Номер прибора учета в ГИС ЖКХ"),
        Column("AE", "Статус обработки"),
    ),
)
GIS_NUMBER_MAX = Meter._meta.get_field("gis_number").max_length
PROGRESS_EVERY = 500


def import_file(
    *, path: Path, skip_bad: bool = False, progress: Progress | None = None, file_name: str = ""
) -> ImportReport:
    """Store the ГИС number of each meter the file names. Raises ImportFileError for a file
    that is not ГИС's meters file (nothing changes then)."""
    workbook = open_workbook(path, file_name=file_name)
    try:
        find_sheet(workbook, [METERS], template=TEMPLATE)
        ws = workbook[METERS.name]
        total = ws.max_row or 0
        report = ImportReport()
        with transaction.atomic():
            for count, (line, values) in enumerate(data_rows(ws, METERS), start=1):
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(count, min(line / total, 1.0) if total else 0.0)
                outcome = _import_row(values)
                if outcome == "updated":
                    report.updated += 1
                elif outcome == "unchanged":
                    report.unchanged += 1
                else:
                    report.errors.append((line, outcome))
            if report.errors and not skip_bad:
                transaction.set_rollback(True)
                report.applied = False
        return report
    finally:
        workbook.close()


def _import_row(values: dict[str, str]) -> str:
    serial = values["A"].strip()
    said = values["I"].strip()
    gis_number = values["AD"].strip()
    if not serial:
        return "не указан заводской номер прибора"
    if not gis_number:
        status = f" ({values['AE']})" if values["AE"] else ""
        return f"у прибора № {serial} нет номера в ГИС ЖКХ{status}"
    if len(gis_number) > GIS_NUMBER_MAX:
        return f"номер в ГИС ЖКХ «{gis_number}» длиннее {GIS_NUMBER_MAX} знаков"
    if not said:
        return f"у прибора № {serial} не указан лицевой счёт (общедомовые приборы Кабинет не ведёт)"
    accounts = _accounts(said)
    if not accounts:
        return f"лицевой счёт «{said}» не найден ни по номеру, ни по ЕЛС, ни по идентификатору ЖКУ"
    meter = Meter.objects.filter(account__in=accounts, serial_number=serial).first()
    if meter is None:
        return f"у лицевого счёта {accounts[0].number} нет прибора № {serial}"
    if Meter.objects.filter(gis_number=gis_number).exclude(pk=meter.pk).exists():
        return f"номер в ГИС ЖКХ {gis_number} уже записан у другого прибора"
    if meter.gis_number == gis_number:
        return "unchanged"
    meter.gis_number = gis_number
    meter.save(update_fields=["gis_number", "updated_at"])
    return "updated"


def _accounts(said: str) -> list[Account]:
    """The accounts a cell names: by number, by ЕЛС (several accounts may share one) or by ИЖКУ."""
    upper = said.upper().replace(" ", "")
    found = Account.objects.filter(
        Q(number=normalize.account_number(said)) | Q(unified_number=upper) | Q(service_id=upper)
    )
    return list(found.exclude(number="").order_by("number")[:5])


KIND = ImportKind("ГИС ЖКХ: номера приборов учёта", ("Заводской номер", "Номер в ГИС ЖКХ"), import_file)
