from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    verbose_name = "Organisaties"
    name = "doorstroom.organisations"
    label = "organisations"
