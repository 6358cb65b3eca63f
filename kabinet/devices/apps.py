from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "kabinet.devices"
    label = "devices"
    verbose_name = "Устройства"
