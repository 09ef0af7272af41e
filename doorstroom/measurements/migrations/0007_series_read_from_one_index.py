"""On PostgreSQL the score series keep one index led by the participant: the covering unique index
(`one_series_per_item`). The foreign key's own index on the participant is dropped there, because the
planner preferred the smaller index and then read every series from the table instead of from the
covering index alone (a report of 12,000 participants: 0.28 s → 0.05 s for the kept series,
benchmarks/RESULTS.md, seventh session). SQLite cannot make the covering index (Django's W039), so
there the foreign key's index stays: it is the only one that finds a participant's series."""

from django.db import migrations

TABLE = "measurements_scoreseries"


def _participant_only_indexes(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [TABLE, "%(participant_id)"],
        )
        return [name for (name,) in cursor.fetchall()]


def drop_participant_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _participant_only_indexes(schema_editor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore_participant_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    if not _participant_only_indexes(schema_editor):
        model = apps.get_model("measurements", "ScoreSeries")
        name = schema_editor._create_index_name(model._meta.db_table, ["participant_id"])
        schema_editor.execute(f'CREATE INDEX "{name}" ON "{TABLE}" ("participant_id")')


class Migration(migrations.Migration):
    dependencies = [("measurements", "0006_score_series")]

    operations = [migrations.RunPython(drop_participant_index, restore_participant_index, elidable=False)]
