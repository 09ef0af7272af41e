from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "doorstroom.enrollments"
    label = "enrollments"
