import time

from django.core.management.base import BaseCommand

from kabinet.core.worker import run_until_stopped
from kabinet.devices.services import submit_due_readings


class Command(BaseCommand):
    help = (
        "Передаёт последние значения счётчиков с Wi-Fi (Ватериус) как показания, когда открывается "
        "приём: по каждому прибору — одно показание за период, с теми же проверками, что и в кабинете. "
        "Повторный запуск ничего не передаёт второй раз. Без параметров — один проход (для таймера "
        "systemd или cron); с --schedule — работает, пока не остановят, и проходит раз в 15 минут."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="работать по расписанию, пока не остановят (Ctrl-C)"
        )
        parser.add_argument("--every", type=int, default=15 * 60, help="секунд между проходами (--schedule)")

    def handle(self, *args, schedule: bool = False, every: int = 900, **options) -> None:
        if not schedule:
            self.stdout.write(submit_due_readings().summary())
            return
        self.stdout.write("Передача показаний устройств по расписанию запущена.")
        self.stdout.flush()
        self.last = 0.0
        self.every = every
        run_until_stopped(self.round, kind="devices", once=False, poll_seconds=min(every, 30))

    def round(self) -> bool:
        now = time.monotonic()
        if self.last and now - self.last < self.every:
            return False
        self.last = now
        done = submit_due_readings()
        self.stdout.write(done.summary())
        self.stdout.flush()
        return bool(done.submitted)
