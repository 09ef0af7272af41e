"""Search by name on PostgreSQL reads indexes instead of every participant: trigram indexes on the
upper-cased given and family names (what Django's `icontains` compares) and a plain one on the
upper-cased prefix (`iexact`). At 1,000,000 participants a search for a common part of a name went
from 486 to 114 ms in the database (benchmarks/RESULTS.md). SQLite has no such indexes; nothing
changes there. `pg_trgm` is a trusted extension: the database's owner may create it."""

from django.db import migrations

INDEXES = {
    "participant_given_name_trgm": "USING gin (upper(given_name::text) gin_trgm_ops)",
    "participant_family_name_trgm": "USING gin (upper(family_name::text) gin_trgm_ops)",
    "participant_prefix_upper": "(upper(family_name_prefix::text))",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, how in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON participants_participant {how}")
    # statistics of the indexed expressions, so the planner knows how selective a name is (a
    # search for a common part of a name read every participant until they were there)
    schema_editor.execute("ANALYZE participants_participant")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("participants", "0007_data_needs")]

    operations = [migrations.RunPython(create, drop)]
