from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kabinet.billing.imports import KINDS, ImportFileError, import_file

# `import_gis accounts FILE` is `import_billing gis-accounts FILE`: one import, whichever door.
GIS_KINDS = {"accounts": "gis-accounts", "meters": "gis-meters"}


class Command(BaseCommand):
    help = (
        "Загружает файл, выгруженный из ГИС ЖКХ (XLSX): accounts — ЕЛС и идентификаторы ЖКУ лицевых "
        "счетов, meters — номера приборов учёта в ГИС ЖКХ (docs/gis-zhkh.md). Если в файле есть строки "
        "с ошибками, ничего не меняется, пока не указан --skip-bad."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(GIS_KINDS), help="что в файле")
        parser.add_argument("file", type=Path, help="путь к файлу .xlsx из ГИС ЖКХ")
        parser.add_argument(
            "--skip-bad", action="store_true", help="загрузить хорошие строки, пропустив плохие"
        )

    def handle(self, *, kind: str, file: Path, skip_bad: bool, **options) -> None:
        code = GIS_KINDS[kind]
        try:
            report = import_file(kind=code, path=file, file_name=file.name, skip_bad=skip_bad)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stderr.write(line)
        summary = f"{KINDS[code].title}: {report.summary()}"
        if not report.applied:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
