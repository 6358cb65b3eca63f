"""What an import did with a file: one report type, two shapes.

Records (accounts, meters) are each created, updated or left unchanged; periods (accruals,
payments) are replaced whole. Both list the bad rows the same way, so the command, the upload
job and the back-office show any report alike (`Report.lines`, `Report.summary`).
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_REPORTED_ERRORS = 10_000  # bad rows listed in a report; the rest are counted

# What a file with bad rows says when it changed nothing (every kind of file says the same).
NOTHING_CHANGED = (
    "Ничего не изменено: исправьте эти строки и загрузите файл снова "
    "или загрузите его с пропуском строк с ошибками (--skip-bad)."
)


class Report:
    """What every report has: the bad rows (`errors`, line and reason), how many there are in
    all, whether the file changed the books (`applied`), and its rows counted."""

    errors: list[tuple[int, str]]
    applied: bool

    @property
    def error_count(self) -> int:
        return len(self.errors)

    @property
    def unlisted(self) -> int:
        """Bad rows beyond those listed."""
        return self.error_count - len(self.errors)

    @property
    def rows_read(self) -> int:
        raise NotImplementedError

    def summary(self) -> str:
        raise NotImplementedError

    def lines(self) -> Iterator[str]:
        """The row report as the operator reads it: `строка N: причина`, one per bad row."""
        for line, reason in self.errors:
            yield f"строка {line}: {reason}"
        if self.unlisted:
            yield f"… и ещё строк с ошибками: {self.unlisted} (показаны первые {len(self.errors)})"


@dataclass
class ImportReport(Report):
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


@dataclass
class PeriodReport(Report):
    """What an accruals or payments import did. `applied` is False when bad rows stopped it.

    `errors` keeps the first MAX_REPORTED_ERRORS bad rows (a file of a million bad rows —
    accruals loaded before the accounts — must not fill the memory); `error_count` counts all.
    """

    loaded: int = 0
    replaced: int = 0
    periods: list[datetime.date] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0  # type: ignore[assignment]  # a plain count here, not Report's property
    skip_bad: bool = False
    applied: bool = True
    rows_read: int = 0  # type: ignore[assignment]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase, for `-v 2`

    def add_error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append((line, reason))

    def add_found(self, found: list[tuple[int, str]], count: int) -> None:
        self.error_count += count
        self.errors = sorted(self.errors + found)[:MAX_REPORTED_ERRORS]

    def summary(self) -> str:
        errors = f"строк с ошибками {self.error_count}"
        if not self.applied:
            return f"{errors}. {NOTHING_CHANGED}"
        months = ", ".join(f"{p:%m.%Y}" for p in self.periods) or "нет"
        skipped = f", пропущено {errors}" if self.errors else ", ошибок нет"
        return f"периоды {months}: загружено строк {self.loaded}, заменено прежних {self.replaced}{skipped}."
