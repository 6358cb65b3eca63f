from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kabinet.billing import services
from kabinet.billing.imports import ImportFileError


class Command(BaseCommand):
    help = (
        "Загружает файл из системы начислений (форматы — в docs/billing-formats.md). "
        "Повторная загрузка того же файла ничего не меняет. Строки с ошибками выводятся "
        "с номерами и не загружаются, остальные загружаются."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(services.IMPORT_KINDS), help="что в файле")
        parser.add_argument("file", type=Path, help="путь к файлу CSV")

    def handle(self, *, kind: str, file: Path, **options) -> None:
        try:
            report = services.import_file(kind=kind, path=file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for line, reason in report.errors:
            self.stdout.write(f"строка {line}: {reason}", self.style.WARNING)
        summary = f"{services.IMPORT_KINDS[kind].title}: {report.summary()}"
        self.stdout.write(summary, self.style.WARNING if report.errors else self.style.SUCCESS)
