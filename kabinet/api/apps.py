from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kabinet.api"
    label = "api"
    verbose_name = "API для приложений"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the token's security scheme)
