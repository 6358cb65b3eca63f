from django.apps import AppConfig


class MetersConfig(AppConfig):
    name = "kabinet.meters"
    label = "meters"
    verbose_name = "Приборы учёта"

    def ready(self) -> None:
        from kabinet.core.caching import keep_until_saved

        from .models import ReadingSchedule

        keep_until_saved(ReadingSchedule)
