from django.apps import AppConfig


def _register_sqlite_functions(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
    """The SQLite audit triggers ask this function whether the test suite's reset path is open."""
    if connection.vendor == "sqlite":
        from .audit import reset_allowed

        connection.connection.create_function("doorstroom_audit_reset_allowed", 0, reset_allowed, deterministic=False)


class AccessConfig(AppConfig):
    name = "doorstroom.access"
    label = "access"

    def ready(self) -> None:
        # Database infrastructure, not domain flow (docs/decisions/0003): no receiver decorator.
        from django.db.backends.signals import connection_created

        connection_created.connect(_register_sqlite_functions, dispatch_uid="doorstroom-audit-sqlite")

        # a replayed answer (Idempotency-Key) is checked against what the reader may see now; core
        # sits below the access layer, so the layer hands it the question
        from doorstroom.core import idempotency

        from . import policy

        idempotency.visible_categories = policy.visible_categories_of
