from django.apps import AppConfig


class MetersConfig(AppConfig):
    name = "kabinet.meters"
    label = "meters"
    verbose_name = "Приборы учёта"

    def ready(self) -> None:
        from kabinet.billing.imports import register
        from kabinet.billing.imports.bank import readings
        from kabinet.core import stamps
        from kabinet.core.caching import keep_until_saved

        from . import bank, imports
        from .models import Building, Meter, Reading, ReadingSchedule

        keep_until_saved(ReadingSchedule, every_page=True)
        # Kept pages show the reading window (the company's or the house's) and the meters.
        for model in (ReadingSchedule, Building, Meter, Reading):
            stamps.watch(model, stamps.site_rows)
        # The meters file is one of the billing system's: offered by `import_billing` and the
        # back-office upload beside accounts, accruals and payments (billing never imports meters).
        register("meters", imports.KIND)
        # Readings typed at the bank, read from its payment registries, are taken here.
        readings.register_handler(bank.accept_bank_readings)
