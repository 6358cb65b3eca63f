from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "kabinet.public"
    label = "public"
    verbose_name = "Сайт"
