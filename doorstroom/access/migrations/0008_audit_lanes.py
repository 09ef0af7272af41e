"""Lanes of the audit chain (ADR 0021): every row names the lane it is linked into, and the head of
a lane may only move to that lane's newest row. Existing rows are lane 1, as the one chain was."""

import hashlib

from django.db import migrations, models


def genesis(lane):
    """As access.audit.genesis (a migration keeps its own copy)."""
    return "0" * 64 if lane == 1 else hashlib.sha256(f"doorstroom-audit-lane-{lane}".encode()).hexdigest()

SQLITE = [
    "DROP TRIGGER IF EXISTS audit_head_forward_only",
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON access_auditchainhead "
    "WHEN doorstroom_audit_reset_allowed() = 0 AND ("
    " NEW.length != OLD.length + 1"
    " OR NEW.last_hash IS NOT (SELECT hash FROM access_auditevent WHERE lane = NEW.id ORDER BY id DESC LIMIT 1)) "
    "BEGIN SELECT RAISE(ABORT, 'De kop van het auditlog kan alleen vooruit.'); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_head_forward_only",
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON access_auditchainhead "
    "WHEN doorstroom_audit_reset_allowed() = 0 AND ("
    " NEW.length != OLD.length + 1"
    " OR NEW.last_hash IS NOT (SELECT hash FROM access_auditevent ORDER BY id DESC LIMIT 1)) "
    "BEGIN SELECT RAISE(ABORT, 'De kop van het auditlog kan alleen vooruit.'); END",
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION doorstroom_audit_head_forward() RETURNS trigger AS $$
    BEGIN
      IF NEW.length <> OLD.length + 1
         OR NEW.last_hash IS DISTINCT FROM (
           SELECT hash FROM access_auditevent WHERE lane = NEW.id ORDER BY id DESC LIMIT 1) THEN
        RAISE EXCEPTION 'De kop van het auditlog kan alleen vooruit.';
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
]
POSTGRES_REVERSE = [
    """CREATE OR REPLACE FUNCTION doorstroom_audit_head_forward() RETURNS trigger AS $$
    BEGIN
      IF NEW.length <> OLD.length + 1
         OR NEW.last_hash IS DISTINCT FROM (SELECT hash FROM access_auditevent ORDER BY id DESC LIMIT 1) THEN
        RAISE EXCEPTION 'De kop van het auditlog kan alleen vooruit.';
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


LANE = models.PositiveSmallIntegerField(default=1)


def add_lane(apps, schema_editor):
    """On SQLite, Django would rebuild the table to add a column with a default, and a rebuilt table
    loses its append-only triggers; SQLite's own ADD COLUMN keeps them."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "ALTER TABLE access_auditevent ADD COLUMN lane smallint unsigned NOT NULL DEFAULT 1"
        )
    else:
        field = LANE.clone()
        field.set_attributes_from_name("lane")
        schema_editor.add_field(apps.get_model("access", "AuditEvent"), field)


def remove_lane(apps, schema_editor):
    schema_editor.execute("ALTER TABLE access_auditevent DROP COLUMN lane")


def make_heads(apps, schema_editor):
    """The heads of the lanes, so that the first writers never make them at the same time."""
    from django.conf import settings

    head = apps.get_model("access", "AuditChainHead")
    lanes = max(1, int(getattr(settings, "DOORSTROOM_AUDIT_LANES", 8)))
    existing = set(head.objects.values_list("pk", flat=True))
    head.objects.bulk_create(
        [head(pk=n, last_hash=genesis(n), length=0) for n in range(1, lanes + 1) if n not in existing]
    )


class Migration(migrations.Migration):
    dependencies = [("access", "0007_audit_result_not_saved")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name="auditevent", name="lane", field=LANE)],
            database_operations=[migrations.RunPython(add_lane, remove_lane)],
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["lane", "id"], name="audit_lane_order"),
        ),
        migrations.RunPython(make_heads, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
