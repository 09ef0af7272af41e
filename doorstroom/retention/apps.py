from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "doorstroom.retention"
    label = "retention"
