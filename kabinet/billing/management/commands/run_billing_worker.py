from django.conf import settings
from django.core.management.base import BaseCommand

from kabinet.billing.imports.jobs import WORKER_TASKS, run_queued_imports
from kabinet.core.worker import run_until_stopped


class Command(BaseCommand):
    help = (
        "Загружает файлы, поставленные в очередь в разделе «Загрузки файлов»; "
        "работает, пока не остановят (Ctrl-C)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="загрузить то, что в очереди, и выйти")

    def handle(self, *args, once: bool = False, **options) -> None:
        if not once:
            self.stdout.write("Обработчик загрузок из системы начислений запущен.")
        run_until_stopped(
            self.round, kind="billing", once=once, poll_seconds=settings.BILLING_IMPORT_POLL_SECONDS
        )

    def round(self) -> bool:
        done = run_queued_imports()
        if done:
            self.stdout.write(f"Загружено файлов: {done}.")
        said = [sentence for task in WORKER_TASKS if (sentence := task())]
        for sentence in said:
            self.stdout.write(sentence)
        return bool(done or said)
