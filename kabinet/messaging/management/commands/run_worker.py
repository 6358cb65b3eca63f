from django.conf import settings
from django.core.management.base import BaseCommand

from kabinet.core.worker import run_until_stopped
from kabinet.messaging.services import deliver_due


class Command(BaseCommand):
    help = (
        "Отправляет SMS и письма из очереди исходящих; работает, пока не остановят (Ctrl-C). "
        "Обработчиков может быть сколько угодно: каждое сообщение берёт только один."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="отправить то, что пора, и выйти")

    def handle(self, *args, once: bool = False, **options) -> None:
        if not once:
            self.stdout.write(f"Обработчик исходящих сообщений запущен (SMS через «{settings.SMS_GATEWAY}»).")
            self.stdout.flush()
        run_until_stopped(self.round, kind="outbox", once=once, poll_seconds=settings.OUTBOX_POLL_SECONDS)

    def round(self) -> bool:
        round_ = deliver_due()
        if round_.total:
            line = f"Отправлено {round_.sent}, отложено {round_.retried}, не отправлено {round_.failed}."
            if round_.uncertain:
                line += f" Возможно отправлено (обработчик остановился у шлюза): {round_.uncertain}."
            self.stdout.write(line)
            self.stdout.flush()
        return bool(round_.total)
