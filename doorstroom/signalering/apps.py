from django.apps import AppConfig


class SignaleringConfig(AppConfig):
    name = "doorstroom.signalering"
    label = "signalering"
    verbose_name = "Signalering"
