from django.core.management.base import BaseCommand

from kabinet.demo.loader import DEMO_ACCOUNTS, STAFF, is_empty, load_demo_data


class Command(BaseCommand):
    help = "Loads the demo company, accounts and staff users listed in the README."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")

    def handle(self, *args, if_empty: bool = False, **options) -> None:
        if if_empty and not is_empty():
            self.stdout.write("База данных не пуста: демонстрационные данные не загружались.")
            return
        load_demo_data()
        self.stdout.write(
            f"Загружены демонстрационные данные: лицевых счетов — {len(DEMO_ACCOUNTS)}, "
            f"сотрудников — {len(STAFF)}."
        )
