"""Which participants' work a request recorded, and what kind of work it was, so the layer on top
can bring derived state (the signals) up to date for exactly them before the request ends (ADR 0012).

Domain services below the signal engine must not import it (ADR 0003): they only say "this kind of
data of these participants changed" here; the web middleware (pages and API) or a command collects
the marks and asks the engine to re-evaluate those participants, with only the rules that read that
kind of data (ADR 0026). Outside a collection, a mark is a no-op (the scheduled refresh still
catches everything).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

#: the kinds of work a mark names (a signal rule says which of them it reads)
CONTACTS = "contacts"
ENROLLMENTS = "enrollments"  # an enrollment, its events and its tags
PLANS = "plans"
HOUSEHOLDS = "households"
SCHOOL = "school"  # school registrations
PERSON = "person"  # the participant's own data (date of birth, civic-integration duty, ...)
MEASUREMENTS = "measurements"  # measurements and language screenings
KINDS = frozenset({CONTACTS, ENROLLMENTS, PLANS, HOUSEHOLDS, SCHOOL, PERSON, MEASUREMENTS})


@dataclass
class Marks:
    """What a request recorded so far: whose work, and which kinds of it."""

    participants: set[int] = field(default_factory=set)
    written: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.participants)

    def clear(self) -> None:
        self.participants.clear()
        self.written.clear()


_touched: ContextVar[Marks | None] = ContextVar("doorstroom_touched_participants", default=None)


def mark(*participant_ids: int | None, written: str) -> None:
    """Record that this kind of work of these participants changed in the current request."""
    if written not in KINDS:
        raise ValueError(f"unknown kind of work: {written}")
    collected = _touched.get()
    if collected is not None:
        collected.participants.update(pid for pid in participant_ids if pid is not None)
        collected.written.add(written)


@contextmanager
def collecting() -> Iterator[Marks]:
    """Collect marks for the duration of the block; they are filled as services mark."""
    marks = Marks()
    token = _touched.set(marks)
    try:
        yield marks
    finally:
        _touched.reset(token)
