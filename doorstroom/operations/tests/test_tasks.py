"""Each scheduled job does what its command does (here run at once, in the test process; the serve
test sends one through a real worker)."""

import pytest

from config.celery import app
from doorstroom.access import audit
from doorstroom.access.models import AuditAction, AuditEvent, AuditResult
from doorstroom.operations import tasks

pytestmark = pytest.mark.django_db


def test_every_scheduled_job_exists():
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == {
        f"doorstroom.operations.tasks.{name}"
        for name in (
            "signals_refresh",
            "work_grants_refresh",
            "retention_listing",
            "audit_chain_verify",
            "idempotency_purge",
            "signals_digest",
        )
    }
    app.loader.import_default_modules()
    assert scheduled <= set(app.tasks)


def test_audit_job_reports_a_broken_chain():
    audit.record(user=None, action=AuditAction.READ, result=AuditResult.ALLOWED, object_type="proef")
    assert tasks.audit_chain_verify.delay().get() is True
    last = AuditEvent.objects.latest("id")
    AuditEvent.objects.create(  # a forged row: the database takes it, the chain does not
        occurred_at=last.occurred_at,
        action=AuditAction.READ,
        result=AuditResult.ALLOWED,
        object_type="vervalst",
        prev_hash=last.hash,
        hash="f" * 64,
    )
    assert tasks.audit_chain_verify.delay().get() is False


def test_signal_and_grant_jobs_return_counts():
    refreshed = tasks.signals_refresh.delay().get()
    assert isinstance(refreshed, dict) and all(len(v) == 2 for v in refreshed.values())
    assert tasks.work_grants_refresh.delay().get() == [0, 0]
    assert tasks.retention_listing.delay().get() == 0
    assert tasks.idempotency_purge.delay().get() == 0
