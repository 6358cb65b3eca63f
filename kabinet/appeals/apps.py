from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "kabinet.appeals"
    label = "appeals"
    verbose_name = "Обращения"
