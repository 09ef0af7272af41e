"""The chain head only moves forward (assurance B4): each update adds exactly one to its length and
points at the newest audit row. Moving it back, to hide a removed tail or a wiped log, is refused
by the database (and what a database superuser could still do is caught by the signed
checkpoints kept outside the database, `access.checkpoints`)."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON access_auditchainhead "
    "WHEN doorstroom_audit_reset_allowed() = 0 AND ("
    " NEW.length != OLD.length + 1"
    " OR NEW.last_hash IS NOT (SELECT hash FROM access_auditevent ORDER BY id DESC LIMIT 1)) "
    "BEGIN SELECT RAISE(ABORT, 'De kop van het auditlog kan alleen vooruit.'); END",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_head_forward_only"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION doorstroom_audit_head_forward() RETURNS trigger AS $$
    BEGIN
      IF NEW.length <> OLD.length + 1
         OR NEW.last_hash IS DISTINCT FROM (SELECT hash FROM access_auditevent ORDER BY id DESC LIMIT 1) THEN
        RAISE EXCEPTION 'De kop van het auditlog kan alleen vooruit.';
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON access_auditchainhead "
    "FOR EACH ROW EXECUTE FUNCTION doorstroom_audit_head_forward()",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_head_forward_only ON access_auditchainhead",
    "DROP FUNCTION IF EXISTS doorstroom_audit_head_forward()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("access", "0005_audit_detail")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
