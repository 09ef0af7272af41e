"""Lanes of the audit chain (ADR 0021): a writer whose lane is busy appends to another lane
instead of waiting; one transaction's rows stay in one lane; and every lane is as tamper-evident
as the single chain was (links, head, signed checkpoints)."""

import threading

from django.db import connection, connections, transaction

import pytest

from doorstroom.access import audit, checkpoints
from doorstroom.access.models import AuditChainHead, AuditEvent, AuditResult, AuditSubject
from doorstroom.access.tests.test_chain_checkpoints import database_superuser
from doorstroom.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _record(user, number: int) -> AuditEvent:
    return audit.record(
        user=user, action="read", result=AuditResult.ALLOWED, object_type="participant", object_id=str(number)
    )


class HoldingWriter(threading.Thread):
    """Another request: appends one row and keeps its transaction (and its lane) open until told."""

    def __init__(self, user) -> None:
        super().__init__(daemon=True)
        self.user, self.holding, self.release = user, threading.Event(), threading.Event()
        self.lane: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.lane = _record(self.user, 0).lane
                self.holding.set()
                self.release.wait(30)
        except BaseException as failed:  # noqa: BLE001 - reported to the test
            self.error = failed
            self.holding.set()
        finally:
            connections.close_all()


@pytest.fixture
def postgres_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("lanes are PostgreSQL's: SQLite has one writer at a time and one lane")
    settings.DOORSTROOM_AUDIT_LANES = 4
    audit.ensure_lanes()  # as the migration does (the test database is emptied between these tests)


def test_a_busy_lane_is_passed_by_not_waited_for(postgres_only, assurance):
    user = UserFactory()
    holder = HoldingWriter(user)
    holder.start()
    assert holder.holding.wait(30) and holder.error is None
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")  # waiting for lane 1 would fail here
            first = _record(user, 1)
            holder.release.set()
            holder.join(30)
            second = _record(user, 2)  # lane 1 is free now, but this transaction keeps its own lane
    finally:
        holder.release.set()
        holder.join(30)
    assert holder.lane == 1 and first.lane == 2 and second.lane == 2
    assert second.prev_hash == first.hash
    report = audit.verify_chain()
    assert report.intact and report.tails[1][0] == 1 and report.tails[2][0] == 2
    assert AuditChainHead.objects.get(pk=2).length == 2
    assurance.add("B4 lanes passed without waiting", 1)


def test_many_concurrent_writers_leave_every_lane_intact(postgres_only):
    user = UserFactory()
    errors: list[BaseException] = []

    def write(offset: int) -> None:
        try:
            for n in range(15):
                with transaction.atomic():
                    _record(user, offset + n)
        except BaseException as failed:  # noqa: BLE001
            errors.append(failed)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=write, args=(100 * w,)) for w in range(5)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
    assert errors == []
    report = audit.verify_chain()
    assert report.intact and report.checked == 75
    assert sum(rows for rows, _last in report.tails.values()) == 75
    assert set(AuditEvent.objects.values_list("lane", flat=True)) <= {1, 2, 3, 4}


def test_a_cut_tail_in_any_lane_is_caught_by_that_lanes_checkpoint(postgres_only, settings, tmp_path, assurance):
    settings.DOORSTROOM_AUDIT_CHECKPOINTS = str(tmp_path / "controlepunten.log")
    settings.DOORSTROOM_AUDIT_CHECKPOINT_ROWS = 1
    checkpoints.forget()
    try:
        user = UserFactory()
        holder = HoldingWriter(user)
        holder.start()
        assert holder.holding.wait(30) and holder.error is None
        try:
            for n in range(3):
                _record(user, n)  # each its own transaction: lane 2, while lane 1 is held
        finally:
            holder.release.set()
            holder.join(30)
        assert set(checkpoints.latest_by_lane()) == {1, 2}
        assert audit.verify_chain().intact
        last = AuditEvent.objects.filter(lane=2).order_by("-id").first()
        with database_superuser():
            AuditSubject.objects.filter(event=last).delete()
            AuditEvent.objects.filter(pk=last.pk).delete()
            before = AuditEvent.objects.filter(lane=2).order_by("-id").first()
            AuditChainHead.objects.filter(pk=2).update(last_hash=before.hash, length=2)
        report = audit.verify_chain()
        assert not report.intact and "baan 2" in report.reason and "controlepunt" in report.reason
        assurance.add("B4 cut tails and wiped logs detected", 1)
    finally:
        checkpoints.forget()


def test_a_row_moved_to_another_lane_breaks_the_chain():
    rows, subjects = [], {}
    previous = {1: audit.genesis(1), 2: audit.genesis(2)}
    for index in range(1, 7):
        lane = 1 + index % 2
        values = {name: "" for name in audit.CHAINED_FIELDS}
        values.update({"occurred_at": audit.timezone.now().replace(microsecond=0), "categories": []})
        values.update({"subject_count": 0, "break_glass": False})
        digest = audit.chain_hash(previous[lane], values, [])
        rows.append({"id": index, "lane": lane, "prev_hash": previous[lane], "hash": digest, **values})
        previous[lane] = digest
    report = audit.verify_rows(rows, subjects)
    assert report.intact and report.tails == {1: (3, previous[1]), 2: (3, previous[2])}
    rows[2] = {**rows[2], "lane": 1 if rows[2]["lane"] == 2 else 2}
    assert not audit.verify_rows(rows, subjects).intact


@transaction.atomic
def _write_as_a_service(user, number: int, *, impatient: bool = False) -> AuditEvent:
    """A service decorated with `@transaction.atomic`: one Atomic object for all its calls."""
    if impatient:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '500ms'")  # waiting for a busy lane fails here
    return _record(user, number)


def test_a_services_next_transaction_takes_a_free_lane_not_the_one_it_used_before(postgres_only):
    """The lane a transaction holds ends with it, also when every call of a service shares one
    outer atomic block: otherwise its later writes all queue for the lane its first one took."""
    user = UserFactory()
    first = _write_as_a_service(user, 1)
    assert first.lane == 1
    holder = HoldingWriter(user)  # another request now holds lane 1
    holder.start()
    assert holder.holding.wait(30) and holder.error is None
    try:
        second = _write_as_a_service(user, 2, impatient=True)
    finally:
        holder.release.set()
        holder.join(30)
    assert holder.lane == 1 and second.lane == 2
    assert audit.verify_chain().intact
