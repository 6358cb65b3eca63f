from django.core.management.base import BaseCommand

from kabinet.ops.retention import purge_personal_data


class Command(BaseCommand):
    help = (
        "Удаляет персональные данные, срок хранения которых вышел (152-ФЗ): обезличивает "
        "отклонённые и неподтверждённые заявки на регистрацию старше KABINET_PD_RETENTION_DAYS дней, "
        "удаляет использованные коды и текст SMS с кодами, текст и адрес старых сообщений. "
        "Запускается таймером раз в сутки; повторный запуск безопасен."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(purge_personal_data().summary())
