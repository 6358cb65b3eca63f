from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kabinet.audit"
    verbose_name = "Журнал действий"

    def ready(self) -> None:
        from . import signals  # noqa: F401  sign-ins and failures come from Django's auth signals
