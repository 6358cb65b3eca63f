"""The meters file from the billing system: create or update meters by account and serial number.

Read by billing's readers and reported as billing reports every file (kabinet.billing.imports:
a row is a record of its own, records.py); the kind «Приборы учёта» is registered from
MetersConfig.ready, so that billing, below meters, never imports it. The layout is in
docs/billing-formats.md.
"""

import functools
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from kabinet.billing.imports import records
from kabinet.billing.imports.fields import FieldError
from kabinet.billing.imports.read import Progress, Row
from kabinet.billing.imports.registry import ImportKind
from kabinet.billing.imports.report import ImportReport
from kabinet.billing.models import Account
from kabinet.core import normalize

from .models import Meter, Resource
from .parsing import parse_reading
from .services import building_for

COLUMNS = (
    "account_number",
    "serial_number",
    "service",
    "tariffs",
    "place",
    "digits_before",
    "digits_after",
    "installed_on",
    "next_check_date",
    "initial_value",
    "initial_value_t2",
    "initial_value_t3",
)
SERVICE_NAMES = {
    "хвс": Resource.COLD_WATER,
    "холодная вода": Resource.COLD_WATER,
    "гвс": Resource.HOT_WATER,
    "горячая вода": Resource.HOT_WATER,
    "ээ": Resource.ELECTRICITY,
    "электроэнергия": Resource.ELECTRICITY,
    "электричество": Resource.ELECTRICITY,
    "электрическая энергия": Resource.ELECTRICITY,  # as ГИС ЖКХ names it
    "отопление": Resource.HEATING,
    "тепловая энергия": Resource.HEATING,
    "газ": Resource.GAS,
    **{s.value: s for s in Resource},
}


def import_file(
    *,
    path: Path,
    skip_bad: bool = False,
    progress: Progress | None = None,
    keep: Collection[str] = (),
    file_name: str = "",
) -> ImportReport:
    """The meters file at `path`; a bad row changes nothing unless `skip_bad`. A meter already
    known keeps its values of the columns in `keep` (those a foreign layout has not)."""
    return records.import_records(
        path=path,
        columns=COLUMNS,
        run=functools.partial(import_meters, keep=frozenset(keep)),
        skip_bad=skip_bad,
        progress=progress,
        file_name=file_name,
    )


KIND = ImportKind(title="Приборы учёта", columns=COLUMNS, run=import_file, keeps=True)


def import_meters(*, rows: Iterable[Row], keep: Collection[str] = frozenset()) -> ImportReport:
    """Create or update meters by (account, serial number) from a meters file (docs/billing-formats.md).

    Bad rows are reported with their line and skipped; one transaction for the file.
    """
    report = ImportReport()
    seen: dict[tuple[str, str], int] = {}
    accounts: dict[str, Account | None] = {}
    with transaction.atomic():
        for row in rows:
            if row.problem:
                report.errors.append((row.line, row.problem))
                continue
            fields, reasons = parse_meter(row.values)
            account = _account(fields.pop("account_number", None), accounts, reasons)
            key = (str(account.pk if account else ""), str(fields.get("serial_number", "")))
            if account is not None and key in seen:
                reasons.insert(0, f"прибор {key[1]} этого счёта уже встречался в строке {seen[key]}")
            if reasons:
                report.errors.append((row.line, "; ".join(reasons)))
                continue
            seen[key] = row.line
            _save_meter(account, fields, report, keep=keep)
    return report


def _account(number: object, cache: dict[str, Account | None], reasons: list[str]) -> Account | None:
    if not number:
        return None
    if number not in cache:
        cache[number] = Account.objects.filter(number=number).first()
    if cache[number] is None:
        reasons.append(f"лицевой счёт {number} не найден: сначала загрузите лицевые счета")
    return cache[number]


def _save_meter(account: Account, fields: dict, report: ImportReport, *, keep: Collection[str]) -> None:
    meter = Meter.objects.filter(account=account, serial_number=fields["serial_number"]).first()
    if meter is None:
        Meter.objects.create(account=account, building=building_for(account), **fields)
        report.created += 1
        return
    changed = [name for name, value in fields.items() if name not in keep and getattr(meter, name) != value]
    if meter.building_id is None:
        meter.building = building_for(account)
        changed.append("building")
    if not changed:
        report.unchanged += 1
        return
    for name in changed:
        if name != "building":
            setattr(meter, name, fields[name])
    meter.save(update_fields=[*changed, "updated_at"])
    report.updated += 1


def _date(text: str, label: str, *, required: bool = False) -> date | None:
    value = text.strip()
    if not value:
        if required:
            raise FieldError(f"не указана {label}")
        return None
    for layout in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, layout).date()
        except ValueError:
            continue
    raise FieldError(f"{label} «{value[:20]}» не распознана: нужна дата вида 31.12.2027")


def _whole(text: str, label: str, low: int, high: int, default: int) -> int:
    value = text.strip()
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise FieldError(f"{label} «{value[:20]}»: нужно целое число от {low} до {high}")
    return int(value)


def _service(text: str) -> str:
    value = " ".join(text.lower().split())
    if not value:
        raise FieldError("не указана услуга")
    if value not in SERVICE_NAMES:
        raise FieldError(
            f"услуга «{text.strip()[:30]}» неизвестна: нужна ХВС, ГВС, электроэнергия, отопление или газ"
        )
    return SERVICE_NAMES[value]


def _initial(text: str, fields: Mapping[str, object], label: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return parse_reading(
            text, digits_before=int(fields["digits_before"]), digits_after=int(fields["digits_after"])
        )
    except FieldError as exc:
        raise FieldError(
            f"{label} «{text.strip()[:20]}»: {str(exc)[0].lower()}{str(exc)[1:].rstrip('.')}"
        ) from None


def parse_meter(values: Mapping[str, str]) -> tuple[dict[str, object], list[str]]:
    """The model fields of a meters row (and its account number), and what is wrong with it."""
    fields: dict[str, object] = {}
    reasons: list[str] = []
    steps: list[tuple[str, Callable[[], object]]] = [
        ("account_number", lambda: _account_number(values.get("account_number", ""))),
        ("serial_number", lambda: _required(values, "serial_number", "не указан заводской номер")[:40]),
        ("service", lambda: _service(values.get("service", ""))),
        ("tariffs", lambda: _whole(values.get("tariffs", ""), "число тарифов", 1, 3, 1)),
        ("place", lambda: " ".join(values.get("place", "").split())[:100]),
        ("digits_before", lambda: _whole(values.get("digits_before", ""), "знаков до запятой", 1, 9, 5)),
        ("digits_after", lambda: _whole(values.get("digits_after", ""), "знаков после запятой", 0, 3, 3)),
        ("installed_on", lambda: _date(values.get("installed_on", ""), "дата установки")),
        ("next_check_date", lambda: _date(values.get("next_check_date", ""), "дата поверки")),
    ]
    for name, parse in steps:
        try:
            fields[name] = parse()
        except FieldError as exc:
            reasons.append(str(exc))
    if fields.get("tariffs", 1) != 1 and fields.get("service") != Resource.ELECTRICITY:
        reasons.append("несколько тарифов бывает только у счётчика электроэнергии")
    if reasons:
        return fields, reasons
    for name, label in (
        ("initial_value", "начальное показание"),
        ("initial_value_t2", "начальное показание Т2"),
        ("initial_value_t3", "начальное показание Т3"),
    ):
        try:
            fields[name] = _initial(values.get(name, ""), fields, label)
        except FieldError as exc:
            reasons.append(str(exc))
    if fields.get("initial_value") is None:
        fields["initial_value"] = Decimal(0)
    return fields, reasons


def _required(values: Mapping[str, str], column: str, missing: str) -> str:
    value = "".join(values.get(column, "").split()).upper()
    if not value:
        raise FieldError(missing)
    return value


def _account_number(text: str) -> str:
    number = normalize.account_number(text)
    if not number:
        raise FieldError("не указан номер лицевого счёта")
    return number
