"""What the health endpoint checks: the database answers, the shared cache (Redis) answers, and the
audit log can be written (no personal data may be served when it cannot: ADR 0005)."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from doorstroom.access import audit


@dataclass(frozen=True)
class Check:
    name: str
    problem: str  # "" when all is well

    @property
    def ok(self) -> bool:
        return not self.problem


def database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure is the answer here, not a crash
        return Check("database", error.__class__.__name__)
    return Check("database", "")


def shared_cache() -> Check:
    """A value written and read back (with REDIS_URL this is Redis; without it, the process's memory)."""
    name = "redis" if settings.REDIS_URL else "cache"
    key, value = f"health:{secrets.token_hex(4)}", secrets.token_hex(8)
    try:
        cache.set(key, value, 10)
        found = cache.get(key)
        cache.delete(key)
    except Exception as error:  # a refused connection is a finding, not a crash
        return Check(name, error.__class__.__name__)
    return Check(name, "" if found == value else "read back differs")


def audit_log() -> Check:
    try:
        return Check("audit", audit.writable())
    except Exception as error:  # e.g. the database is gone altogether
        return Check("audit", error.__class__.__name__)


def all_checks() -> list[Check]:
    return [database(), shared_cache(), audit_log()]
