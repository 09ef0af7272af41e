"""B4, the tail of the chain: the database lets the chain head only move forward, and what someone
who controls the database could still do (switch the triggers off, cut the tail and move the head,
wipe the log and reset the head) is caught by the signed checkpoints kept outside the database.
Found by probing the demo: both passed `verify_audit_chain`."""

import subprocess
import sys
from contextlib import contextmanager

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

import pytest

from doorstroom.access import audit, checkpoints
from doorstroom.access.models import AuditChainHead, AuditEvent, AuditResult, AuditSubject
from doorstroom.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoint_file(tmp_path, settings):
    settings.DOORSTROOM_AUDIT_CHECKPOINTS = str(tmp_path / "controlepunten.log")
    settings.DOORSTROOM_AUDIT_CHECKPOINT_ROWS = 5
    checkpoints.forget()
    yield tmp_path / "controlepunten.log"
    checkpoints.forget()


@pytest.fixture
def append(django_capture_on_commit_callbacks):
    """Append audit rows as a request does, each committed (so the appender's checkpoints run)."""

    def append_rows(count: int) -> None:
        user = UserFactory()
        for number in range(count):
            with django_capture_on_commit_callbacks(execute=True):
                audit.record(
                    user=user,
                    action="read",
                    result=AuditResult.ALLOWED,
                    object_type="participant",
                    object_id=str(number),
                )

    return append_rows


@contextmanager
def database_superuser():
    """What an attacker with the database server's keys can do: switch the protection off."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # triggers do not fire
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
    else:
        before = audit.RESET_FOR_TESTS["allowed"]
        audit.RESET_FOR_TESTS["allowed"] = True  # the SQLite triggers' only way through
        try:
            yield
        finally:
            audit.RESET_FOR_TESTS["allowed"] = before


def _cut_tail(rows: int) -> None:
    ids = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:rows])
    with database_superuser():
        AuditSubject.objects.filter(event_id__in=ids).delete()
        AuditEvent.objects.filter(id__in=ids).delete()
        last = AuditEvent.objects.order_by("-id").first()
        AuditChainHead.objects.filter(pk=1).update(
            last_hash=last.hash if last else audit.GENESIS, length=AuditEvent.objects.count()
        )


def test_the_database_lets_the_head_only_move_forward(checkpoint_file, append, assurance):
    append(3)
    head = AuditChainHead.objects.get(pk=1)
    with audit.protection_enforced():
        for change in ({"length": head.length - 1}, {"last_hash": audit.GENESIS}, {"length": head.length + 5}):
            with pytest.raises(DatabaseError), transaction.atomic():
                AuditChainHead.objects.filter(pk=1).update(**change)
            assurance.add("B4 database refusals", 1)
    assert AuditChainHead.objects.get(pk=1).length == 3
    append(1)  # appending still moves it forward
    assert AuditChainHead.objects.get(pk=1).length == 4 and audit.verify_chain().intact


def test_checkpoints_are_written_by_the_appender_and_signed(checkpoint_file, append):
    append(12)  # none known yet, so one at once; then every five rows
    lines = checkpoint_file.read_text().splitlines()
    assert [checkpoints.Checkpoint.parse(line).length for line in lines] == [1, 6, 11]
    forged = lines[-1].replace('"length":11', '"length":12')
    assert checkpoints.Checkpoint.parse(forged) is None  # a changed line is not believed
    assert checkpoints.latest().length == 11


@pytest.mark.parametrize("attack", ["tail cut and head moved", "log wiped and head reset"])
def test_a_removed_tail_or_a_wiped_log_is_detected(checkpoint_file, append, attack, assurance):
    append(12)
    assert audit.verify_chain().intact
    _cut_tail(4 if attack.startswith("tail") else 12)
    report = audit.verify_chain()
    assert not report.intact and "controlepunt" in report.reason
    with pytest.raises(CommandError, match="controlepunt"):
        call_command("verify_audit_chain")
    # without the checkpoint the database alone would have looked fine: that is the gap closed
    assert audit.verify_chain(checkpoint=checkpoints.Checkpoint.signed(0, audit.GENESIS, "-")).intact
    assurance.add("B4 cut tails and wiped logs detected", 1)


def test_production_refuses_to_start_without_its_own_audit_key_and_checkpoints():
    base = {
        "DOORSTROOM_SECRET_KEY": "s" * 50,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/doorstroom",
        "DOORSTROOM_ENCRYPTION_KEYS": "a" * 44,
        "DOORSTROOM_BLIND_INDEX_KEY": "b" * 32,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "PATH": "/usr/bin:/bin",
    }
    cases = {
        "no key": {},
        "key equal to SECRET_KEY": {"DOORSTROOM_AUDIT_KEY": "s" * 50, "DOORSTROOM_AUDIT_CHECKPOINTS": "syslog"},
        "no checkpoints": {"DOORSTROOM_AUDIT_KEY": "k" * 40},
    }
    for name, extra in cases.items():
        result = subprocess.run(
            [sys.executable, "-c", "import config.settings.production"],
            env={**base, **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode != 0 and "DOORSTROOM_AUDIT" in result.stderr, name
    ok = subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        env={**base, "DOORSTROOM_AUDIT_KEY": "k" * 40, "DOORSTROOM_AUDIT_CHECKPOINTS": "syslog"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
