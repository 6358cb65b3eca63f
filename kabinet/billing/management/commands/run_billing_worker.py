import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from kabinet.billing.services import run_queued_imports


class Command(BaseCommand):
    help = (
        "Загружает файлы, поставленные в очередь в разделе «Загрузки файлов»; "
        "работает, пока не остановят (Ctrl-C)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="загрузить то, что в очереди, и выйти")

    def handle(self, *args, once: bool = False, **options) -> None:
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if not once:
            self.stdout.write("Обработчик загрузок из системы начислений запущен.")
        while not stopping:
            done = run_queued_imports()
            if done:
                self.stdout.write(f"Загружено файлов: {done}.")
            if once:
                break
            if not done:
                time.sleep(settings.BILLING_IMPORT_POLL_SECONDS)
