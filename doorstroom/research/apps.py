from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "doorstroom.research"
    label = "research"
    verbose_name = "Onderzoek en evaluatie"
