"""Test settings: only overrides of base (fast hasher, in-memory cache)."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "nl"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405

# Tests log in without a second factor; the tests of two-factor login switch it on themselves.
DOORSTROOM_REQUIRE_2FA = False

# The suite makes thousands of API calls from one address; the rate-limit tests lower these themselves.
DOORSTROOM_API_RATE_USER = "1000000/minute"
DOORSTROOM_API_RATE_ANON = "1000000/minute"

# Every API answer in the tests is checked against the OpenAPI schema (tests/openapi_conformance.py).
MIDDLEWARE = ["tests.openapi_conformance.ResponseMatchesSchema", *MIDDLEWARE]  # noqa: F405

# Scheduled jobs run at once in the test process (the serve test starts a real worker on Redis).
CELERY_TASK_ALWAYS_EAGER = True
