"""The accounts file: create or update accounts (лицевые счета) by number.

A row is a record of its own (records.py): running the same file twice changes nothing the
second time, and an account the file does not mention is left as it is. The layout is in
docs/billing-formats.md.
"""

import functools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ..models import Account
from . import fields, records
from .fields import FieldError
from .read import Progress, Row
from .report import ImportReport

COLUMNS = ("account_number", "full_name", "address", "area", "phone", "email")
BATCH_SIZE = 500
_FIELDS = ("holder_name", "address", "area", "phone", "email")
_NUMBER_HINT = ": допустимы цифры, буквы, «-» и «/», не больше 30 знаков"


def _limit(name: str) -> int:
    return Account._meta.get_field(name).max_length


def _number(text: str) -> str:
    return fields.parse_account_number(text, hint=_NUMBER_HINT)


def _holder_name(text: str) -> str:
    return fields.parse_text(text, label="ФИО", limit=_limit("holder_name"), missing="не указаны ФИО")


def _address(text: str) -> str:
    return fields.parse_text(text, label="адрес", limit=_limit("address"), missing="не указан адрес")


def _email(text: str) -> str:
    return fields.parse_email(text, limit=_limit("email"))


_PARSERS: dict[str, tuple[str, Callable[[str], object]]] = {
    "number": ("account_number", _number),
    "holder_name": ("full_name", _holder_name),
    "address": ("address", _address),
    "area": ("area", fields.parse_area),
    "phone": ("phone", fields.parse_phone),
    "email": ("email", _email),
}


def import_file(
    *,
    path: Path,
    skip_bad: bool = False,
    progress: Progress | None = None,
    keep: Collection[str] = (),
    file_name: str = "",
) -> ImportReport:
    """The accounts file at `path`; a bad row changes nothing unless `skip_bad`. An account
    already known keeps its values of the columns in `keep` (those a foreign layout has not:
    a phone it does not export is not a phone removed)."""
    fields = tuple(name for name in _FIELDS if _PARSERS[name][0] not in keep)
    return records.import_records(
        path=path,
        columns=COLUMNS,
        run=functools.partial(import_accounts, fields=fields),
        skip_bad=skip_bad,
        progress=progress,
        file_name=file_name,
    )


def import_accounts(
    *, rows: Iterable[Row], batch_size: int = BATCH_SIZE, fields: Sequence[str] = _FIELDS
) -> ImportReport:
    """Create or update accounts by number from the rows of an accounts file.

    Bad rows are reported and skipped, the good ones are imported all the same; an account the
    file does not mention is left as it is. One transaction: a file that turns out to be
    unreadable halfway leaves the accounts as they were.
    """
    report = ImportReport()
    first_lines: dict[str, int] = {}
    batch: list[Account] = []
    with transaction.atomic():
        for row in rows:
            account = _account_from_row(row, first_lines=first_lines, report=report)
            if account is not None:
                batch.append(account)
            if len(batch) >= batch_size:
                _save_accounts(batch, report, fields)
                batch = []
        _save_accounts(batch, report, fields)
    return report


def parse_account(values: Mapping[str, str]) -> tuple[dict[str, object], list[str]]:
    """The model fields of an accounts row, and the reasons the row is bad (empty if it isn't)."""
    parsed: dict[str, object] = {}
    reasons: list[str] = []
    for name, (column, parse) in _PARSERS.items():
        try:
            parsed[name] = parse(values.get(column, ""))
        except FieldError as exc:
            reasons.append(str(exc))
    return parsed, reasons


def _account_from_row(row: Row, *, first_lines: dict[str, int], report: ImportReport) -> Account | None:
    if row.problem:
        report.errors.append((row.line, row.problem))
        return None
    parsed, reasons = parse_account(row.values)
    number = parsed.get("number")
    if isinstance(number, str):
        first_line = first_lines.setdefault(number, row.line)
        if first_line != row.line:
            reasons.insert(0, f"лицевой счёт {number} уже встречался в строке {first_line}")
    if reasons:
        report.errors.append((row.line, "; ".join(reasons)))
        return None
    return Account(**parsed)


def _save_accounts(accounts: list[Account], report: ImportReport, fields: Sequence[str]) -> None:
    existing = Account.objects.in_bulk([a.number for a in accounts], field_name="number")
    new: list[Account] = []
    changed: list[Account] = []
    for account in accounts:
        current = existing.get(account.number)
        if current is None:
            new.append(account)
        elif _copy_changes(source=account, target=current, fields=fields):
            changed.append(current)
        else:
            report.unchanged += 1
    Account.objects.bulk_create(new)
    now = timezone.now()
    for account in changed:
        account.updated_at = now  # bulk_update does not apply auto_now
    Account.objects.bulk_update(changed, [*fields, "updated_at"])
    report.created += len(new)
    report.updated += len(changed)


def _copy_changes(*, source: Account, target: Account, fields: Sequence[str]) -> bool:
    changed = False
    for name in fields:
        if getattr(target, name) != getattr(source, name):
            setattr(target, name, getattr(source, name))
            changed = True
    return changed
