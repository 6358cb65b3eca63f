from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kabinet.audit import services as audit
from kabinet.audit.models import AuditEntry
from kabinet.meters.export import write_file


class Command(BaseCommand):
    help = (
        "Выгружает показания приборов учёта за период для системы начислений "
        "(CSV или XLSX — по расширению файла; формат — в docs/billing-formats.md)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("period", help="месяц: 2026-11")
        parser.add_argument("file", type=Path, help="куда записать: readings.csv или readings.xlsx")

    def handle(self, *, period: str, file: Path, **options) -> None:
        try:
            month = datetime.strptime(period, "%Y-%m").date()
        except ValueError:
            raise CommandError(f"Период «{period}» не распознан: укажите месяц в виде 2026-11.") from None
        try:
            count = write_file(month, file)
        except OSError as exc:
            raise CommandError(f"Файл «{file}» не удаётся записать: {exc.strerror or exc}.") from None
        audit.record(
            action=AuditEntry.Action.EXPORT,
            target=f"показания за {month:%m.%Y}",
            details={"readings": count, "file": str(file), "by": "export_readings"},
        )
        self.stdout.write(self.style.SUCCESS(f"Выгружено показаний за {month:%m.%Y}: {count}, файл {file}."))
