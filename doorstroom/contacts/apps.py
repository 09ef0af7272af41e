from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "doorstroom.contacts"
    label = "contacts"
    verbose_name = "Contactmomenten"
