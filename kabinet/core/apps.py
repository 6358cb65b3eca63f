from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kabinet.core"
    label = "core"
    verbose_name = "Общие настройки"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core.signals import request_started

        from . import checks  # noqa: F401  registers the deploy checks
        from .middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="kabinet_idle_clock")
        from .connections import spare_needless_health_checks

        # After django.db's own receiver, connected when django.db was first imported.
        request_started.connect(spare_needless_health_checks, dispatch_uid="kabinet_health_checks")
        from .caching import keep_until_saved
        from .models import Company

        keep_until_saved(Company, every_page=True)
        from . import stamps
        from .models import User

        stamps.watch(Company, stamps.site_rows)
        stamps.watch(User, lambda user: [stamps.user(user.pk)])
