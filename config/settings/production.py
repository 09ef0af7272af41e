"""Production settings: PostgreSQL, HTTPS, no defaults for secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
if not env("DOORSTROOM_SECRET_KEY"):  # noqa: F405
    raise ImproperlyConfigured("DOORSTROOM_SECRET_KEY must be set in production.")
if not env("DATABASE_URL"):  # noqa: F405
    raise ImproperlyConfigured("DATABASE_URL (PostgreSQL) must be set in production.")
if not env("DOORSTROOM_ENCRYPTION_KEYS") or not env("DOORSTROOM_BLIND_INDEX_KEY"):  # noqa: F405
    raise ImproperlyConfigured("DOORSTROOM_ENCRYPTION_KEYS and DOORSTROOM_BLIND_INDEX_KEY must be set in production.")
_audit_key = env("DOORSTROOM_AUDIT_KEY") or ""  # noqa: F405
if not _audit_key or _audit_key == env("DOORSTROOM_SECRET_KEY"):  # noqa: F405
    raise ImproperlyConfigured(
        "DOORSTROOM_AUDIT_KEY must be set in production, and differ from DOORSTROOM_SECRET_KEY "
        "(the audit chain and its checkpoints are signed with it)."
    )
if not env("DOORSTROOM_AUDIT_CHECKPOINTS"):  # noqa: F405
    raise ImproperlyConfigured(
        "DOORSTROOM_AUDIT_CHECKPOINTS must name an append-only file or 'syslog': the audit chain is checked "
        "against checkpoints kept outside the database."
    )
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
