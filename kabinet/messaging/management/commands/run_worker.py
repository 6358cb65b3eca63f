import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from kabinet.messaging.services import deliver_due
from kabinet.meters.services import remind_when_due


class Command(BaseCommand):
    help = "Delivers queued SMS and e-mail from the outbox; runs until stopped (Ctrl-C)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="deliver what is due now and exit")

    def handle(self, *args, once: bool = False, **options) -> None:
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if not once:
            self.stdout.write(f"Обработчик исходящих сообщений запущен (SMS через «{settings.SMS_GATEWAY}»).")
            self.stdout.flush()
        while not stopping:
            remind_when_due()  # meter-reading reminders when the window opens (outbox rows)
            round_ = deliver_due()
            if round_.total:
                self.stdout.write(
                    f"Отправлено {round_.sent}, отложено {round_.retried}, не отправлено {round_.failed}."
                )
                self.stdout.flush()
            if once:
                break
            if not round_.total:
                time.sleep(settings.OUTBOX_POLL_SECONDS)
