"""What an import of a bank file (a registry or a statement) did."""

from dataclasses import dataclass, field
from decimal import Decimal

from kabinet.core import formats

from ..report import MAX_REPORTED_ERRORS, NOTHING_CHANGED, Report
from .readings import ReadingResult


@dataclass
class BankReport(Report):
    """Payments recorded (`loaded`), already there from an earlier file (`already`), put in the
    unmatched list (`unmatched`); agents' lump sums seen (statements); readings accepted and
    refused (registries). `notes` are the lines the operator reads beside the bad rows:
    unmatched payments and refused readings, each with its line and why."""

    title: str = ""
    rows_read: int = 0  # type: ignore[assignment]
    total: Decimal = Decimal(0)
    loaded: int = 0
    already: int = 0
    unmatched: int = 0
    transfers: int = 0
    readings_accepted: int = 0
    readings_refused: list[ReadingResult] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0  # type: ignore[assignment]
    skip_bad: bool = False
    applied: bool = True
    timings: dict[str, float] = field(default_factory=dict)
    commission: Decimal | None = None  # the bank's, for the registry: None when not known
    without_totals: bool = False  # a registry that ended without its totals line

    def add_error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append((line, reason))

    def note(self, line: int, text: str) -> None:
        if len(self.notes) < MAX_REPORTED_ERRORS:
            self.notes.append((line, text))

    def lines(self):
        yield from super().lines()
        for line, text in sorted(self.notes):
            yield f"строка {line}: {text}"

    def summary(self) -> str:
        if not self.applied:
            return f"строк прочитано {self.rows_read}, строк с ошибками {self.error_count}. {NOTHING_CHANGED}"
        parts = [
            f"{self.title}платежей {self.rows_read} на {formats.money(self.total)}: записано {self.loaded}, "
            f"уже были {self.already}, неразнесённых {self.unmatched}"
        ]
        if self.commission:  # known and not none taken
            parts.append(f"комиссия банка: {formats.money(self.commission)}")
        if self.transfers:
            parts.append(f"перечислений агентов (не оплаты жителей) {self.transfers}")
        if self.readings_accepted or self.readings_refused:
            parts.append(
                f"показаний принято {self.readings_accepted}, не принято {len(self.readings_refused)}"
            )
        if self.without_totals:
            parts.append("итоговой строки нет: сверка количества и суммы не выполнялась")
        if self.error_count:
            parts.append(f"пропущено строк с ошибками {self.error_count}")
        return "; ".join(parts) + "."


class Stopped(Exception):
    """Bad rows and no `skip_bad`: leaving the import's transaction this way rolls it back."""
