from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "doorstroom.web"
    label = "web"
