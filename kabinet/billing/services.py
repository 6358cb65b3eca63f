"""Billing actions: imports from the billing system (система начислений).

Each import takes the rows of a file (see `imports.read_table`), checks every row, reports the
bad ones with their line numbers and writes the good ones, so that running the same file twice
changes nothing the second time. The layouts are in docs/billing-formats.md.
"""

import datetime
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone

from kabinet.core import normalize
from kabinet.core.models import User
from kabinet.meters.parsing import METER_COLUMNS
from kabinet.meters.services import import_meters

from . import balances, imports, parsing, partitions, rawcopy, staging
from .imports import Row
from .models import Account, ImportJob, Payment, PaymentSource, Service

BATCH_SIZE = 500
PROGRESS_EVERY = 4096  # rows between calls of an import's progress callback
MAX_REPORTED_ERRORS = 10_000  # bad rows listed in a report; the rest are counted
Progress = Callable[[int, float], None]
ACCOUNT_COLUMNS = ("account_number", "full_name", "address", "area", "phone", "email")
_ACCOUNT_FIELDS = ("holder_name", "address", "area", "phone", "email")
_AREA_RE = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
_AREA_LIMIT = Decimal(10) ** 7  # max_digits=9 with 2 decimal places
_CENT = Decimal("0.01")


class FieldError(ValueError):
    """A value in a row can't be imported; the message is the reason, in Russian."""


# What a file with bad rows says when it changed nothing (every kind of file says the same).
NOTHING_CHANGED = (
    "Ничего не изменено: исправьте эти строки и загрузите файл снова "
    "или загрузите его с пропуском строк с ошибками (--skip-bad)."
)


@dataclass
class ImportReport:
    """What an import of records (accounts, meters) did with each row of the file."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    applied: bool = True  # False: the file had bad rows, bad rows were not to be skipped

    @property
    def rows_read(self) -> int:
        """Every data row of the file ends in exactly one of the four counts."""
        return self.created + self.updated + self.unchanged + len(self.errors)

    def summary(self) -> str:
        if not self.applied:
            return f"строк прочитано {self.rows_read}, строк с ошибками {len(self.errors)}. {NOTHING_CHANGED}"
        return (
            f"добавлено {self.created}, обновлено {self.updated}, "
            f"без изменений {self.unchanged}, ошибок {len(self.errors)}."
        )


@dataclass(frozen=True)
class ImportKind:
    """One kind of billing file: what the operator calls it, its columns, the import to run."""

    title: str
    columns: tuple[str, ...]
    run: Callable[..., "ImportReport | PeriodReport"]
    # Accounts and meters are records each row creates or updates on its own; accruals and
    # payments replace whole periods. Either way a file with a bad row changes nothing unless the
    # operator asks to skip bad rows.
    record_by_record: bool = False


def import_file(
    *, kind: str, path: Path, skip_bad: bool = False, progress: Progress | None = None
) -> "ImportReport | PeriodReport":
    """Import a billing file of the given kind. Raises `imports.ImportFileError` if the file
    can't be used at all (then nothing is written).

    `progress(rows_read, share_of_file)` is called now and then while the file is read.
    A file with a bad row changes nothing (every bad row is reported) unless `skip_bad` is set,
    which imports the good rows.
    """
    spec = IMPORT_KINDS[kind]
    if kind == "accruals" and rawcopy.usable(path):
        try:
            return _import_accruals_copied(path=path, skip_bad=skip_bad, progress=progress)
        except rawcopy.Unsuitable:
            pass  # the careful road below reads the file again and says what is wrong with it
    if kind == "accruals":
        parser = parsing.AccrualParser()
        fast = parsing.accrual_fast_path(parser)
        with imports.read_table(path, columns=spec.columns, fast=fast) as rows:
            return import_accruals(rows=rows, skip_bad=skip_bad, progress=progress, parser=parser)
    with imports.read_table(path, columns=spec.columns) as rows:
        if spec.record_by_record:
            return _import_records(spec, rows=_counted(rows, progress), skip_bad=skip_bad)
        return spec.run(rows=rows, skip_bad=skip_bad, progress=progress)


def _import_records(spec: ImportKind, *, rows: Iterator[Row], skip_bad: bool) -> ImportReport:
    """Accounts or meters: the whole file in one transaction, undone when a row is bad and bad
    rows are not to be skipped, so that a file is never half-loaded by surprise."""
    with transaction.atomic():
        report = spec.run(rows=rows)
        if report.errors and not skip_bad:
            transaction.set_rollback(True)
            report.applied = False
    return report


def _counted(rows: imports.Rows, progress: Progress | None) -> Iterator[Row]:
    for count, row in enumerate(rows, start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, rows.progress())
        yield row


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

# --- Accruals and payments ------------------------------------------------------------------


@dataclass
class PeriodReport:
    """What an accruals or payments import did. `applied` is False when bad rows stopped it.

    `errors` keeps the first MAX_REPORTED_ERRORS bad rows (a file of a million bad rows —
    accruals loaded before the accounts — must not fill the memory); `error_count` counts all.
    """

    loaded: int = 0
    replaced: int = 0
    periods: list[datetime.date] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0
    skip_bad: bool = False
    applied: bool = True
    rows_read: int = 0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase, for `-v 2`

    def add_error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append((line, reason))

    def add_found(self, found: list[tuple[int, str]], count: int) -> None:
        self.error_count += count
        self.errors = sorted(self.errors + found)[:MAX_REPORTED_ERRORS]

    @property
    def unlisted(self) -> int:
        """Bad rows beyond those listed."""
        return self.error_count - len(self.errors)

    def summary(self) -> str:
        errors = f"строк с ошибками {self.error_count}"
        if not self.applied:
            return f"{errors}. {NOTHING_CHANGED}"
        months = ", ".join(f"{p:%m.%Y}" for p in self.periods) or "нет"
        skipped = f", пропущено {errors}" if self.errors else ", ошибок нет"
        return f"периоды {months}: загружено строк {self.loaded}, заменено прежних {self.replaced}{skipped}."


def import_accruals(
    *,
    rows: Iterable[Row],
    skip_bad: bool = False,
    progress: Progress | None = None,
    parser: parsing.AccrualParser | None = None,
) -> PeriodReport:
    """Replace the accruals of every period the file names with the file's rows.

    One transaction: the periods are replaced whole or not at all. A bad row stops the import
    (every bad row is reported) unless `skip_bad`, which imports the good rows only.
    """
    parser = parser or parsing.AccrualParser()

    def stage(report: PeriodReport) -> None:
        _stage_rows(rows, parser=parser, layout=staging.ACCRUALS, report=report, progress=progress)

    return _replace_accruals(parser=parser, skip_bad=skip_bad, stage=stage)


def _import_accruals_copied(*, path: Path, skip_bad: bool, progress: Progress | None) -> PeriodReport:
    """`import_accruals` of a CSV file on PostgreSQL without Python's work per row: the file
    is COPYed into a table of its own, which becomes the partition of its months (rawcopy.py,
    partitions.py). Raises `rawcopy.Unsuitable`, having changed nothing, for a file with a row
    that is not plainly good: the careful road then reports every bad row (and with `skip_bad`
    imports the good ones)."""
    report = PeriodReport(skip_bad=skip_bad)
    with partitions.import_lock():
        partitions.drop_abandoned_batches()
        loaded = rawcopy.load_file(path, progress=progress)
        report.timings = loaded.timings
        try:
            with transaction.atomic():
                report.periods = loaded.periods()
                started = time.perf_counter()
                report.replaced = staging.mark_replaced_by_batch(loaded.table, report.periods)
                replaced = time.perf_counter()
                balances.rebuild_balances(
                    since=min(report.periods), batch=loaded.table, batch_periods=report.periods
                )
                report.timings["прежние начисления"] = replaced - started
                report.timings["пересчёт сальдо"] = time.perf_counter() - replaced
                _save_services(loaded.services)
                if loaded.references_unchecked:
                    partitions.check_references(loaded.table, list(loaded.services))
                loaded.keys_built()
                # Last, so that readers of accruals wait for this transaction only as it commits.
                partitions.attach_batch(loaded.table, report.periods)
        except (IntegrityError, partitions.MissingReference):  # an account the books do not know
            loaded.abandon()
            raise rawcopy.Unsuitable from None
        except BaseException:
            loaded.abandon()
            raise
        partitions.drop_sums(loaded.table)
    report.loaded = report.rows_read = loaded.rows
    return report


def _replace_accruals(
    *, parser: parsing.AccrualParser, skip_bad: bool, stage: Callable[[PeriodReport], None]
) -> PeriodReport:
    report = PeriodReport(skip_bad=skip_bad)
    try:
        with transaction.atomic(), staging.staging_table(staging.ACCRUALS):
            stage(report)
            _save_services(parser.services)
            report.periods = sorted(parser.periods)

            _replace(
                report,
                layout=staging.ACCRUALS,
                replace=lambda: staging.replace_accruals(report.periods),
                checks=lambda: [
                    staging.unknown_accounts(staging.ACCRUALS),
                    staging.repeated_accruals(),
                    staging.mismatched_sums(),
                ],
            )
    except _Stopped:
        pass  # the report says why
    return report


def import_payments(
    *, rows: Iterable[Row], skip_bad: bool = False, progress: Progress | None = None
) -> PeriodReport:
    """Replace the billing system's payments of every period the file names with its rows.

    Online payments (source «online») are never touched. Same rules as `import_accruals`.
    """
    parser = parsing.PaymentParser()
    report = PeriodReport(skip_bad=skip_bad)
    try:
        with transaction.atomic(), staging.staging_table(staging.PAYMENTS):
            _stage_rows(rows, parser=parser, layout=staging.PAYMENTS, report=report, progress=progress)
            report.periods = sorted(parser.periods)

            _replace(
                report,
                layout=staging.PAYMENTS,
                replace=lambda: staging.replace_payments(report.periods),
                checks=lambda: [
                    staging.unknown_accounts(staging.PAYMENTS),
                    *staging.repeated_payments(report.periods),
                ],
            )
    except _Stopped:
        pass  # the report says why
    return report


class _RowsMissing(Exception):
    """The INSERT … SELECT wrote fewer rows than were staged: some rows name unknown accounts."""


def _stage_rows(rows, *, parser, layout: staging.Layout, report: PeriodReport, progress) -> None:
    started = time.perf_counter()
    with staging.stage_writer(layout) as writer:
        for row in rows:
            report.rows_read += 1
            if progress is not None and report.rows_read % PROGRESS_EVERY == 0:
                progress(report.rows_read, rows.progress() if isinstance(rows, imports.Rows) else 0.0)
            if row.staged is not None:
                writer.add_plain(row.line, row.staged)
                continue
            if row.problem:
                report.add_error(row.line, row.problem)
                continue
            values, reasons = parser.parse(row.values)
            if reasons:
                report.add_error(row.line, "; ".join(reasons))
            else:
                writer.add(row.line, values)
    report.loaded = writer.count
    report.timings["чтение, проверка и запись во временную таблицу"] = time.perf_counter() - started


def _replace(report: PeriodReport, *, layout: staging.Layout, replace, checks) -> None:
    """Replace the periods in a savepoint; if the database finds rows only the whole file
    shows to be bad, report them, and drop them if asked to, else change nothing."""
    if report.error_count and not report.skip_bad:
        _stop(report, checks())
    if not report.periods:
        return  # no good rows: no period to replace
    started = time.perf_counter()
    try:
        with transaction.atomic():
            report.replaced, inserted = replace()
            if inserted != report.loaded:
                raise _RowsMissing
    except (IntegrityError, _RowsMissing):
        if not report.skip_bad:
            _stop(report, checks())
        report.add_found(*staging.find_problems(checks(), limit=MAX_REPORTED_ERRORS))
        staging.drop_bad_rows(layout)
        report.replaced, report.loaded = replace()
    replaced = time.perf_counter()
    balances.rebuild_balances(since=min(report.periods))
    report.timings["замена периодов"] = replaced - started
    report.timings["пересчёт сальдо"] = time.perf_counter() - replaced


class _Stopped(Exception):
    """Bad rows and no `skip_bad`: leaving the transaction this way rolls it back."""


def _stop(report: PeriodReport, checks: list[staging.Check]) -> None:
    report.add_found(*staging.find_problems(checks, limit=MAX_REPORTED_ERRORS))
    report.applied = False
    report.loaded = report.replaced = 0
    raise _Stopped


def _save_services(services: dict[str, tuple[str, str]]) -> None:
    """Create the services a file names for the first time; keep names up to date."""
    existing = Service.objects.in_bulk(list(services), field_name="code")
    for code, (name, unit) in services.items():
        service = existing.get(code)
        if service is None:
            Service.objects.create(code=code, name=name, unit=unit)
        elif service.name != name:
            service.name = name
            service.save(update_fields=["name"])


@transaction.atomic
def record_payment(
    *,
    account: Account,
    amount: Decimal,
    paid_on: datetime.date,
    source: str = PaymentSource.ONLINE,
    external_id: str = "",
    note: str = "",
    period: datetime.date | None = None,
) -> Payment:
    """Record a payment (e.g. one the payment provider confirmed) and rebuild the account's
    balances. Idempotent by `external_id`: the same provider payment is recorded once.

    Without `period` the payment counts in the account's latest period with accruals up to the
    month of payment (the bill being paid), or in the month of payment if there is none.
    """
    if external_id:
        existing = Payment.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return existing
    if period is None:
        month = paid_on.replace(day=1)
        latest = (
            account.accruals.filter(period__lte=month).order_by("-period").values_list("period", flat=True)
        )
        period = latest.first() or month
    payment = Payment.objects.create(
        account=account,
        amount=amount,
        paid_on=paid_on,
        period=period,
        source=source,
        external_id=external_id,
        note=note,
    )
    balances.rebuild_balances([account.pk], since=period)
    return payment


def rebuild_balances(*, accounts: Iterable[Account]) -> int:
    """Rebuild the per-period balances of the given accounts from their accruals and payments."""
    with transaction.atomic():
        return balances.rebuild_balances([account.pk for account in accounts])


IMPORT_KINDS: dict[str, ImportKind] = {
    "accounts": ImportKind(
        title="Лицевые счета", columns=ACCOUNT_COLUMNS, run=import_accounts, record_by_record=True
    ),
    "accruals": ImportKind(title="Начисления", columns=parsing.ACCRUAL_COLUMNS, run=import_accruals),
    "payments": ImportKind(title="Оплаты", columns=parsing.PAYMENT_COLUMNS, run=import_payments),
    "meters": ImportKind(
        title="Приборы учёта", columns=METER_COLUMNS, run=import_meters, record_by_record=True
    ),
}


# --- Uploads in the back-office ---------------------------------------------------------------

UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx")
_PROGRESS_SECONDS = 1.0


def queue_import(*, job: ImportJob, upload: UploadedFile, user: User | None) -> ImportJob:
    """Keep an uploaded file under BILLING_IMPORT_DIR (outside the web root) and queue its
    import for the worker (`manage.py run_billing_worker`). `job` carries kind and skip_bad."""
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
    job.status = ImportJob.Status.QUEUED
    job.created_by = user
    job.save()
    return job


def claim_import_job() -> ImportJob | None:
    """Take the oldest queued job, so that two workers never run the same one."""
    _requeue_abandoned_jobs()
    for job in ImportJob.objects.filter(status=ImportJob.Status.QUEUED).order_by("created_at")[:5]:
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.RUNNING, started_at=timezone.now()
        )
        if claimed:
            job.refresh_from_db()
            return job
    return None


def _requeue_abandoned_jobs() -> None:
    # A worker that died mid-import rolled its transaction back: nothing of the file is in the
    # books, and an import replaces whole months, so running the file again is safe. A job
    # running far longer than any import takes is taken to be such an orphan.
    lease = datetime.timedelta(minutes=settings.BILLING_IMPORT_LEASE_MINUTES)
    ImportJob.objects.filter(status=ImportJob.Status.RUNNING, started_at__lt=timezone.now() - lease).update(
        status=ImportJob.Status.QUEUED, started_at=None, rows_done=0, bytes_done=0
    )


def run_import_job(job: ImportJob) -> ImportJob:
    """Import a claimed job's file, recording progress as it goes and the report at the end."""
    reporter = _JobProgress(job)
    try:
        report = import_file(
            kind=job.kind, path=Path(job.stored_path), skip_bad=job.skip_bad, progress=reporter
        )
    except imports.ImportFileError as exc:
        job.status = ImportJob.Status.FAILED
        job.summary = f"Файл не загружен: {exc}"
    else:
        job.status = ImportJob.Status.DONE if report.applied else ImportJob.Status.FAILED
        job.summary = f"{IMPORT_KINDS[job.kind].title}: {report.summary()}"
        job.error_count = getattr(report, "error_count", len(report.errors))
        job.report = "\n".join(report_lines(report))
        job.rows_done = report.rows_read
        job.bytes_done = job.bytes_total
    finally:
        reporter.close()
    job.finished_at = timezone.now()
    job.save()
    return job


def report_lines(report: "ImportReport | PeriodReport") -> Iterator[str]:
    """The row report as the operator reads it: `строка N: причина`, one per bad row."""
    for line, reason in report.errors:
        yield f"строка {line}: {reason}"
    unlisted = getattr(report, "unlisted", 0)
    if unlisted:
        yield f"… и ещё строк с ошибками: {unlisted} (показаны первые {len(report.errors)})"


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
