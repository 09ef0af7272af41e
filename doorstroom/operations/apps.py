from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the service: health, metrics and the scheduled jobs (docs/operations.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "doorstroom.operations"
    verbose_name = "Beheer van de dienst"
