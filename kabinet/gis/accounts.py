"""The accounts file ГИС ЖКХ gives back: the ЕЛС and the ИЖКУ of each account.

ГИС returns them in two layouts (docs/gis-zhkh.md): the export «Шаблон экспорта ЕЛС» (data
from row 2: A account number, B ЕЛС, C ИЖКУ, D premises, E address) and the accounts template
after its import, sheet «Основные сведения» (data from row 3: B account number, C ИЖКУ, V ЕЛС,
W the processing status). Either is taken; each row sets the two identifiers of one account.
A bad row (an unknown account, an ЕЛС not of 10 characters, an ИЖКУ that is not the ЕЛС, «-»
and two digits) changes nothing unless bad rows are to be skipped.
"""

from pathlib import Path

from django.db import transaction

from kabinet.billing.identifiers import check_service_id, check_unified_number
from kabinet.billing.imports.read import Progress
from kabinet.billing.imports.registry import ImportKind
from kabinet.billing.imports.report import ImportReport
from kabinet.billing.models import UNIFIED_NUMBER_LENGTH, Account
from kabinet.core import normalize

from .workbook import Column, Sheet, data_rows, find_sheet, open_workbook

TEMPLATE = "файл лицевых счетов из ГИС ЖКХ"
ELS_EXPORT = Sheet(
    "Шаблон экспорта ЕЛС",
    data_row=2,
    columns=(Column("A", "Номер ЛС"), Column("B", "ЕЛС"), Column("C", "Идентификатор ЖКУ")),
)
MAIN_DETAILS = Sheet(
    "Основные сведения",
    data_row=3,
    columns=(
        Column("B", "Номер ЛС"),
        Column("C", "Идентификатор ЖКУ"),
        Column("V", "Единый лицевой счет"),
        Column("W", "Статус обработки"),
    ),
)
# Where each value is on either sheet.
_PLACES = {
    ELS_EXPORT.name: {"number": "A", "unified": "B", "service": "C", "status": None},
    MAIN_DETAILS.name: {"number": "B", "unified": "V", "service": "C", "status": "W"},
}
PROGRESS_EVERY = 500


def import_file(
    *, path: Path, skip_bad: bool = False, progress: Progress | None = None, file_name: str = ""
) -> ImportReport:
    """Store the ЕЛС and ИЖКУ of each account the file names. Raises ImportFileError for a
    file that is not one of ГИС's accounts files (nothing changes then)."""
    workbook = open_workbook(path, file_name=file_name)
    try:
        sheet = find_sheet(workbook, [ELS_EXPORT, MAIN_DETAILS], template=TEMPLATE)
        ws = workbook[sheet.name]
        total = ws.max_row or 0
        report = ImportReport()
        with transaction.atomic():
            _import_rows(ws, sheet, report, progress=progress, total=total)
            if report.errors and not skip_bad:
                transaction.set_rollback(True)
                report.applied = False
        return report
    finally:
        workbook.close()


def _import_rows(ws, sheet: Sheet, report: ImportReport, *, progress: Progress | None, total: int) -> None:
    places = _PLACES[sheet.name]
    seen: dict[str, int] = {}
    for count, (line, values) in enumerate(data_rows(ws, sheet), start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, min(line / total, 1.0) if total else 0.0)
        reason = _import_row(line, values, places, seen)
        if reason == "updated":
            report.updated += 1
        elif reason == "unchanged":
            report.unchanged += 1
        else:
            report.errors.append((line, reason))


def _import_row(line: int, values: dict[str, str], places: dict, seen: dict[str, int]) -> str:
    """Apply one row: «updated», «unchanged», or the reason the row is bad."""
    number = normalize.account_number(values[places["number"]])
    if not number:
        return "не указан номер лицевого счёта"
    if number in seen:
        return f"лицевой счёт {number} уже встречался в строке {seen[number]}"
    seen[number] = line
    status = values[places["status"]] if places["status"] else ""
    if not values[places["unified"]] and not values[places["service"]]:
        said = f": {status}" if status else ""
        return f"у лицевого счёта {number} нет ЕЛС и идентификатора ЖКУ (ГИС ЖКХ не присвоила их{said})"
    try:
        unified = check_unified_number(values[places["unified"]]) if values[places["unified"]] else ""
        service = (
            check_service_id(values[places["service"]], unified_number=unified)
            if values[places["service"]]
            else ""
        )
    except ValueError as exc:
        return str(exc)
    unified = unified or service[:UNIFIED_NUMBER_LENGTH]
    account = Account.objects.filter(number=number).first()
    if account is None:
        return f"лицевой счёт {number} не найден в данных начислений"
    if service and Account.objects.filter(service_id=service).exclude(pk=account.pk).exists():
        return f"идентификатор ЖКУ {service} уже записан у другого лицевого счёта"
    if account.unified_number == unified and account.service_id == service:
        return "unchanged"
    account.unified_number, account.service_id = unified, service
    account.save(update_fields=["unified_number", "service_id", "updated_at"])
    return "updated"


KIND = ImportKind("ГИС ЖКХ: ЕЛС и идентификаторы ЖКУ", ("Номер ЛС", "ЕЛС", "Идентификатор ЖКУ"), import_file)
