"""Queries that run for a handful of participants after every write (the signal rules, ADR 0013)
built and compiled by the ORM once per shape; each later run binds only its participants.

For one participant the database answers such a query in a tenth of a millisecond, while building
and compiling the queryset takes ten times that: seven rules and their bookkeeping were a third of
an intake's time (benchmarks/RESULTS.md). The queryset is built once with stand-in ids, compiled,
and kept with the positions of the stand-ins among its parameters; a run puts the real ids there,
executes the same SQL through Django's cursor (so query counting and the audit's write watch see
it) and converts the rows as the queryset would. What the query depends on besides the ids (today,
thresholds) belongs in the key; a new key compiles anew.

`instances` does the same for a queryset of model instances (with its `select_related`): the pages
that open one participant (the file) read a dozen such small queries per request, and building and
compiling them cost more than the database's answers (benchmarks/RESULTS.md, fifteenth session).
"""

import threading
import uuid
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

#: stand-in ids: far below any real primary key, and never a date, threshold or count
_STAND_IN = -7_000_000_000_001
#: stand-in public ids (UUIDs), for the doors that look a record up by the id in its address
_STAND_IN_UUID = 0x5EED_0000_0000_0000_0000_0000_0000_0000
#: more ids than this are rare (an import) and run as a plain queryset; fewer are padded to the next
#: power of two (the last id repeated, which an `__in` lookup ignores), so a key has a few shapes
#: (1, 2, 4, ... 256 ids), not one per number of ids: a page of 100 people binds 128
MOST_IDS = 256
#: compiled shapes kept per thread (per database connection); the oldest go first
MOST_SHAPES = 512

_local = threading.local()


@dataclass(frozen=True, slots=True)
class _Shape:
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    positions: list[tuple[int, int, bool]]  # (parameter index, index of the id it stands for, as hex)
    alias: str
    converters: dict[int, Any]  # the compiler's converters for its columns, worked out once
    composite: bool  # a composite primary key among the columns (what results_iter checks)
    model: Any = None  # for instances: what ModelIterable would work out for every run
    init_list: tuple[str, ...] = ()
    model_columns: tuple[int, int] = (0, 0)
    populators: tuple[Any, ...] = ()
    annotations: tuple[tuple[str, int], ...] = ()


def _shapes() -> dict[Hashable, _Shape]:
    shapes = getattr(_local, "shapes", None)
    if shapes is None:
        shapes = _local.shapes = {}
    return shapes


def _stand_ins(count: int, kind: type) -> list[Any]:
    if kind is uuid.UUID:
        return [uuid.UUID(int=_STAND_IN_UUID + i) for i in range(count)]
    if kind is str:  # keys such as a token's hash: a text no key has
        return [f"\x00stand-in {i}" for i in range(count)]
    return [_STAND_IN - i for i in range(count)]


def _compile(build: Callable[[Any], QuerySet], count: int | None, *, as_instances: bool, kind: type = int) -> _Shape:
    stand_ins = _stand_ins(count or 0, kind)
    queryset = build(stand_ins if count is not None else None)
    if as_instances and (
        queryset._iterable_class is not ModelIterable
        or queryset._prefetch_related_lookups  # type: ignore[attr-defined]
        or queryset._known_related_objects  # type: ignore[attr-defined]
    ):
        # what a plain queryset does after its query (prefetching, a related manager's known
        # objects, values()) would silently be missing
        raise ValueError("instances() takes a plain queryset of model instances, without prefetching")
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    index_of: dict[Any, tuple[int, bool]] = {value: (i, False) for i, value in enumerate(stand_ins)}
    if kind is uuid.UUID:  # a backend without a UUID type (SQLite) binds them as hex
        index_of.update({value.hex: (i, True) for i, value in enumerate(stand_ins)})
    positions = [(i, *index_of[p]) for i, p in enumerate(params) if type(p) in (int, str, uuid.UUID) and p in index_of]
    if {j for _, j, _hex in positions} != set(range(count or 0)):
        raise ValueError("the ids must appear among the query's parameters")
    fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
    converters, composite = compiler.get_converters(fields), compiler.has_composite_fields(fields)
    common = (compiler, sql, tuple(params), positions, queryset.db, converters, composite)
    if not as_instances:
        return _Shape(*common)
    select, klass_info = compiler.select, compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return _Shape(
        *common,
        model=klass_info["model"],
        init_list=tuple(f[0].target.attname for f in select[start:end]),
        model_columns=(start, end),
        # Django 5.2's signature (the stubs already know a later one)
        populators=tuple(get_related_populators(klass_info, select, queryset.db)),  # type: ignore[call-arg]
        annotations=tuple((compiler.annotation_col_map or {}).items()),
    )


def _padded(ordered: list[Any]) -> list[Any]:
    size = 1
    while size < len(ordered):
        size *= 2
    return ordered + [ordered[-1]] * (size - len(ordered))


def _fetch(
    key: Hashable, build: Callable[[Any], QuerySet], ordered: list[int] | None, *, as_instances: bool
) -> tuple[_Shape, list[Any]]:
    """The shape for the key (compiled on first use) and its converted rows for these ids."""
    shapes = _shapes()
    cache_key = (key, None if ordered is None else len(ordered), as_instances, type(ordered[0]) if ordered else None)
    shape = shapes.get(cache_key)
    if shape is None:
        if len(shapes) >= MOST_SHAPES:
            shapes.clear()
        count = None if ordered is None else len(ordered)
        kind = type(ordered[0]) if ordered else int
        shape = shapes[cache_key] = _compile(build, count, as_instances=as_instances, kind=kind)
    params = list(shape.params)
    for position, which, as_hex in shape.positions:
        value = ordered[which]  # type: ignore[index]  # positions only where there are ids
        params[position] = value.hex if as_hex else value  # type: ignore[union-attr]  # hex only for UUIDs
    with connections[shape.alias].cursor() as cursor:
        cursor.execute(shape.sql, params)
        fetched = cursor.fetchall()
    compiler = shape.compiler
    if compiler.has_extra_select:  # columns the database needed (DISTINCT with an ordering), not asked for
        fetched = [row[: compiler.col_count] for row in fetched]
    if shape.composite:
        return shape, list(compiler.results_iter(results=[fetched]))
    # as `results_iter` converts them, with the converters it would work out anew for every run
    return shape, list(compiler.apply_converters(fetched, shape.converters)) if shape.converters else fetched


def rows(key: Hashable, build: Callable[[Any], QuerySet], ids: Collection[int] | None) -> list[tuple[Any, ...]]:
    """The rows of `build(ids)` (a `values_list` queryset that uses `ids` in `__in` lookups),
    compiled once per key and number of ids. With no ids, no query; with `None`, the query that
    takes no ids (`build(None)`: for everyone, or one that needs none)."""
    ordered = None if ids is None else sorted(set(ids))
    if ordered is not None and not ordered:
        return []
    if ordered is not None and len(ordered) > MOST_IDS:
        return [tuple(row) for row in build(ordered)]
    _shape, converted = _fetch(key, build, None if ordered is None else _padded(ordered), as_instances=False)
    return [tuple(row) for row in converted]


def instances(
    key: Hashable, build: Callable[[Any], QuerySet], ids: Collection[int] | Collection[uuid.UUID] | Collection[str]
) -> list[Any]:
    """The model instances of `build(ids)` (a queryset, `select_related` included, that uses `ids`
    in `__in` lookups; no prefetching), compiled once per key and number of ids; in its order.
    The ids are primary keys (int), public ids (`uuid.UUID`) or keys (str), all of one kind."""
    ordered: list[Any] = sorted(set(ids))
    if not ordered:
        return []
    if len({type(i) for i in ordered}) > 1 or type(ordered[0]) not in (int, uuid.UUID, str):
        raise TypeError("the ids are all ints, all UUIDs or all texts")
    if len(ordered) > MOST_IDS:
        return list(build(ordered))
    shape, converted = _fetch(key, build, _padded(ordered), as_instances=True)
    start, end = shape.model_columns
    result: list[Model] = []
    for row in converted:
        obj = shape.model.from_db(shape.alias, shape.init_list, row[start:end])
        for populator in shape.populators:
            populator.populate(row, obj)
        for name, position in shape.annotations:
            setattr(obj, name, row[position])
        result.append(obj)
    return result


def forget() -> None:
    """Drop this thread's compiled shapes (tests that change the schema or the connection)."""
    _shapes().clear()
