"""Which categories of which participants' files the current answer showed, collected while an
answer is made (the access layer's redaction reports each category it lets through). An
Idempotency-Key keeps this with the answer, so a replay can be refused when the reader may no longer
see all of it (`core.idempotency`). Outside a collection, a mark is a no-op.

Like `core.touched`, this sits at the bottom so that the access layer can report into it and the
API's replay can read it without either importing the other."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_shown: ContextVar[dict[int, set[str]] | None] = ContextVar("doorstroom_shown_categories", default=None)


def mark(participant_pk: int | None, category: str) -> None:
    """The answer being made shows `category` of this participant's file."""
    collected = _shown.get()
    if collected is not None and participant_pk is not None:
        collected.setdefault(participant_pk, set()).add(category)


@contextmanager
def collecting() -> Iterator[dict[int, set[str]]]:
    """Collect what is shown for the duration of the block."""
    token = _shown.set({})
    try:
        collected = _shown.get()
        assert collected is not None  # noqa: S101 - just set
        yield collected
    finally:
        _shown.reset(token)
