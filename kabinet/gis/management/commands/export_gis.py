from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kabinet.gis import services


class Command(BaseCommand):
    help = (
        "Выгружает файл для ГИС ЖКХ за месяц: платёжные документы (payment-documents) или показания "
        "приборов учёта (readings) — по шаблонам ГИС ЖКХ, XLSX (docs/gis-zhkh.md)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(services.KINDS), help="что выгрузить")
        parser.add_argument("period", help="месяц: 2026-03")
        parser.add_argument("file", type=Path, help="куда записать: файл .xlsx")

    def handle(self, *, kind: str, period: str, file: Path, **options) -> None:
        try:
            month = datetime.strptime(period, "%Y-%m").date()
        except ValueError:
            raise CommandError(f"Период «{period}» не распознан: укажите месяц в виде 2026-03.") from None
        if file.suffix.lower() != ".xlsx":
            raise CommandError(
                f"Файл для ГИС ЖКХ — книга Excel: имя должно оканчиваться на .xlsx, а не «{file.name}»."
            )
        export = (
            services.export_payment_documents if kind == "payment-documents" else services.export_readings
        )
        try:
            written = export(period=month, target=file)
        except OSError as exc:
            raise CommandError(f"Файл «{file}» не удаётся записать: {exc.strerror or exc}.") from None
        self.stdout.write(self.style.SUCCESS(f"{written.summary(month)} Файл {file}."))
