"""Database-enforced protection of the audit log (assurance B3, B4).

UPDATE and DELETE on audit rows are refused by the database itself. On SQLite a DELETE is allowed
only while `doorstroom_audit_reset_allowed()` returns 1, which only the test suite's reset path does
(the function is registered on each connection by the access app; without it the DELETE fails).
While a row exists in access_auditfaultinjection, inserts are refused: the fail-closed test.
"""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON access_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'Het auditlog is alleen aan te vullen.'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON access_auditevent "
    "WHEN doorstroom_audit_reset_allowed() = 0 "
    "BEGIN SELECT RAISE(ABORT, 'Het auditlog is alleen aan te vullen.'); END",
    "CREATE TRIGGER audit_subject_no_update BEFORE UPDATE ON access_auditsubject "
    "BEGIN SELECT RAISE(ABORT, 'Het auditlog is alleen aan te vullen.'); END",
    "CREATE TRIGGER audit_subject_no_delete BEFORE DELETE ON access_auditsubject "
    "WHEN doorstroom_audit_reset_allowed() = 0 "
    "BEGIN SELECT RAISE(ABORT, 'Het auditlog is alleen aan te vullen.'); END",
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON access_auditchainhead "
    "WHEN doorstroom_audit_reset_allowed() = 0 "
    "BEGIN SELECT RAISE(ABORT, 'Het auditlog is alleen aan te vullen.'); END",
    "CREATE TRIGGER audit_event_fault BEFORE INSERT ON access_auditevent "
    "WHEN EXISTS (SELECT 1 FROM access_auditfaultinjection) "
    "BEGIN SELECT RAISE(ABORT, 'Het auditlog weigert (storingstest).'); END",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "audit_event_no_update", "audit_event_no_delete", "audit_subject_no_update", "audit_subject_no_delete",
        "audit_head_no_delete", "audit_event_fault",
    )
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION doorstroom_audit_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'Het auditlog is alleen aan te vullen.'; END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION doorstroom_audit_fault() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM access_auditfaultinjection) THEN
        RAISE EXCEPTION 'Het auditlog weigert (storingstest).';
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON access_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION doorstroom_audit_append_only()",
    "CREATE TRIGGER audit_subject_append_only BEFORE UPDATE OR DELETE ON access_auditsubject "
    "FOR EACH ROW EXECUTE FUNCTION doorstroom_audit_append_only()",
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON access_auditchainhead "
    "FOR EACH ROW EXECUTE FUNCTION doorstroom_audit_append_only()",
    "CREATE TRIGGER audit_event_fault BEFORE INSERT ON access_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION doorstroom_audit_fault()",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON access_auditevent",
    "DROP TRIGGER IF EXISTS audit_subject_append_only ON access_auditsubject",
    "DROP TRIGGER IF EXISTS audit_head_no_delete ON access_auditchainhead",
    "DROP TRIGGER IF EXISTS audit_event_fault ON access_auditevent",
    "DROP FUNCTION IF EXISTS doorstroom_audit_append_only()",
    "DROP FUNCTION IF EXISTS doorstroom_audit_fault()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
