from django.apps import AppConfig


class GisConfig(AppConfig):
    name = "kabinet.gis"
    label = "gis"
    verbose_name = "ГИС ЖКХ"

    def ready(self) -> None:
        from kabinet.billing.imports import register
        from kabinet.billing.imports.jobs import add_retention_task, add_worker_task

        from . import accounts, meters, services

        # The files ГИС gives back are billing import kinds: `import_gis`, `import_billing` and the
        # back-office upload (with its progress and row report) all run them; billing, below this
        # app, never imports it.
        register("gis-accounts", accounts.KIND)
        register("gis-meters", meters.KIND)
        # The exports asked for in the back-office are written by the same worker.
        add_worker_task(services.run_queued_exports)
        # …and deleted by it when their keeping time is over (KABINET_EXPORT_KEEP_DAYS).
        add_retention_task(services.purge_old_exports)
