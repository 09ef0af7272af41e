"""The scheduled jobs (config/celery.py says when), each calling the same service as its command.
A job's result is counts only: results and logs hold no personal data."""

import io
import logging

from django.core.management import call_command

from celery import shared_task

from doorstroom.access.audit import verify_chain
from doorstroom.core import clock, idempotency
from doorstroom.enrollments import services as enrollment_services
from doorstroom.retention.selectors import files_due_for_destruction
from doorstroom.signalering import services as signal_services

log = logging.getLogger("doorstroom.jobs")


@shared_task
def signals_refresh() -> dict[str, list[int]]:
    """Open new signals and close those that no longer hold, for the whole region (`signalen_bijwerken`)."""
    changed = signal_services.signals_refresh(today=clock.today())
    return {rule: [opened, closed] for rule, (opened, closed) in changed.items()}


@shared_task
def work_grants_refresh() -> list[int]:
    """End the automatic sharing grants of work that is over (`werkdeling_bijwerken`)."""
    created, ended = enrollment_services.work_grants_refresh()
    return [created, ended]


@shared_task
def retention_listing() -> int:
    """How many files are due for destruction (`retention_due` lists them; nothing is removed)."""
    due = len(files_due_for_destruction(today=clock.today()))
    log.info("bewaartermijnen: %s dossiers toe aan vernietiging", due)
    return due


@shared_task
def audit_chain_verify() -> bool:
    """The audit chain still closes (`verify_audit_chain`); a break is logged as an error."""
    report = verify_chain()
    if not report.intact:
        log.error("auditketen NIET in orde bij regel %s: %s", report.broken_at, report.reason)
    return report.intact


@shared_task
def idempotency_purge() -> int:
    """Forget Idempotency-Keys (and their stored answers) older than a day."""
    return idempotency.purge()


@shared_task
def signals_digest() -> str:
    """The weekly e-mail of open signals to every staff member (`signalen_mailen`)."""
    out = io.StringIO()
    call_command("signalen_mailen", stdout=out)
    return out.getvalue().strip()
