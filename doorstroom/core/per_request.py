"""Answers that hold for the length of one request: facts a request asks for several times (a
director's served municipalities, asked by each access decision) are looked up once per request
(ADR 0026). Outside a request nothing is remembered, so commands and tests that change the facts
between two calls see the change; a service that changes such a fact inside a request calls
`forget()`."""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, object] | None] = ContextVar("doorstroom_per_request", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Remember answers for the duration of the block (the access layer's request middleware)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per request for this key; every call outside a request computes."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[return-value]


def forget() -> None:
    """A fact changed within this request: later questions look it up again."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()
