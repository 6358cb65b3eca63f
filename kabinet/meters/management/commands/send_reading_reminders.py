import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from kabinet.core.worker import run_until_stopped
from kabinet.meters.services import REMINDER_HOURS, send_reading_reminders


class Command(BaseCommand):
    help = (
        "Напоминает жителям, ещё не передавшим показания, что приём открыт (SMS или письмо — как "
        "выбрал житель). Каждому — не больше одного напоминания за период: повторный запуск ничего "
        "не отправляет. Без параметров — один проход (для таймера systemd или cron); "
        "с --schedule — работает, пока не остановят, и проходит раз в 15 минут с 9 до 21 часа."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="работать по расписанию, пока не остановят (Ctrl-C)"
        )
        parser.add_argument("--every", type=int, default=15 * 60, help="секунд между проходами (--schedule)")

    def handle(self, *args, schedule: bool = False, every: int = 900, **options) -> None:
        if not schedule:
            self.stdout.write(send_reading_reminders().summary())
            return
        self.stdout.write("Расписание напоминаний о показаниях запущено (с 9 до 21 часа).")
        self.stdout.flush()
        self.last = 0.0
        self.every = every
        run_until_stopped(self.round, kind="reminders", once=False, poll_seconds=min(every, 30))

    def round(self) -> bool:
        now = time.monotonic()
        if self.last and now - self.last < self.every:
            return False
        if timezone.localtime().hour not in REMINDER_HOURS:
            return False
        self.last = now
        sent = send_reading_reminders()
        self.stdout.write(sent.summary())
        self.stdout.flush()
        return bool(sent.sms or sent.email)
