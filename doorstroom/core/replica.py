"""Reports and extracts may read from a PostgreSQL streaming replica (issue 12, docs/scaling.md).

Only code that says so reads there: `with reads_from_replica():` around the counting of an aggregate
report or an evaluator's extract. Everything else (access decisions, drill-down lists, audit rows,
every write) uses the primary, so a withdrawn grant takes effect on the next request whatever the
replica's lag. Without DOORSTROOM_REPLICA_URL there is no replica and nothing changes.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections

REPLICA = "replica"
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("reads_from_replica", default=False)


def configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Reads inside go to the replica when one is configured (writes never do)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReportingReplicaRouter:
    """Django's database router: the replica for reads inside `reads_from_replica`, else the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return REPLICA if _reading.get() and configured() else None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"
