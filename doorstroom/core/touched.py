"""Which participants' work a request recorded, so the layer on top can bring derived state (the
signals) up to date for exactly them before the request ends (ADR 0012).

Domain services below the signal engine must not import it (ADR 0003): they only say "this
participant's work changed" here; the web middleware (pages and API) or a command collects the
marks and asks the engine to re-evaluate those participants. Outside a collection, a mark is a no-op
(the scheduled refresh still catches everything).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_touched: ContextVar[set[int] | None] = ContextVar("doorstroom_touched_participants", default=None)


def mark(*participant_ids: int | None) -> None:
    """Record that the work of these participants changed in the current request or command."""
    collected = _touched.get()
    if collected is not None:
        collected.update(pid for pid in participant_ids if pid is not None)


@contextmanager
def collecting() -> Iterator[set[int]]:
    """Collect marks for the duration of the block; the set is filled as services mark."""
    token = _touched.set(set())
    try:
        collected = _touched.get()
        assert collected is not None  # noqa: S101 - just set
        yield collected
    finally:
        _touched.reset(token)
