from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "kabinet.billing"
    label = "billing"
    verbose_name = "Лицевые счета и начисления"
