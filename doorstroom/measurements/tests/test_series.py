"""Where the score series are found (measurements.ScoreSeries, migration 0007)."""

from django.db import connection

import pytest

from doorstroom.measurements.models import ScoreSeries

pytestmark = pytest.mark.django_db


def _indexes_led_by_the_participant() -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, ScoreSeries._meta.db_table)
    return {name: c for name, c in found.items() if c["index"] and c["columns"][:1] == ["participant_id"]}


def test_a_participants_series_are_found_by_exactly_one_index() -> None:
    """PostgreSQL: the covering unique index, read alone by the report (with the foreign key's index
    beside it the planner read the table instead). SQLite cannot make a covering index, so there the
    foreign key's index finds them (without it every refresh would read the whole table)."""
    led = _indexes_led_by_the_participant()
    assert len(led) == 1, led
    ((name, index),) = led.items()
    if connection.vendor == "postgresql":
        assert name == "one_series_per_item" and index["unique"]
        assert index["columns"][:3] == ["participant_id", "instrument", "item"]  # then the figures it includes
    else:
        assert index["columns"] == ["participant_id"]
