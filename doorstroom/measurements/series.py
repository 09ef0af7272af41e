"""Score series: per participant, instrument and item, the first and the last score and how many
were measured, kept for the reports (ADR 0019 step 2) so that progress need not join every score.

A series is a cache of the scores, like an enrollment's state is a cache of its events: every writer
of scores refreshes the series of the participants it wrote for, in the same transaction
(`series_refresh`), and `series_mismatches` compares the stored series with the scores (the
`check_replay` command). A corrected measurement does not count (as known today)."""

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast

from .models import Measurement, MeasurementScore, ScoreSeries

#: the instruments whose progress the reports count
INSTRUMENTS = ("taalniveau", "participatieladder", "zrm")

#: a score's place in its series and its value packed into one integer, so that the smallest key of a
#: series is its first score and the largest its last (measurement date, then recording order): days
#: since 2000 (< 10^5 until the year 2273), the measurement id (< 10^8, checked), the value (a small
#: integer, shifted to be positive)
ID_ROOM = 10**8
VALUE_ROOM = 10**5
VALUE_SHIFT = 2**15

_KIND = "measurement__scale__measurement_type__kind"


class DaysSince2000(Func):
    """Days from 2000-01-01 to a date, as an integer on both databases (a date difference in Django
    is an interval on PostgreSQL, and extracting year, month and day is slow there)."""

    output_field = BigIntegerField()
    template = "(%(expressions)s - DATE '2000-01-01')"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - julianday('2000-01-01') AS INTEGER)",
            **extra,
        )


def _big(number: int) -> Value:
    return Value(number, output_field=BigIntegerField())


def score_key() -> ExpressionWrapper:
    """The packed key of a score (see ID_ROOM)."""
    # every constant a bigint: bound by the server (ADR 0022), a plain number is sent as a 4-byte
    # integer, which the room for days (10^13) does not fit and an id times the room overflows
    return ExpressionWrapper(
        DaysSince2000(F("measurement__measured_on")) * _big(ID_ROOM * VALUE_ROOM)
        + Cast(F("measurement_id"), BigIntegerField()) * _big(VALUE_ROOM)
        + F("value")
        + _big(VALUE_SHIFT),
        output_field=BigIntegerField(),
    )


def check_key_room() -> None:
    if (Measurement.objects.aggregate(highest=Max("id"))["highest"] or 0) >= ID_ROOM:
        raise RuntimeError("measurement ids have outgrown the packed score key in measurements.series")


def counted_scores() -> QuerySet[MeasurementScore]:
    """The scores a series counts: of the reported instruments, with a value, not corrected later."""
    return MeasurementScore.objects.filter(
        ~Exists(Measurement.objects.filter(corrects=OuterRef("measurement_id"))),
        measurement__scale__measurement_type__kind__in=INSTRUMENTS,
        value__isnull=False,
    ).order_by()


def per_series(scores: QuerySet[MeasurementScore], **figures: Any) -> QuerySet[MeasurementScore, Any]:
    """`scores` grouped per series (participant, instrument, item) with `figures` beside the key."""
    return scores.values(
        series_participant=F("measurement__participant_id"), series_instrument=F(_KIND), series_item=F("item")
    ).annotate(**figures)


_COLUMNS = ("participant_id", "instrument", "item", "first_key", "last_key", "measured", "last_on")


def _computed(participant_ids: Iterable[int] | None) -> QuerySet[MeasurementScore, Any]:
    key = score_key()
    scores = counted_scores()
    if participant_ids is not None:
        scores = scores.filter(measurement__participant_id__in=list(participant_ids))
    return per_series(  # type: ignore[misc]  # the names are the grouping's own annotations
        scores,
        first_key=Min(key),
        last_key=Max(key),
        measured=Count("id"),
        last_on=Max("measurement__measured_on"),
    ).values_list(
        "series_participant", "series_instrument", "series_item", "first_key", "last_key", "measured", "last_on"
    )


def series_refresh(participant_ids: Iterable[int] | None = None) -> None:
    """Compute the series of these participants again from their scores (None: everyone's), in
    the database: delete, then insert what the grouping gives."""
    check_key_room()
    chunks: list[list[int] | None] = [None]
    if participant_ids is not None:
        ids = sorted(set(participant_ids))
        if not ids:
            return
        chunks = [ids[i : i + 2000] for i in range(0, len(ids), 2000)]
    table = connection.ops.quote_name(ScoreSeries._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    for chunk in chunks:
        stale = ScoreSeries.objects.all() if chunk is None else ScoreSeries.objects.filter(participant_id__in=chunk)
        stale.delete()
        select, params = _computed(chunk).query.sql_with_params()
        with connection.cursor() as cursor:
            # built from the model's own table and column names and the compiled query, parameters apart
            cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)  # noqa: S608  # nosec B608


def series_mismatches() -> tuple[int, list[tuple[int, str]]]:
    """Every stored series against the series computed from the scores now: (series checked,
    [(participant id, what differs)]). Reads both sides whole: for the consistency check only."""
    check_key_room()
    stored = {row[:3]: row[3:] for row in ScoreSeries.objects.values_list(*_COLUMNS)}
    computed = {row[:3]: row[3:] for row in _computed(None)}
    mismatches = [
        (series[0], f"{series[1]}/{series[2]}: opgeslagen {stored.get(series)!r}, scores {computed.get(series)!r}")
        for series in sorted(set(stored) | set(computed))
        if stored.get(series) != computed.get(series)
    ]
    return len(computed), mismatches
