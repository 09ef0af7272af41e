from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "doorstroom.access"
    label = "access"
