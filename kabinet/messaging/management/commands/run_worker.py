from django.conf import settings
from django.core.management.base import BaseCommand

from kabinet.messaging.loop import run_until_stopped
from kabinet.messaging.services import deliver_due
from kabinet.meters.services import remind_when_due


class Command(BaseCommand):
    help = "Delivers queued SMS and e-mail from the outbox; runs until stopped (Ctrl-C)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="deliver what is due now and exit")

    def handle(self, *args, once: bool = False, **options) -> None:
        if not once:
            self.stdout.write(f"Обработчик исходящих сообщений запущен (SMS через «{settings.SMS_GATEWAY}»).")
            self.stdout.flush()
        run_until_stopped(self.round, once=once, poll_seconds=settings.OUTBOX_POLL_SECONDS)

    def round(self) -> bool:
        remind_when_due()  # meter-reading reminders when the window opens; throttles itself
        round_ = deliver_due()
        if round_.total:
            self.stdout.write(
                f"Отправлено {round_.sent}, отложено {round_.retried}, не отправлено {round_.failed}."
            )
            self.stdout.flush()
        return bool(round_.total)
