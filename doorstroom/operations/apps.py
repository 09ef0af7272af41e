from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the service: health, metrics and the scheduled jobs (docs/operations.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "doorstroom.operations"
    verbose_name = "Beheer van de dienst"

    def ready(self) -> None:
        # infrastructure, not domain flow (ADR 0003): a lost database connection anywhere in a request
        # is answered with 503 by DatabaseUnavailableMiddleware
        from django.core.signals import got_request_exception

        from .middleware import note_database_gone

        got_request_exception.connect(note_database_gone, dispatch_uid="doorstroom.database_gone")
