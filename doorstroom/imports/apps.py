from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "doorstroom.imports"
    label = "imports"
    verbose_name = "Import van bestaande trajecten"
