from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kabinet.core"
    label = "core"
    verbose_name = "Общие настройки"
