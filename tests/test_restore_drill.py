"""F7: a restore drill in every test run. PostgreSQL: `pg_dump -Fc` of a database holding a small demo
region, `pg_restore` into a fresh database, then every table equal in row count and in an ordered
checksum of its content, the audit chain verifying on the copy and every enrollment's stored state
equal to its replay on the copy. SQLite: the backup API while another connection keeps writing; the
copy is a consistent database with every table of the source."""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

from django.db import connection

import psycopg
import pytest

from doorstroom.core import clock
from doorstroom.demo import generator

ROOT = Path(__file__).resolve().parents[1]


def table_figures(url: str) -> dict[str, tuple[int, str]]:
    """Per table of the public schema: (rows, md5 of its rows as text in sorted order)."""
    figures: dict[str, tuple[int, str]] = {}
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        for table in tables:
            rows, digest = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: S608 - names from the catalogue
            ).fetchone()
            figures[table] = (int(rows), str(digest))
    return figures


def manage(url: str, *command: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.django_db(transaction=True)
def test_f7_postgresql_dump_restores_every_table_exactly(tmp_path, assurance):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL (make test runs this there)")
    s = connection.settings_dict
    who = f"{quote(s['USER'] or 'postgres')}:{quote(s['PASSWORD'] or '')}"
    server = f"postgresql://{who}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    source, copy = f"{server}/{s['NAME']}", f"{server}/{s['NAME']}_restored"
    generator.generate(participants=30, seed=7, today=clock.today())  # committed: pg_dump is another process
    connection.close()
    dump = tmp_path / "doorstroom.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), source], check=True)  # noqa: S603, S607
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{s["NAME"]}_restored" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{s["NAME"]}_restored"')
    try:
        subprocess.run(["pg_restore", "--exit-on-error", "-d", copy, str(dump)], check=True)  # noqa: S603, S607
        before, after = table_figures(source), table_figures(copy)
        assert len(before) >= 40 and before["participants_participant"][0] >= 30
        mismatches = sorted(t for t in before if before[t] != after.get(t))
        assurance.add("F7 tables compared", len(before))
        assurance.add("F7 table mismatches", len(mismatches) + len(set(after) - set(before)))
        assert mismatches == [] and set(after) == set(before)
        chain = manage(copy, "verify_audit_chain")
        assert chain.returncode == 0 and "in orde" in chain.stdout, chain.stderr
        replay = manage(copy, "check_replay")
        assert replay.returncode == 0 and "opgeslagen stand = replay" in replay.stdout, replay.stderr
        assurance.add("F7 restore drills")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{s["NAME"]}_restored" WITH (FORCE)')


def test_f7_sqlite_backup_while_writes_continue(tmp_path, assurance):
    """SQLite's own backup API copies a live `make run` database page by page while another connection
    keeps writing. The copy passes SQLite's integrity check, every table but the one being written
    equals the source, the audit chain verifies and stored state equals replay on the copy."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill runs in the SQLite stage")
    live, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    env = {**os.environ, "DOORSTROOM_SQLITE_PATH": str(live), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    env.pop("DATABASE_URL", None)
    for command in (["migrate", "-v0"], ["seed_demo", "--participants", "30"]):
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
    source = sqlite3.connect(live)
    stop = threading.Event()
    written = {"rows": 0}

    def writer() -> None:  # sessions come and go while the backup runs
        conn = sqlite3.connect(live, timeout=30)
        while not stop.is_set():
            with conn:
                conn.execute(
                    "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, 'x', '2099-01-01')",
                    (f"drill{written['rows']:08d}",),
                )
            written["rows"] += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        target = sqlite3.connect(copy)
        source.backup(target, pages=16)  # in small steps, so the writer gets in between
    finally:
        stop.set()
        thread.join()
    assert written["rows"] > 0
    assert target.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    tables = [r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    mismatches = []
    for table in tables:
        if table == "django_session":
            continue  # the table the writer keeps changing
        query = f'SELECT * FROM "{table}" ORDER BY 1'  # noqa: S608 - names from the catalogue
        if source.execute(query).fetchall() != target.execute(query).fetchall():
            mismatches.append(table)
    assurance.add("F7 tables compared", len(tables) - 1)
    assurance.add("F7 table mismatches", len(mismatches))
    assert len(tables) >= 40 and mismatches == []
    target.close()
    # checked against the checkpoints the live database kept, as a real restore would be
    on_copy = {
        **env,
        "DOORSTROOM_SQLITE_PATH": str(copy),
        "DOORSTROOM_AUDIT_CHECKPOINTS": f"{live}.audit-checkpoints.log",
    }
    for command, expected in (("verify_audit_chain", "in orde"), ("check_replay", "opgeslagen stand = replay")):
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", command], cwd=ROOT, env=on_copy, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0 and expected in done.stdout, done.stderr[-2000:]
    assurance.add("F7 SQLite backups under writes")
