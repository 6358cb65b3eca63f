"""Billing actions: imports from the billing system (система начислений).

Each import takes the rows of a file (see `imports.read_table`), checks every row, reports the
bad ones with their line numbers and writes the good ones, so that running the same file twice
changes nothing the second time. The layouts are in docs/billing-formats.md.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from kabinet.core import normalize
from kabinet.meters.parsing import METER_COLUMNS
from kabinet.meters.services import import_meters

from . import imports
from .imports import Row
from .models import Account

BATCH_SIZE = 500
ACCOUNT_COLUMNS = ("account_number", "full_name", "address", "area", "phone", "email")
_ACCOUNT_FIELDS = ("holder_name", "address", "area", "phone", "email")
_AREA_RE = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
_AREA_LIMIT = Decimal(10) ** 7  # max_digits=9 with 2 decimal places
_CENT = Decimal("0.01")


class FieldError(ValueError):
    """A value in a row can't be imported; the message is the reason, in Russian."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"добавлено {self.created}, обновлено {self.updated}, "
            f"без изменений {self.unchanged}, ошибок {len(self.errors)}."
        )


@dataclass(frozen=True)
class ImportKind:
    """One kind of billing file: what the operator calls it, its columns, the import to run."""

    title: str
    columns: tuple[str, ...]
    run: Callable[..., ImportReport]


def import_file(*, kind: str, path: Path) -> ImportReport:
    """Import a billing file of the given kind. Raises `imports.ImportFileError` if the file
    can't be used at all (then nothing is written)."""
    spec = IMPORT_KINDS[kind]
    with imports.read_table(path, columns=spec.columns) as rows:
        return spec.run(rows=rows)


def import_accounts(*, rows: Iterable[Row], batch_size: int = BATCH_SIZE) -> ImportReport:
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
                _save_accounts(batch, report)
                batch = []
        _save_accounts(batch, report)
    return report


def parse_account(values: Mapping[str, str]) -> tuple[dict[str, object], list[str]]:
    """The model fields of an accounts row, and the reasons the row is bad (empty if it isn't)."""
    fields: dict[str, object] = {}
    reasons: list[str] = []
    for name, (column, parse) in _ACCOUNT_PARSERS.items():
        try:
            fields[name] = parse(values.get(column, ""))
        except FieldError as exc:
            reasons.append(str(exc))
    return fields, reasons


def _account_from_row(row: Row, *, first_lines: dict[str, int], report: ImportReport) -> Account | None:
    if row.problem:
        report.errors.append((row.line, row.problem))
        return None
    fields, reasons = parse_account(row.values)
    number = fields.get("number")
    if isinstance(number, str):
        first_line = first_lines.setdefault(number, row.line)
        if first_line != row.line:
            reasons.insert(0, f"лицевой счёт {number} уже встречался в строке {first_line}")
    if reasons:
        report.errors.append((row.line, "; ".join(reasons)))
        return None
    return Account(**fields)


def _save_accounts(accounts: list[Account], report: ImportReport) -> None:
    existing = Account.objects.in_bulk([a.number for a in accounts], field_name="number")
    new: list[Account] = []
    changed: list[Account] = []
    for account in accounts:
        current = existing.get(account.number)
        if current is None:
            new.append(account)
        elif _copy_changes(source=account, target=current):
            changed.append(current)
        else:
            report.unchanged += 1
    Account.objects.bulk_create(new)
    now = timezone.now()
    for account in changed:
        account.updated_at = now  # bulk_update does not apply auto_now
    Account.objects.bulk_update(changed, [*_ACCOUNT_FIELDS, "updated_at"])
    report.created += len(new)
    report.updated += len(changed)


def _copy_changes(*, source: Account, target: Account) -> bool:
    changed = False
    for name in _ACCOUNT_FIELDS:
        if getattr(target, name) != getattr(source, name):
            setattr(target, name, getattr(source, name))
            changed = True
    return changed


# --- Values ----------------------------------------------------------------------------------


def _parse_number(text: str) -> str:
    number = normalize.account_number(text)
    if not number:
        raise FieldError("не указан номер лицевого счёта")
    if not normalize.is_valid_account_number(number):
        raise FieldError(
            f"номер лицевого счёта {_shown(text)} указан с ошибкой: допустимы цифры, буквы, «-» и «/», "
            "не больше 30 знаков"
        )
    return number


def _parse_holder_name(text: str) -> str:
    return _parse_text(text, field="holder_name", label="ФИО", missing="не указаны ФИО")


def _parse_address(text: str) -> str:
    return _parse_text(text, field="address", label="адрес", missing="не указан адрес")


def _parse_text(text: str, *, field: str, label: str, missing: str) -> str:
    value = normalize.clean_text(text)
    if not value:
        raise FieldError(missing)
    if _has_control_characters(value):
        raise FieldError(f"{label} {_shown(text)} содержит недопустимые (управляющие) символы")
    limit = Account._meta.get_field(field).max_length
    if len(value) > limit:
        raise FieldError(f"{label} длиннее {limit} знаков")
    return value


def _parse_area(text: str) -> Decimal | None:
    value = re.sub(r"\s", "", text)  # 1C may write «1 234,5» with a no-break space
    if not value:
        return None
    if not _AREA_RE.fullmatch(value):
        raise FieldError(f"площадь {_shown(text)} — не число: нужно неотрицательное число, например 54,3")
    area = Decimal(value.replace(",", "."))
    if area < 0:
        raise FieldError(f"площадь {_shown(text)} отрицательная")
    if area >= _AREA_LIMIT:
        raise FieldError(f"площадь {_shown(text)} слишком велика")
    if area.quantize(_CENT) != area:
        raise FieldError(f"площадь {_shown(text)}: не больше двух знаков после запятой")
    return area.quantize(_CENT)


def _parse_phone(text: str) -> str:
    if not text.strip():
        return ""
    try:
        return normalize.phone_e164(text, mobile_only=False)
    except normalize.InvalidPhone:
        raise FieldError(
            f"телефон {_shown(text)} не распознан: нужен один номер, "
            "например +7 912 345-67-89 или 8-912-345-67-89"
        ) from None


def _parse_email(text: str) -> str:
    value = text.strip()
    if not value:
        return ""
    if not _is_email(value):
        raise FieldError(f"e-mail {_shown(text)} указан с ошибкой")
    return value


def _is_email(value: str) -> bool:
    if len(value) > Account._meta.get_field("email").max_length or _has_control_characters(value):
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _has_control_characters(value: str) -> bool:
    # NUL is refused by PostgreSQL, the rest would only hide in the back-office.
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def _shown(text: str, limit: int = 40) -> str:
    """A value quoted for the error report: printable and not too long."""
    value = normalize.clean_text("".join(ch if ch.isprintable() else " " for ch in text))
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"«{value}»"


_ACCOUNT_PARSERS: dict[str, tuple[str, Callable[[str], object]]] = {
    "number": ("account_number", _parse_number),
    "holder_name": ("full_name", _parse_holder_name),
    "address": ("address", _parse_address),
    "area": ("area", _parse_area),
    "phone": ("phone", _parse_phone),
    "email": ("email", _parse_email),
}

IMPORT_KINDS: dict[str, ImportKind] = {
    "accounts": ImportKind(title="Лицевые счета", columns=ACCOUNT_COLUMNS, run=import_accounts),
    "meters": ImportKind(title="Приборы учёта", columns=METER_COLUMNS, run=import_meters),
}
