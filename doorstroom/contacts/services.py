"""Recording contact moments."""

from datetime import date

from django.db import transaction

from doorstroom.core import clock, touched
from doorstroom.core.errors import DomainError, raise_all
from doorstroom.core.messages import _
from doorstroom.enrollments.selectors import trajectory_start
from doorstroom.organisations.models import User
from doorstroom.participants.models import Participant

from . import rules
from .models import ContactKind, ContactMoment


def _check(
    participant: Participant,
    *,
    kind: str,
    status: str,
    occurred_on: date,
    attendance: str,
    minutes: int | None,
    note: str,
) -> None:
    """Every problem of a contact moment at once, each naming its field."""
    errors = []
    if kind not in ContactKind.values:
        errors.append(DomainError(_("Kies een soort contact uit de lijst."), field="kind"))
    if len(note) > 4000:
        errors.append(DomainError(_("Houd de notitie korter dan 4000 tekens."), field="note"))
    problems = rules.contact_problems(
        status=status,
        attendance=attendance,
        minutes=minutes,
        on=occurred_on,
        today=clock.today(),
        started_on=trajectory_start(participant),
    )
    errors += [DomainError(message, field=field) for field, message in problems]
    raise_all(errors)


@transaction.atomic
def contact_record(
    *,
    participant: Participant,
    actor: User,
    kind: str,
    status: str,
    occurred_on: date,
    attendance: str = "",
    minutes: int | None = None,
    note: str = "",
) -> ContactMoment:
    """Errors name the field: kind, status, occurred_on, attendance, minutes, note."""
    _check(
        participant,
        kind=kind,
        status=status,
        occurred_on=occurred_on,
        attendance=attendance,
        minutes=minutes,
        note=note,
    )
    touched.mark(participant.pk, written=touched.CONTACTS)
    return ContactMoment.objects.create(
        participant=participant,
        recorded_by=actor,
        kind=kind,
        status=status,
        occurred_on=occurred_on,
        attendance=attendance,
        minutes=minutes,
        note=note.strip(),
    )


@transaction.atomic
def contact_update(
    *,
    contact: ContactMoment,
    kind: str,
    status: str,
    occurred_on: date,
    attendance: str = "",
    minutes: int | None = None,
    note: str = "",
) -> ContactMoment:
    """Change a recorded contact moment (an imported history corrected by a later file), by the
    same rules as recording one."""
    _check(
        contact.participant,
        kind=kind,
        status=status,
        occurred_on=occurred_on,
        attendance=attendance,
        minutes=minutes,
        note=note,
    )
    touched.mark(contact.participant_id, written=touched.CONTACTS)
    contact.kind, contact.status, contact.occurred_on = kind, status, occurred_on
    contact.attendance, contact.minutes, contact.note = attendance, minutes, note.strip()
    contact.save(update_fields=["kind", "status", "occurred_on", "attendance", "minutes", "note"])
    return contact
