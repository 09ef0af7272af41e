"""Shared test set-up: hypothesis profiles and the browser (Debian's Chromium, never downloaded)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "deep",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("DOORSTROOM_HYPOTHESIS_PROFILE", "default"))

pytest_plugins = ["tests.assurance"]

# The one sanctioned reset path of the append-only audit log: the test database is flushed between
# tests. Tests of the protection itself use `audit.protection_enforced()`.
from doorstroom.access import audit  # noqa: E402

audit.RESET_FOR_TESTS["allowed"] = True


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Login throttling and API rate limits count in the cache; every test starts from zero."""
    from django.core.cache import cache

    from doorstroom.programmes.models import forget_reason_catalogue

    cache.clear()
    forget_reason_catalogue()  # a test's own reasons are rolled back with it
    yield
    forget_reason_catalogue()
