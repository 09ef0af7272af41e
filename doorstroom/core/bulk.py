"""Writing many rows that nothing refers back to by id: PostgreSQL's COPY instead of the ORM's bulk
insert, which builds a model object and a parameter list for every row. Used where volume is the
point (the demo generator, an import's bookkeeping); the rows are exactly what the ORM would store."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

#: rows per statement for the ORM's bulk insert on SQLite
BATCH = 5000


def write_objects(objects: Sequence[Model]) -> None:
    """Model objects written with COPY on PostgreSQL (they get no primary key here): each field's
    own conversion for the database (defaults, encryption, JSON). On SQLite, the ORM's bulk insert."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    write_rows(
        model,
        [f.attname for f in fields],
        (tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields) for obj in objects),
    )


def write_rows(model: type[Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Plain rows written with COPY on PostgreSQL; on SQLite, the ORM's bulk insert. `columns` are
    attribute names (`measurement_id`); the values must be what the database stores."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH
        )
        return
    column_of = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    names = ", ".join(quote(column_of[name]) for name in columns)
    statement = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
