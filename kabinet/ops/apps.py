from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Kabinet in production: health, metrics, the error pages, personal data lifetime."""

    name = "kabinet.ops"
    label = "ops"
    verbose_name = "Эксплуатация"
