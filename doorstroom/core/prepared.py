"""Queries that run for a handful of participants after every write (the signal rules, ADR 0013)
built and compiled by the ORM once per shape; each later run binds only its participants.

For one participant the database answers such a query in a tenth of a millisecond, while building
and compiling the queryset takes ten times that: seven rules and their bookkeeping were a third of
an intake's time (benchmarks/RESULTS.md). The queryset is built once with stand-in ids, compiled,
and kept with the positions of the stand-ins among its parameters; a run puts the real ids there,
executes the same SQL through Django's cursor (so query counting and the audit's write watch see
it) and converts the rows as the queryset would. What the query depends on besides the ids (today,
thresholds) belongs in the key; a new key compiles anew.
"""

import threading
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet

#: stand-in ids: far below any real primary key, and never a date, threshold or count
_STAND_IN = -7_000_000_000_001
#: more ids than this are rare (an import) and run as a plain queryset
MOST_IDS = 64
#: compiled shapes kept per thread (per database connection); the oldest go first
MOST_SHAPES = 512

_local = threading.local()


@dataclass(frozen=True, slots=True)
class _Shape:
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    positions: list[tuple[int, int]]  # (parameter index, index of the id it stands for)
    alias: str


def _shapes() -> dict[Hashable, _Shape]:
    shapes = getattr(_local, "shapes", None)
    if shapes is None:
        shapes = _local.shapes = {}
    return shapes


def _compile(build: Callable[[Any], QuerySet], count: int | None) -> _Shape:
    stand_ins = [_STAND_IN - i for i in range(count or 0)]
    queryset = build(stand_ins if count is not None else None)
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    index_of = {value: i for i, value in enumerate(stand_ins)}
    positions = [(i, index_of[p]) for i, p in enumerate(params) if type(p) is int and p in index_of]
    if {j for _, j in positions} != set(range(count or 0)):
        raise ValueError("the ids must appear among the query's parameters")
    return _Shape(compiler, sql, tuple(params), positions, queryset.db)


def rows(key: Hashable, build: Callable[[Any], QuerySet], ids: Collection[int] | None) -> list[tuple[Any, ...]]:
    """The rows of `build(ids)` (a `values_list` queryset that uses `ids` in `__in` lookups),
    compiled once per key and number of ids. With no ids, no query; with `None`, the query that
    takes no ids (`build(None)`: for everyone, or one that needs none)."""
    ordered = None if ids is None else sorted(set(ids))
    if ordered is not None and not ordered:
        return []
    if ordered is not None and len(ordered) > MOST_IDS:
        return [tuple(row) for row in build(ordered)]
    shapes = _shapes()
    cache_key = (key, None if ordered is None else len(ordered))
    shape = shapes.get(cache_key)
    if shape is None:
        if len(shapes) >= MOST_SHAPES:
            shapes.clear()
        shape = shapes[cache_key] = _compile(build, None if ordered is None else len(ordered))
    params = list(shape.params)
    for position, which in shape.positions:
        params[position] = ordered[which]  # type: ignore[index]  # positions only where there are ids
    with connections[shape.alias].cursor() as cursor:
        cursor.execute(shape.sql, params)
        fetched = cursor.fetchall()
    compiler = shape.compiler
    if compiler.has_extra_select:  # columns the database needed (DISTINCT with an ordering), not asked for
        fetched = [row[: compiler.col_count] for row in fetched]
    return [tuple(row) for row in compiler.results_iter(results=[fetched])]


def forget() -> None:
    """Drop this thread's compiled shapes (tests that change the schema or the connection)."""
    _shapes().clear()
