from django.apps import AppConfig


class MeasurementsConfig(AppConfig):
    name = "doorstroom.measurements"
    label = "measurements"
    verbose_name = "Metingen"
