from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "kabinet.billing"
    label = "billing"
    verbose_name = "Лицевые счета и начисления"

    def ready(self) -> None:
        # Rows saved one by one (a payment, the back-office, tests); imports write in bulk and
        # say so themselves (services.import_file, balances.rebuild_balances).
        from kabinet.core import stamps

        from .models import Account, AccountPeriod, Accrual, Payment, Service

        stamps.watch(Service, stamps.site_rows)
        stamps.watch(Account, stamps.site_rows)  # the cabinet's frame lists every account shown
        for model in (AccountPeriod, Accrual, Payment):
            stamps.watch(model, stamps.account_rows)
