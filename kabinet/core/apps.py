from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kabinet.core"
    label = "core"
    verbose_name = "Общие настройки"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401  registers the deploy checks
        from .middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="kabinet_idle_clock")
        from .caching import keep_until_saved
        from .models import Company

        keep_until_saved(Company, every_page=True)
        from . import stamps
        from .models import User

        stamps.watch(Company, stamps.site_rows)
        stamps.watch(User, lambda user: [stamps.user(user.pk)])
