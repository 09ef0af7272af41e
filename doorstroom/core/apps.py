from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "doorstroom.core"
    label = "core"
