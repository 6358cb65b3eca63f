from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of `make run` (`manage.py load_demo_data`): the top of the layers, since it
    fills every app; no app imports it."""

    name = "kabinet.demo"
    label = "demo"
    verbose_name = "Демонстрационные данные"
