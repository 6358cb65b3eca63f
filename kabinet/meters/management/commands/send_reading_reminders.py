from django.core.management.base import BaseCommand

from kabinet.meters.services import send_reading_reminders


class Command(BaseCommand):
    help = (
        "Напоминает жителям, ещё не передавшим показания, что приём открыт (SMS или письмо — как "
        "выбрал житель). Каждому — не больше одного напоминания за период: повторный запуск ничего "
        "не отправляет."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(send_reading_reminders().summary())
