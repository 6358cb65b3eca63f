from django.core.management.base import BaseCommand, CommandError

from kabinet.billing.models import Account
from kabinet.billing.services import rebuild_balances


class Command(BaseCommand):
    help = (
        "Пересчитывает сальдо по всем месяцам заново из начислений и оплат — всех лицевых счетов "
        "или названных. Загрузки и оплаты пересчитывают сальдо сами, начиная со своего месяца; "
        "эта команда нужна, если данные в базе меняли в обход них."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "numbers", nargs="*", metavar="НОМЕР", help="номера лицевых счетов (по умолчанию все)"
        )

    def handle(self, *args, numbers: list[str], **options) -> None:
        accounts = Account.objects.all()
        if numbers:
            accounts = accounts.filter(number__in=numbers)
            unknown = sorted(set(numbers) - set(accounts.values_list("number", flat=True)))
            if unknown:
                raise CommandError(f"Лицевые счета не найдены: {', '.join(unknown)}.")
        written = rebuild_balances(accounts=accounts)
        self.stdout.write(f"Сальдо пересчитано: лицевых счетов {accounts.count()}, строк сальдо {written}.")
