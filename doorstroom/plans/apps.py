from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "doorstroom.plans"
    label = "plans"
    verbose_name = "Plannen"
