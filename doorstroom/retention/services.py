"""Destruction lists: drawn up from what is due, approved by a records manager, then executed."""

from collections import Counter
from datetime import date

from django.db import transaction
from django.utils import timezone

from doorstroom.access import audit
from doorstroom.access.models import AuditAction, AuditResult
from doorstroom.access.policy import served_municipality_ids
from doorstroom.core.errors import DomainError
from doorstroom.core.messages import _
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, TeamAssignment
from doorstroom.organisations.models import Organisation, Role, User
from doorstroom.participants.models import Household, Participant

from . import rules, selectors
from .models import DestructionItem, DestructionList, ErasureGround, ErasureRecord, ListStatus


def _require_records_manager(actor: User, municipality: Organisation) -> None:
    if actor.role != Role.RECORDS_MANAGER or municipality.pk not in served_municipality_ids(actor):
        raise DomainError(
            _("Alleen een archivaris van de gemeente stelt vernietigingslijsten op en keurt ze goed."), field="actor"
        )


@transaction.atomic
def destruction_list_create(*, actor: User, municipality: Organisation, today: date) -> DestructionList:
    """A draft list of every file of one municipality due on `today`; a records manager of that
    municipality draws it up, checks it and approves it before anything is destroyed."""
    _require_records_manager(actor, municipality)
    destruction_list = DestructionList.objects.create(created_by=actor, municipality=municipality, reference_date=today)
    DestructionItem.objects.bulk_create(
        DestructionItem(
            destruction_list=destruction_list,
            participant_uuid=due.participant_uuid,
            enrollment_uuids=due.enrollment_uuids,
            programme_codes=due.programme_codes,
            last_ended_on=due.last_ended_on,
            due_on=due.due_on,
        )
        for due in selectors.files_due_for_destruction(today=today, municipality_ids={municipality.pk})
    )
    return destruction_list


@transaction.atomic
def destruction_list_approve(*, destruction_list: DestructionList, actor: User) -> DestructionList:
    _require_records_manager(actor, destruction_list.municipality)
    if destruction_list.status != ListStatus.DRAFT:
        raise DomainError(_("Deze lijst is niet meer in concept."), field="status")
    destruction_list.status = ListStatus.APPROVED
    destruction_list.approved_by = actor
    destruction_list.approved_at = timezone.now()
    destruction_list.save(update_fields=["status", "approved_by", "approved_at"])
    return destruction_list


def _destroy(participant: Participant) -> dict[str, int]:
    """Every personal-data row of one participant, in an order the protecting keys allow.
    Returns the rows removed per kind (the deletion record; no personal data)."""
    removed: Counter[str] = Counter()

    def tally(result: tuple[int, dict[str, int]]) -> None:
        removed.update({label: count for label, count in result[1].items() if count})

    enrollments = Enrollment.objects.filter(participant=participant)
    events = EnrollmentEvent.objects.filter(enrollment__in=enrollments)
    tally(events.filter(corrects__isnull=False).delete())
    tally(events.delete())
    enrollments.update(transferred_from=None)
    tally(enrollments.delete())
    tally(TeamAssignment.objects.filter(participant=participant).delete())
    household_ids = list(participant.household_memberships.values_list("household_id", flat=True))
    tally(participant.delete())  # changes, sharing grants, memberships and break-glass rows cascade
    tally(Household.objects.filter(pk__in=household_ids, members__isnull=True).delete())
    return dict(removed)


@transaction.atomic
def participant_erase(
    *, participant: Participant, actor: User, ground: str, decision_reference: str = ""
) -> ErasureRecord:
    """Erase a whole file where the law allows it (AVG art. 17): every row goes, the blind index
    with it; what remains is the erasure record and the audit rows (which never held a name or BSN)."""
    if ground not in ErasureGround.values:
        raise DomainError(_("Kies een grond voor het wissen."), field="ground")
    if len(decision_reference) > 100:
        raise DomainError(_("Houd het kenmerk korter dan 100 tekens."), field="decision_reference")
    refusal = rules.erasure_refusal(ground=ground, enrollment_count=participant.enrollments.count())
    if refusal:
        raise DomainError(refusal, field="ground")
    participant_uuid = str(participant.uuid)
    removed = _destroy(participant)
    audit.record(
        user=actor,
        action=AuditAction.DELETE,
        result=AuditResult.ALLOWED,
        object_type="participant",
        object_id=participant_uuid,
        participants=[participant_uuid],
        purpose="AVG art. 17 (recht op vergetelheid)",
        legal_basis=ground,
    )
    return ErasureRecord.objects.create(
        participant_uuid=participant_uuid,
        ground=ground,
        decision_reference=decision_reference.strip(),
        erased_by=actor,
        rows_removed=removed,
    )


def destruction_list_execute(*, destruction_list: DestructionList, today: date, dry_run: bool = False) -> list[str]:
    """Destroy the approved files that are still due (a new enrollment since then keeps a file).
    Each destruction is audited; returns the destroyed (or, dry run, the destroyable) participant ids."""
    if destruction_list.status != ListStatus.APPROVED:
        raise DomainError(_("Alleen een goedgekeurde lijst kan worden uitgevoerd."), field="status")
    scope = {destruction_list.municipality_id}
    still_due = {f.participant_uuid for f in selectors.files_due_for_destruction(today=today, municipality_ids=scope)}
    done: list[str] = []
    for item in destruction_list.items.filter(destroyed_at__isnull=True):
        if item.participant_uuid not in still_due:
            continue
        if dry_run:
            done.append(item.participant_uuid)
            continue
        with transaction.atomic():
            participant = Participant.objects.filter(uuid=item.participant_uuid).first()
            if participant is not None:
                _destroy(participant)
            audit.record(
                user=destruction_list.approved_by,
                action=AuditAction.DELETE,
                result=AuditResult.ALLOWED,
                object_type="participant",
                object_id=item.participant_uuid,
                participants=[item.participant_uuid],
                purpose="archiefwet",
                legal_basis=f"vernietigingslijst {destruction_list.pk}",
            )
            item.destroyed_at = timezone.now()
            item.save(update_fields=["destroyed_at"])
        done.append(item.participant_uuid)
    if not dry_run:
        destruction_list.status = ListStatus.EXECUTED
        destruction_list.executed_at = timezone.now()
        destruction_list.save(update_fields=["status", "executed_at"])
    return done
