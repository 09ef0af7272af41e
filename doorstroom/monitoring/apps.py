from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "doorstroom.monitoring"
    label = "monitoring"
