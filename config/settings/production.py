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
if not env("REDIS_URL"):  # noqa: F405
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production: with several workers the login throttle, the rate limits and "
        "the sessions need one shared cache."
    )
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Plain HTTP on this machine only (`make serve` on loopback): no HTTPS redirect, no Secure cookies and no
# HSTS, and it refuses to start when the site answers any name other than a loopback one. Never set it on
# a server that others reach.
if env_bool("DOORSTROOM_LOCAL_HTTP", False):  # noqa: F405
    _not_local = [h for h in ALLOWED_HOSTS if h not in {"127.0.0.1", "localhost", "::1"}]  # noqa: F405
    if _not_local:
        raise ImproperlyConfigured(
            f"DOORSTROOM_LOCAL_HTTP is for loopback only, but DOORSTROOM_ALLOWED_HOSTS names {', '.join(_not_local)}."
        )
    SECURE_SSL_REDIRECT = False
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
    SECURE_HSTS_SECONDS = 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    SECURE_HSTS_PRELOAD = False

# static files after `collectstatic`: compressed, with the content's hash in the name, served by
# WhiteNoise with a lifetime of a year (a new version has a new name)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# a database connection is kept for a while and checked before reuse
DATABASES["default"]["CONN_MAX_AGE"] = int(env("DOORSTROOM_CONN_MAX_AGE", "300") or 300)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
