"""Point-in-time recovery drill (issue 12): on a throwaway PostgreSQL cluster made with initdb and
pg_ctl in a temporary folder (never the shared server), with WAL archiving on: a base backup, audit
rows written before a moment T and after it, then the base backup restored with
recovery_target_time = T. What was written before T must be there and nothing after; the audit
chain must verify on the recovered database. Prints the figures (restore time included) and writes
benchmarks/pitr-results.json. Not a test.

Usage (from the repository root; the cluster runs as the `postgres` system user when started as root):

    .venv/bin/python benchmarks/pitr_drill.py [--rows 2000]
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import clusters  # noqa: E402  (the throwaway clusters of the tests)
from tests.clusters import BIN, run_as_owner, sql  # noqa: E402

PRIMARY_PORT, RESTORED_PORT = 55432, 55433


def django(port: int, code: str, checkpoints: Path) -> str:
    """Run Python with the application's settings against the drill's database and checkpoints."""
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/doorstroom",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DOORSTROOM_AUDIT_CHECKPOINTS=str(checkpoints),
        DOORSTROOM_AUDIT_CHECKPOINT_ROWS="100",
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


APPEND = """
from doorstroom.access import audit
for n in range({rows}):
    audit.record(user=None, action="read", result="allowed", object_type="{kind}", object_id=str(n))
print("ok")
"""
COUNT = """
from doorstroom.access.audit import verify_chain
from doorstroom.access.models import AuditEvent
report = verify_chain()
print(report.reason)
print(AuditEvent.objects.filter(object_type="voor").count(), AuditEvent.objects.filter(object_type="na").count(),
      report.intact, report.checked)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000, help="audit rows before and after the moment T")
    args = parser.parse_args()
    cluster = clusters.Folder()
    folder = cluster.path
    archive, base, restored = (folder / n for n in ("archive", "base", "restored"))
    try:
        primary = cluster.initdb("primary")
        run_as_owner(["mkdir", str(archive)])
        cluster.start(
            primary,
            PRIMARY_PORT,
            f"wal_level = replica\narchive_mode = on\narchive_command = 'cp %p {archive}/%f'\nmax_wal_senders = 4\n",
        )
        sql(PRIMARY_PORT, "CREATE DATABASE doorstroom")
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/doorstroom")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=ROOT,
            env=dict(env, DJANGO_SETTINGS_MODULE="config.settings.dev"),
            check=True,
        )
        run_as_owner(
            [str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres"]
            + ["-D", str(base), "-X", "stream", "-c", "fast"]
        )
        marks = folder / "checkpoints.log"
        django(PRIMARY_PORT, APPEND.format(rows=args.rows, kind="voor"), marks)
        moment = sql(PRIMARY_PORT, "SELECT now()")  # the moment T: everything above is before it
        marks_at_moment = folder / "checkpoints-at-T.log"
        shutil.copy(marks, marks_at_moment)  # the checkpoints as they stood at T
        time.sleep(1.0)
        django(PRIMARY_PORT, APPEND.format(rows=args.rows, kind="na"), marks)
        sql(PRIMARY_PORT, "SELECT pg_switch_wal()")  # the last segment goes to the archive
        time.sleep(1.0)
        cluster.stop(primary)

        run_as_owner(["cp", "-a", str(base), str(restored)])
        run_as_owner(["touch", str(restored / "recovery.signal")])
        clock = time.perf_counter()
        cluster.start(
            restored,
            RESTORED_PORT,
            f"restore_command = 'cp {archive}/%f %p'\nrecovery_target_time = '{moment}'\n"
            "recovery_target_action = 'promote'\n",
        )
        while sql(RESTORED_PORT, "SELECT pg_is_in_recovery()") == "t":
            time.sleep(0.1)
        recovery_seconds = time.perf_counter() - clock
        *_output, reason, counted = django(RESTORED_PORT, COUNT, marks_at_moment).splitlines()
        before, after, intact, checked = counted.split()
        # against the checkpoints written after T, the recovered log is one whose tail is gone: that is
        # what a point-in-time recovery is, and the checkpoints must say so (docs/operations.md)
        *_output, reason_later, _counted = django(RESTORED_PORT, COUNT, marks).splitlines()
        wal_segments = len(list(archive.iterdir()))
        version = sql(RESTORED_PORT, "SHOW server_version")
        result = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()} {os.cpu_count()} cores, PostgreSQL {version}",
            "rows_before_T": args.rows,
            "rows_after_T": args.rows,
            "recovered_rows_before_T": int(before),
            "recovered_rows_after_T": int(after),
            "audit_chain_intact": intact == "True",
            "audit_chain_report": reason,
            "against_checkpoints_written_after_T": reason_later,
            "audit_rows_checked": int(checked),
            "archived_wal_segments": wal_segments,
            "recovery_seconds": round(recovery_seconds, 1),
            "kept_what_was_before_T_and_nothing_after": int(before) == args.rows and int(after) == 0,
        }
        (Path(__file__).parent / "pitr-results.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
        if not result["kept_what_was_before_T_and_nothing_after"] or not result["audit_chain_intact"]:
            raise SystemExit("Herstel naar tijdstip T klopt niet.")
    finally:
        cluster.close()


if __name__ == "__main__":
    main()
