"""Issue 12 point 6: aggregate reports read from a PostgreSQL streaming replica when one is
configured, while access decisions, drill-down lists and audit rows stay on the primary, so a
withdrawn grant takes effect on the next request even while the replica lags. Tested against a real
replica made with pg_basebackup on a throwaway cluster (never the shared server)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

import pytest

from tests import clusters

ROOT = Path(__file__).resolve().parent.parent
PRIMARY, STANDBY = 55462, 55463


@pytest.mark.django_db
def test_reports_read_the_replica_and_decisions_the_primary():
    if connection.vendor != "postgresql" or not clusters.available():
        pytest.skip("a streaming replica is PostgreSQL's, and needs initdb on this machine")
    folder = clusters.Folder()
    try:
        primary = folder.initdb("primary")
        folder.start(primary, PRIMARY, "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n")
        clusters.sql(PRIMARY, "CREATE DATABASE doorstroom")
        standby = folder.path / "standby"
        clusters.run_as_owner(
            [str(clusters.BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY), "-U", "postgres"]
            + ["-D", str(standby), "-R", "-X", "stream", "-c", "fast"]
        )
        folder.start(standby, STANDBY, "hot_standby = on\n")
        assert clusters.sql(STANDBY, "SELECT pg_is_in_recovery()") == "t"
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="config.settings.dev",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{PRIMARY}/doorstroom",
            DOORSTROOM_REPLICA_URL=f"postgres://postgres@127.0.0.1:{STANDBY}/doorstroom",
            DOORSTROOM_AUDIT_CHECKPOINTS=str(folder.path / "checkpoints.log"),
        )
        ran = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "replica_scenario.py")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert ran.returncode == 0, ran.stderr[-3000:]
        found = json.loads(ran.stdout.strip().splitlines()[-1])
    finally:
        folder.close()
    assert found["report_has_figures"]
    assert found["report_queries_on_replica"] > 0  # the counting ran on the replica
    assert found["counting_queries_on_primary"] == 0  # the hand-written counting queries too
    assert found["coach_saw_before"] is True
    assert found["coach_sees_after_withdrawal"] is False  # decided on the primary, at once
    assert found["grant_still_open_on_replica"] is True  # while the replica still showed it open
    assert found["audit_rows_added_on_primary"] >= 1 and found["audit_rows_added_on_replica"] == 0
    assert found["grant_withdrawn_on_replica_after_catching_up"] is True
