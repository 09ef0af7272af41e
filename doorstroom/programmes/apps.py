from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "doorstroom.programmes"
    label = "programmes"
