from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "kabinet.residents"
    label = "residents"
    verbose_name = "Жители и регистрация"
