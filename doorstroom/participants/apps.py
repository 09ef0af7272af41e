from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "doorstroom.participants"
    label = "participants"
