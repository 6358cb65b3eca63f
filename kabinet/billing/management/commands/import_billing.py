import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kabinet.billing.imports import KINDS, ImportFileError, import_file


class ProgressBar:
    """One line on stderr, redrawn at most a few times a second: share of the file, rows read
    and rows per second. Without a terminal (a log, a pipe) a plain line every few seconds."""

    WIDTH = 30

    def __init__(self, stream, *, interactive: bool) -> None:
        self.stream = stream
        self.interactive = interactive
        self.started = time.monotonic()
        self.shown_at = 0.0
        self.rows = 0

    def __call__(self, rows: int, share: float) -> None:
        self.rows = rows
        now = time.monotonic()
        if now - self.shown_at < (0.2 if self.interactive else 5.0):
            return
        self.shown_at = now
        self._draw(share, end="\r" if self.interactive else "\n")

    def finish(self, rows: int) -> None:
        self.rows = rows
        self._draw(1.0, end="\n")

    def _draw(self, share: float, *, end: str) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        done = int(share * self.WIDTH)
        bar = "█" * done + "░" * (self.WIDTH - done)
        self.stream.write(
            f"[{bar}] {share:4.0%}  строк {self.rows:,}  {self.rows / elapsed:,.0f} строк/с".replace(",", " ")
            + end
        )
        self.stream.flush()


class Command(BaseCommand):
    # The system checks read every app's URLs, views and admin: a third of a second before a
    # file the command has no use for them in.
    requires_system_checks: list[str] = []
    help = (
        "Загружает файл из системы начислений, CSV, XLSX или DBF (форматы — в docs/billing-formats.md), "
        "или файл банка: реестр платежей, выписку в формате 1С (docs/bank-formats.md). "
        "Лицевые счета и приборы учёта: повторная загрузка того же файла ничего не меняет. "
        "Начисления и оплаты: файл заменяет названные в нём периоды целиком. Если в файле есть "
        "строки с ошибками, ничего не меняется, пока не указан --skip-bad."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="что в файле")
        parser.add_argument("file", type=Path, help="путь к файлу CSV, XLSX, DBF или TXT")
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="загрузить хорошие строки, пропустив строки с ошибками",
        )
        parser.add_argument(
            "--profile",
            default="",
            help="профиль файла: для реестра банка — sber-17, sber-short или sber-tagged (без него "
            "формат определяется по файлу); для лицевых счетов, начислений, оплат и приборов учёта — "
            "имя профиля столбцов из системы начислений (встроенные: 1c-14-1, kvado, szn-dbf, "
            "condo-doma; свои сохраняются в административном разделе, docs/billing-formats.md); "
            "без него — формат Кабинета",
        )
        parser.add_argument("--no-progress", action="store_true", help="не показывать ход загрузки")

    def handle(
        self,
        *,
        kind: str,
        file: Path,
        skip_bad: bool,
        no_progress: bool,
        verbosity: int,
        profile: str = "",
        **options,
    ) -> None:
        interactive = getattr(self.stderr._out, "isatty", lambda: False)() and self.stderr._out is sys.stderr
        bar = None if no_progress else ProgressBar(self.stderr._out, interactive=interactive)
        try:
            report = import_file(
                kind=kind, path=file, file_name=file.name, skip_bad=skip_bad, progress=bar, profile=profile
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 2:
            for phase, seconds in getattr(report, "timings", {}).items():
                self.stderr.write(f"{phase}: {seconds:.1f} с")
        if bar is not None:
            bar.finish(report.rows_read)
        for text in report.lines():
            self.stdout.write(text, self.style.WARNING)
        summary = f"{KINDS[kind].title}: {report.summary()}"
        self.stdout.write(summary, self.style.WARNING if report.errors else self.style.SUCCESS)
        if not report.applied:
            raise CommandError("Файл не загружен: в нём есть строки с ошибками.", returncode=1)
