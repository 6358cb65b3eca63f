from django.apps import AppConfig


class MetersConfig(AppConfig):
    name = "kabinet.meters"
    label = "meters"
    verbose_name = "Приборы учёта"

    def ready(self) -> None:
        from kabinet.billing.imports import register
        from kabinet.core.caching import keep_until_saved

        from . import imports
        from .models import ReadingSchedule

        keep_until_saved(ReadingSchedule)
        # The meters file is one of the billing system's: offered by `import_billing` and the
        # back-office upload beside accounts, accruals and payments (billing never imports meters).
        register("meters", imports.KIND)
