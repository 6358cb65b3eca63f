import time

from django.conf import settings
from django.core.management.base import BaseCommand

from kabinet.billing.imports.jobs import WORKER_TASKS, purge_expired_files, run_queued_imports
from kabinet.core.worker import run_until_stopped

# Files past their keeping time are looked for when the worker starts and then once an hour:
# a day's keeping time does not need the two-second poll of the uploads.
PURGE_EVERY_SECONDS = 3600


class Command(BaseCommand):
    help = (
        "Загружает файлы, поставленные в очередь в разделе «Загрузки файлов», пишет выгрузки для "
        "ГИС ЖКХ и раз в час удаляет файлы, срок хранения которых вышел; работает, пока не "
        "остановят (Ctrl-C)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="загрузить то, что в очереди, и выйти")

    def handle(self, *args, once: bool = False, **options) -> None:
        if not once:
            self.stdout.write("Обработчик загрузок из системы начислений запущен.")
        self.purge_due = 0.0
        run_until_stopped(
            self.round, kind="billing", once=once, poll_seconds=settings.BILLING_IMPORT_POLL_SECONDS
        )

    def round(self) -> bool:
        done = run_queued_imports()
        if done:
            self.stdout.write(f"Загружено файлов: {done}.")
        said = [sentence for task in WORKER_TASKS if (sentence := task())]
        if time.monotonic() >= self.purge_due:
            self.purge_due = time.monotonic() + PURGE_EVERY_SECONDS
            said += [sentence for sentence in [purge_expired_files()] if sentence]
        for sentence in said:
            self.stdout.write(sentence)
        return bool(done or said)
