"""State changes of enrollments: each appends events and refreshes the cached state in one transaction."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from doorstroom.core import bulk, clock, prepared, touched
from doorstroom.core import categories as categories_module
from doorstroom.core.errors import DomainError
from doorstroom.core.messages import _
from doorstroom.organisations.models import Organisation, OrganisationKind, Region, Role, User
from doorstroom.participants import services as participant_services
from doorstroom.participants.models import (
    PERMIT_STATUSES,
    GrantEnding,
    GrantOrigin,
    HouseholdMember,
    LegalBasis,
    Participant,
    SharingGrant,
)
from doorstroom.participants.rules import age_on
from doorstroom.programmes import rules as programme_rules
from doorstroom.programmes.models import (
    NEED_TEAM_ROLES,
    NEVER_AUTOMATIC,
    ContextTag,
    DataNeedState,
    Phase,
    Programme,
    ProgrammeDataNeed,
    ProgrammeGroup,
    ReasonEvent,
    Statute,
    reason_catalogue,
)

from . import rules
from .models import Enrollment, EnrollmentEvent, EnrollmentTag, EventType, TeamAssignment, TeamRole
from .projection import FACT_COLUMNS, OUTCOME_CODES, facts_from_rows, projection_fields


def _phases(programme: Programme) -> list[Phase]:
    return list(programme.phases.order_by("position"))


def _facts(enrollment: Enrollment, positions: dict[int, int]) -> list[rules.EventFact]:
    return facts_from_rows(enrollment.events.values_list(*FACT_COLUMNS), positions)


def enrollment_replay(enrollment: Enrollment) -> rules.Projection:
    """Replay the stored events of one enrollment (used by the services and by the consistency check)."""
    phases = _phases(enrollment.programme)
    positions = {p.id: p.position for p in phases}
    return rules.replay(_facts(enrollment, positions), phase_count=len(phases), outcome_codes=OUTCOME_CODES)


def _store(enrollment: Enrollment, projection: rules.Projection, phases: Sequence[Phase]) -> None:
    touched.mark(enrollment.participant_id, written=touched.ENROLLMENTS)
    for name, value in projection_fields(projection, phases).items():
        setattr(enrollment, name, value)
    enrollment.version += 1
    enrollment.save()


def _check_date(on: date, today: date | None = None) -> None:
    if on > (today or clock.today()):
        raise DomainError(_("De datum ligt in de toekomst."), field="occurred_on")


def _lock(enrollment: Enrollment, expected_version: int | None) -> Enrollment:
    # only the enrollment's own row: locking the joined programme too held every new enrollment of
    # that programme (its foreign-key check at commit) and deadlocked with the audit chain's lock
    locked = Enrollment.objects.select_for_update(of=("self",)).select_related("programme").get(pk=enrollment.pk)
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(
            _("Iemand anders heeft dit traject net bijgewerkt. Bekijk de tijdlijn opnieuw en probeer het nog eens."),
            field="version",
            code="conflict",
        )
    return locked


def _append_and_rebuild(
    enrollment: Enrollment, event: EnrollmentEvent, phases: list[Phase] | None = None
) -> EnrollmentEvent:
    """Save the event, replay the whole history with it, and refuse (rolling back) if any step breaks.
    `phases`: the programme's phases when the caller has read them already."""
    event.save()
    phases = _phases(enrollment.programme) if phases is None else phases
    positions = {p.id: p.position for p in phases}
    try:
        projection = rules.replay(_facts(enrollment, positions), phase_count=len(phases), outcome_codes=OUTCOME_CODES)
    except rules.TransitionRefused as refused:
        raise DomainError(refused.message, field=refused.field, code="transition") from refused
    _store(enrollment, projection, phases)
    return event


def _check_reason(programme: Programme, event_type: str, reason_code: str) -> None:
    """A new step's reason must be a code of the catalogue in use for this programme (a retired code
    stays valid in old histories, so replay does not check it)."""
    if not reason_code:
        return
    if event_type not in ReasonEvent.values:
        raise DomainError(_("Bij deze stap hoort geen reden."), field="reason_code")
    codes = {r.code for r in reason_catalogue().for_step(event_type, programme.pk)}
    if reason_code not in codes:
        raise DomainError(
            _("Onbekende reden '%(code)s' bij deze stap.", code=reason_code), field="reason_code", code="invalid"
        )


def eligibility_problems(participant: Participant, programme: Programme, on: date) -> list[tuple[str, str]]:
    return programme_rules.eligibility_problems(
        programme_rules.EligibilityRules(
            requires_residence_permit=programme.requires_residence_permit,
            requires_civic_integration_duty=programme.requires_civic_integration_duty,
            min_age=programme.min_age,
            max_age=programme.max_age,
        ),
        programme_rules.ParticipantFacts(
            age=age_on(participant.date_of_birth, on),
            has_residence_permit=participant.residence_status in PERMIT_STATUSES,
            civic_integration_duty=participant.civic_integration_duty,
        ),
    )


def _check_referral(
    participant: Participant, programme: Programme, group: ProgrammeGroup | None, on: date, today: date | None = None
) -> None:
    """What a referral must be before it is written, alone or in a set."""
    _check_date(on, today)
    if not programme.is_active:
        raise DomainError(_("Dit programma is niet meer in gebruik."), field="programme")
    if group is not None and group.programme_id != programme.id:
        raise DomainError(_("Deze doelgroep hoort niet bij het programma."), field="group")
    problems = eligibility_problems(participant, programme, on)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field, code="not_eligible")


@transaction.atomic
def enrollment_enrol(
    *,
    participant: Participant,
    programme: Programme,
    actor: User,
    referred_by: Organisation,
    on: date,
    note: str = "",
    group: ProgrammeGroup | None = None,
    transferred_from: Enrollment | None = None,
) -> Enrollment:
    """Refer a participant to a programme (event 'aangemeld'); eligibility is checked on that date."""
    _check_referral(participant, programme, group, on)
    open_states = [s.value for s in rules.OPEN_STATES]
    if Enrollment.objects.filter(participant=participant, programme=programme, state__in=open_states).exists():
        raise DomainError(_("Deze deelnemer heeft al een lopend traject in dit programma."), field="programme")
    enrollment = Enrollment.objects.create(
        participant=participant,
        programme=programme,
        group=group,
        referred_by=referred_by,
        transferred_from=transferred_from,
        state=rules.State.REFERRED.value,
    )
    _append_and_rebuild(
        enrollment,
        EnrollmentEvent(
            enrollment=enrollment,
            event_type=EventType.REFERRED,
            occurred_on=on,
            actor=actor,
            actor_organisation=actor.organisation,
            organisation=referred_by,
            note=note,
        ),
    )
    work_grants_sync([participant.pk])
    return enrollment


@transaction.atomic
def enrollment_record(
    *,
    enrollment: Enrollment,
    actor: User,
    event_type: str,
    on: date,
    note: str = "",
    reason_code: str = "",
    phase: Phase | None = None,
    outcomes: Sequence[str] = (),
    expected_version: int | None = None,
) -> EnrollmentEvent:
    """Record one lifecycle step (intake, start, phase change, pause, resume, drop-out, not started,
    completion, administrative close). Transfers and corrections have their own services."""
    locked = _lock(enrollment, expected_version)
    _check_step(locked.programme, event_type, on, reason_code, phase)
    phases = _phases(locked.programme)
    if event_type not in (EventType.STARTED, EventType.PHASE_CHANGED):
        phase = None
    elif phase is None:  # record the phase the step leads to, so the timeline can name it
        current = locked.current_phase.position if locked.current_phase else 0
        wanted = 1 if event_type == EventType.STARTED else current + 1
        phase = next((p for p in phases if p.position == wanted), None)
    event = _append_and_rebuild(
        locked,
        _step_event(locked, actor, Step(event_type, on, note, reason_code, phase, outcomes)),
        phases,
    )
    enrollment.refresh_from_db()
    return event


@dataclass(frozen=True)
class Step:
    """One lifecycle step of a history recorded at once (see `enrollment_record_many`)."""

    event_type: str
    on: date
    note: str = ""
    reason_code: str = ""
    phase: Phase | None = None
    outcomes: Sequence[str] = ()


#: the steps `enrollment_record` and `enrollment_record_many` take; referral, transfer and correction have their own
RECORDABLE = frozenset(e.value for e in rules.EventType) - {
    EventType.REFERRED.value,
    EventType.TRANSFERRED.value,
    EventType.CORRECTED.value,
}


def _check_step(
    programme: Programme, event_type: str, on: date, reason_code: str, phase: Phase | None, today: date | None = None
) -> None:
    """What one step must be before the lifecycle rules see it, whether it comes alone or in a batch."""
    if event_type not in RECORDABLE:
        raise DomainError(_("Deze gebeurtenis kan hier niet geregistreerd worden."), field="event_type")
    _check_date(on, today)
    _check_reason(programme, event_type, reason_code)
    if phase is not None and phase.programme_id != programme.pk:
        raise DomainError(_("Deze fase hoort niet bij het programma."), field="phase")


def _step_event(locked: Enrollment, actor: User, step: Step) -> EnrollmentEvent:
    """The event of a step (its phase already chosen); only a completion keeps outcomes."""
    return EnrollmentEvent(
        enrollment=locked,
        event_type=step.event_type,
        occurred_on=step.on,
        actor=actor,
        actor_organisation=actor.organisation,
        note=step.note.strip(),
        reason_code=step.reason_code,
        phase=step.phase,
        outcomes=list(dict.fromkeys(step.outcomes)) if step.event_type == EventType.COMPLETED else [],
    )


def _step_phase(step: "Step", by_position: dict[int, Phase], current: int) -> tuple[Phase | None, int]:
    """The phase a step leads to (a start to the first, a phase change to the next, unless named)
    and the phase the history is in after it; only a start or a phase change has one."""
    if step.event_type not in (EventType.STARTED, EventType.PHASE_CHANGED):
        return None, current
    phase = step.phase or by_position.get(1 if step.event_type == EventType.STARTED else current + 1)
    return phase, phase.position if phase is not None else current


class StepRefused(DomainError):
    """A step of a batch was refused; `step` is its index in the batch."""

    def __init__(self, error: DomainError, step: int) -> None:
        super().__init__(error.message, field=error.field, code=error.code)
        self.step = step


@transaction.atomic
def enrollment_record_many(*, enrollment: Enrollment, actor: User, steps: Sequence[Step]) -> list[EnrollmentEvent]:
    """Record several lifecycle steps at once (a history brought in by an import): every step is
    checked as `enrollment_record` checks one, and the whole history is replayed once with the same
    lifecycle rules; one refused step refuses them all (StepRefused says which). Transfers and
    corrections keep their own services."""
    locked = _lock(enrollment, None)
    phases = _phases(locked.programme)
    by_position = {p.position: p for p in phases}
    positions = {p.id: p.position for p in phases}
    current = positions.get(locked.current_phase_id or 0, 0)
    events = []
    for index, step in enumerate(steps):
        try:
            _check_step(locked.programme, step.event_type, step.on, step.reason_code, step.phase)
        except DomainError as refused:
            raise StepRefused(refused, index) from refused
        phase, current = _step_phase(step, by_position, current)
        events.append(_step_event(locked, actor, replace(step, phase=phase)))
    created = EnrollmentEvent.objects.bulk_create(events)
    index_of = {event.pk: i for i, event in enumerate(created)}
    projection = rules.Projection()
    for fact in rules.ordered(_facts(locked, positions)):
        if fact.voided:
            continue
        try:
            projection = rules.apply(projection, fact, phase_count=len(phases), outcome_codes=OUTCOME_CODES)
        except rules.TransitionRefused as refused:
            error = DomainError(refused.message, field=refused.field, code="transition")
            raise StepRefused(error, index_of.get(fact.seq, 0)) from refused
    _store(locked, projection, phases)
    enrollment.refresh_from_db()
    return created


@dataclass(frozen=True)
class NewHistory:
    """A whole history of a new enrollment, recorded at once (see `enrollments_enrol_many`)."""

    participant: Participant
    programme: Programme
    referred_by: Organisation
    on: date
    group: ProgrammeGroup | None = None
    steps: Sequence[Step] = ()
    tags: Sequence[str] = ()


class HistoryRefused(DomainError):
    """A history of a set was refused: `history` is its index in the set, `step` the index of the
    refused step (None: the referral itself or its tags)."""

    def __init__(self, error: DomainError, history: int, step: int | None = None) -> None:
        super().__init__(error.message, field=error.field, code=error.code)
        self.history, self.step = history, step


@transaction.atomic
def enrollments_enrol_many(
    *, actor: User, histories: Sequence[NewHistory], sync_grants: bool = True
) -> list[tuple[Enrollment, list[EnrollmentEvent]]]:
    """Refer participants and record their whole histories at once (an import's first run of a
    programme's history): each referral is checked as `enrollment_enrol` checks it, each step as
    `enrollment_record_many` does, tags as `enrollment_tags_set` does, and each history is replayed
    with the same lifecycle rules, in memory and in the order the one-by-one path records it (the
    referral first, then the steps), before anything is written. One refused history refuses the
    set (HistoryRefused says which). The enrollments, events and tags are then written in three
    statements and the sharing grants follow the new work once for the set. Returns each
    enrollment with its events (the referral first)."""
    if not histories:
        return []
    today = clock.today()  # once: a set has tens of thousands of dates to check
    programme_ids = {h.programme.pk for h in histories}
    phases_of: dict[int, list[Phase]] = {pid: [] for pid in programme_ids}
    for phase in Phase.objects.filter(programme_id__in=programme_ids).order_by("position"):
        phases_of[phase.programme_id].append(phase)
    tag_codes = {code for h in histories for code in h.tags}
    known_tags = {t.code: t for t in ContextTag.objects.filter(code__in=tag_codes, is_active=True)} if tag_codes else {}
    open_states = [s.value for s in rules.OPEN_STATES]
    running = set(
        Enrollment.objects.filter(
            participant_id__in={h.participant.pk for h in histories}, state__in=open_states
        ).values_list("participant_id", "programme_id")
    )
    planned: list[tuple[Enrollment, list[EnrollmentEvent], list[EnrollmentTag]]] = []
    for index, history in enumerate(histories):
        participant, programme = history.participant, history.programme
        try:
            _check_referral(participant, programme, history.group, history.on, today)
            if (participant.pk, programme.pk) in running:
                raise DomainError(_("Deze deelnemer heeft al een lopend traject in dit programma."), field="programme")
            unknown = sorted(set(history.tags) - set(known_tags))
            if unknown:
                raise DomainError(_("Onbekend kenmerk: %(codes)s.", codes=", ".join(unknown)), field="tags")
        except DomainError as refused:
            raise HistoryRefused(refused, index) from refused
        enrollment = Enrollment(
            participant=participant,
            programme=programme,
            group=history.group,
            referred_by=history.referred_by,
            state=rules.State.REFERRED.value,
        )
        events = [
            EnrollmentEvent(
                enrollment=enrollment,
                event_type=EventType.REFERRED,
                occurred_on=history.on,
                actor=actor,
                actor_organisation=actor.organisation,
                organisation=history.referred_by,
            )
        ]
        phases = phases_of[programme.pk]
        by_position = {p.position: p for p in phases}
        current = 0
        for step_index, step in enumerate(history.steps):
            try:
                _check_step(programme, step.event_type, step.on, step.reason_code, step.phase, today)
            except DomainError as refused:
                raise HistoryRefused(refused, index, step_index) from refused
            leads_to, current = _step_phase(step, by_position, current)
            events.append(_step_event(enrollment, actor, replace(step, phase=leads_to)))
        facts = facts_from_rows(  # numbered in the order the one-by-one path records them
            [
                (seq, e.event_type, e.occurred_on, e.phase_id, e.reason_code, e.note, e.outcomes, None, None)
                for seq, e in enumerate(events)  # a new history has no transfer: that goes one by one
            ],
            {p.id: p.position for p in phases},
        )
        projection = rules.Projection()
        for fact in rules.ordered(facts):
            try:
                projection = rules.apply(projection, fact, phase_count=len(phases), outcome_codes=OUTCOME_CODES)
            except rules.TransitionRefused as refused:
                error = DomainError(refused.message, field=refused.field, code="transition")
                raise HistoryRefused(error, index, fact.seq - 1 if fact.seq else None) from refused
        for name, value in projection_fields(projection, phases).items():
            setattr(enrollment, name, value)
        enrollment.version = 2 if history.steps else 1  # as enrol and then record_many leave it
        if enrollment.state in open_states:
            running.add((participant.pk, programme.pk))
        tags = [
            EnrollmentTag(enrollment=enrollment, tag=known_tags[code], added_on=history.on, added_by=actor)
            for code in sorted(set(history.tags))
        ]
        planned.append((enrollment, events, tags))
    Enrollment.objects.bulk_create([enrollment for enrollment, _events, _tags in planned])
    for enrollment, events, tags in planned:  # the foreign keys now have their ids
        for event in events:
            event.enrollment = enrollment
        for tag in tags:
            tag.enrollment = enrollment
    EnrollmentEvent.objects.bulk_create([event for _e, events, _t in planned for event in events])
    bulk.write_objects([tag for _e, _events, tags in planned for tag in tags])
    touched.mark(*{h.participant.pk for h in histories}, written=touched.ENROLLMENTS)
    if sync_grants:
        work_grants_sync([h.participant.pk for h in histories])
    return [(enrollment, events) for enrollment, events, _tags in planned]


@transaction.atomic
def enrollment_transfer(
    *,
    enrollment: Enrollment,
    actor: User,
    target_programme: Programme,
    on: date,
    note: str = "",
    reason_code: str = "",
    expected_version: int | None = None,
) -> Enrollment:
    """End this enrollment as 'overgedragen' (with an optional reason from the catalogue) and refer
    the participant to the target programme."""
    _check_date(on)
    locked = _lock(enrollment, expected_version)
    _check_reason(locked.programme, EventType.TRANSFERRED, reason_code)
    if target_programme.pk == locked.programme_id:
        raise DomainError(_("Kies een ander programma om naar over te dragen."), field="target_programme")
    _append_and_rebuild(
        locked,
        EnrollmentEvent(
            enrollment=locked,
            event_type=EventType.TRANSFERRED,
            occurred_on=on,
            actor=actor,
            actor_organisation=actor.organisation,
            note=note.strip(),
            reason_code=reason_code,
            target_programme=target_programme,
        ),
    )
    new = enrollment_enrol(
        participant=locked.participant,
        programme=target_programme,
        actor=actor,
        referred_by=actor.organisation or locked.referred_by,
        on=on,
        note=note,
        transferred_from=locked,
    )
    enrollment.refresh_from_db()
    return new


@transaction.atomic
def enrollment_correct(
    *,
    enrollment: Enrollment,
    actor: User,
    wrong_event: EnrollmentEvent,
    reason: str,
    expected_version: int | None = None,
) -> EnrollmentEvent:
    """Void a wrong event with a correcting event; the history keeps both."""
    if not reason.strip():
        raise DomainError(_("Geef aan waarom deze gebeurtenis niet klopt."), field="note")
    locked = _lock(enrollment, expected_version)
    phases = _phases(locked.programme)
    positions = {p.id: p.position for p in phases}
    try:
        rules.voidable(_facts(locked, positions), wrong_event.pk)
    except rules.TransitionRefused as refused:
        raise DomainError(refused.message, field=refused.field) from refused
    event = _append_and_rebuild(
        locked,
        EnrollmentEvent(
            enrollment=locked,
            event_type=EventType.CORRECTED,
            occurred_on=clock.today(),
            actor=actor,
            actor_organisation=actor.organisation,
            note=reason.strip(),
            corrects=wrong_event,
        ),
    )
    enrollment.refresh_from_db()
    return event


@transaction.atomic
def team_assign(
    *, participant: Participant, member: User, role: str, starts_on: date, ends_on: date | None = None
) -> TeamAssignment:
    """Put a professional on the participant's team for a period."""
    organisation = _assignment_check(member=member, role=role, starts_on=starts_on, ends_on=ends_on)
    if role == TeamRole.DIRECTOR:
        _require_single_director(participant=participant, member=member, starts_on=starts_on, ends_on=ends_on)
    assignment = TeamAssignment.objects.create(
        participant=participant,
        member=member,
        organisation=organisation,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    work_grants_sync([participant.pk])
    return assignment


def _assignment_check(*, member: User, role: str, starts_on: date, ends_on: date | None) -> Organisation:
    """What an assignment must be on its own: a member of an organisation (returned), a known role
    (regisseur only for a klantregisseur), and an end not before its start."""
    if member.organisation is None:
        raise DomainError(_("Deze medewerker hoort bij geen organisatie."), field="member")
    if role not in TeamRole.values:
        raise DomainError(_("Onbekende rol in het team."), field="role")
    if role == TeamRole.DIRECTOR and member.role != Role.DIRECTOR:
        raise DomainError(_("Alleen een klantregisseur kan regisseur in het team zijn."), field="role")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("De einddatum ligt voor de begindatum."), field="ends_on")
    return member.organisation


@transaction.atomic
def directors_assign_many(assignments: Sequence[tuple[Participant, User, date]], *, sync_grants: bool = True) -> None:
    """Give many participants their regisseur at once (an import's new files), each checked as
    `team_assign` checks one director; one query for the directors and households already there,
    one statement to write, and the sharing grants follow the teams once for the set."""
    for _participant, member, _starts_on in assignments:
        if member.organisation is None:
            raise DomainError(_("Deze medewerker hoort bij geen organisatie."), field="member")
        if member.role != Role.DIRECTOR:
            raise DomainError(_("Alleen een klantregisseur kan regisseur in het team zijn."), field="role")
    ids = [participant.pk for participant, _m, _s in assignments]
    if (
        len(set(ids)) != len(ids)
        or TeamAssignment.objects.filter(participant_id__in=ids, role=TeamRole.DIRECTOR).exists()
        or HouseholdMember.objects.filter(participant_id__in=ids).exists()
    ):
        # someone is directed already, or shares a household: only `team_assign` can tell what holds
        raise DomainError(
            _("Er is in deze periode al een regisseur. Draag de regie over in plaats van een tweede toe te voegen."),
            field="starts_on",
        )
    bulk.write_objects(
        [
            TeamAssignment(
                participant=participant,
                member=member,
                organisation=member.organisation,
                role=TeamRole.DIRECTOR,
                starts_on=starts_on,
            )
            for participant, member, starts_on in assignments
        ]
    )
    if sync_grants:  # a caller that enrols the same set next may sync once, after that
        work_grants_sync(ids)


def _directors_overlapping(participants: Any, starts_on: date, ends_on: date | None) -> Any:
    overlapping = TeamAssignment.objects.filter(participant__in=participants, role=TeamRole.DIRECTOR).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    return overlapping


def _require_single_director(*, participant: Participant, member: User, starts_on: date, ends_on: date | None) -> None:
    """Exactly one director (regisseur) at a time: per participant, and per household (one family,
    one plan, one director)."""
    if _directors_overlapping([participant], starts_on, ends_on).exists():
        raise DomainError(
            _("Er is in deze periode al een regisseur. Draag de regie over in plaats van een tweede toe te voegen."),
            field="starts_on",
        )
    household_members = Participant.objects.filter(
        household_memberships__household__members__participant=participant
    ).exclude(pk=participant.pk)
    other = _directors_overlapping(household_members, starts_on, ends_on).exclude(member=member).first()
    if other is not None:
        raise DomainError(
            _(
                "In dit huishouden is %(name)s al regisseur: één gezin, één regisseur.",
                name=other.member.get_full_name(),
            ),
            field="member",
        )


@transaction.atomic
def director_handover(*, participant: Participant, new_director: User, on: date) -> list[TeamAssignment]:
    """Hand over direction from `on`: the current director's assignment ends the day before, the new
    one starts, for the participant and everyone in their households at once. Rows stay as history;
    signals, plans and agreements belong to the participant, so they move with the direction."""
    if new_director.role != Role.DIRECTOR or new_director.organisation is None:
        raise DomainError(_("Kies een klantregisseur."), field="new_director")
    group = list(
        Participant.objects.filter(
            Q(pk=participant.pk) | Q(household_memberships__household__members__participant=participant)
        ).distinct()
    )
    current = list(
        TeamAssignment.objects.filter(participant__in=group, role=TeamRole.DIRECTOR)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_for_update()
    )
    if any(a.member_id == new_director.pk for a in current):
        raise DomainError(_("Deze klantregisseur heeft de regie al."), field="new_director")
    for assignment in current:
        if assignment.starts_on >= on:
            raise DomainError(_("De overdracht moet na het begin van de huidige regie liggen."), field="on")
        assignment.ends_on = on - timedelta(days=1)
    TeamAssignment.objects.bulk_update(current, ["ends_on"])
    return TeamAssignment.objects.bulk_create(
        TeamAssignment(
            participant=member,
            member=new_director,
            organisation=new_director.organisation,
            role=TeamRole.DIRECTOR,
            starts_on=on,
        )
        for member in group
    )


@transaction.atomic
def caseload_reassign(
    *, actor: User, leaving: User, taking_over: User, on: date, participant_ids: Sequence[int] | None = None
) -> int:
    """A team lead moves a colleague's caseload (all of it, or the chosen participants) to another
    colleague from `on`, in one action. The old assignments end the day before; history stays.
    Returns how many assignments moved."""
    if actor.role != Role.TEAM_LEAD or actor.organisation_id is None:
        raise DomainError(_("Alleen een teamleider draagt een caseload over."), field="actor")
    for field, person in (("leaving", leaving), ("taking_over", taking_over)):
        if person.organisation_id != actor.organisation_id:
            raise DomainError(_("Kies een medewerker van uw eigen organisatie."), field=field)
    if leaving.pk == taking_over.pk:
        raise DomainError(_("Kies twee verschillende medewerkers."), field="taking_over")
    if taking_over.role == Role.PARTICIPANT or not taking_over.is_active:
        raise DomainError(_("Deze medewerker kan geen caseload overnemen."), field="taking_over")
    moving = (
        TeamAssignment.objects.filter(member=leaving, starts_on__lt=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .exclude(role=TeamRole.DIRECTOR)
        .exclude(participant__processing_restricted_since__isnull=False)  # a restricted file is frozen
        .select_for_update(of=("self",))  # the assignments, not the joined participants
    )
    if participant_ids is not None:
        moving = moving.filter(participant_id__in=participant_ids)
    rows = list(moving)
    already = set(
        TeamAssignment.objects.filter(member=taking_over, participant_id__in=[r.participant_id for r in rows])
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .values_list("participant_id", flat=True)
    )
    for row in rows:
        row.ends_on = on - timedelta(days=1)
    TeamAssignment.objects.bulk_update(rows, ["ends_on"])
    TeamAssignment.objects.bulk_create(
        TeamAssignment(
            participant_id=row.participant_id,
            member=taking_over,
            organisation=row.organisation,
            role=row.role,
            starts_on=on,
        )
        for row in rows
        if row.participant_id not in already
    )
    work_grants_sync([row.participant_id for row in rows])
    return len(rows)


@transaction.atomic(savepoint=False)  # one operation: a refusal anywhere undoes all of it
def participant_take_on(
    *, actor: User, municipality: Organisation, data: dict[str, object], confirm_not_duplicate: bool = False
) -> Participant:
    """Register a new participant and put the registering professional on their team, so the person
    never falls out of anyone's view (a director as regisseur, anyone else as coach).

    A file made a moment ago has no team, no household and no enrollment: no other regisseur can
    overlap, and no programme's data needs can grant anything yet, so `team_assign`'s look for those
    (six queries) would find nothing; its checks of the member and role still apply."""
    role = TeamRole.DIRECTOR if actor.role == Role.DIRECTOR else TeamRole.COACH
    today = clock.today()
    organisation = _assignment_check(member=actor, role=role, starts_on=today, ends_on=None)
    participant = participant_services.participant_register(
        municipality=municipality, data=data, confirm_not_duplicate=confirm_not_duplicate
    )
    TeamAssignment.objects.create(
        participant=participant, member=actor, organisation=organisation, role=role, starts_on=today
    )
    return participant


@transaction.atomic
def team_assignment_end(*, assignment: TeamAssignment, on: date) -> TeamAssignment:
    """End a team assignment; access that came from it ends with it. The row stays as history."""
    if assignment.ends_on is not None and assignment.ends_on <= on:
        raise DomainError(_("Deze toewijzing is al beëindigd."), field="ends_on")
    if on < assignment.starts_on:
        raise DomainError(_("De einddatum ligt voor de begindatum."), field="ends_on")
    assignment.ends_on = on
    assignment.save(update_fields=["ends_on"])
    work_grants_sync([assignment.participant_id])
    return assignment


# --- access that follows the work: a programme's approved data needs become sharing grants -------


#: identity and programme/phase come with the assignment itself; a need is about the rest
BASELINE_CATEGORIES = frozenset({categories_module.IDENTITY, categories_module.TRAJECTORY})


def _chunks(ids: Sequence[int], size: int = 500) -> list[Sequence[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _need_municipalities(need_municipality_ids: set[int]) -> dict[int, set[int]]:
    """Per participant's municipality, the deciding municipalities whose needs hold for it: its
    own, and the region's centre that executes the task for it."""
    covers: dict[int, set[int]] = {m: {m} for m in need_municipality_ids}
    for centre, executes_for in prepared.rows(
        "grants: regions",
        lambda ids: Region.objects.filter(centre_id__in=ids).values_list("centre_id", "executes_for"),
        need_municipality_ids,
    ):
        if executes_for is not None:
            covers.setdefault(executes_for, set()).add(centre)
    return covers


def work_grants_sync(participant_ids: Sequence[int]) -> tuple[int, int]:
    """Make the automatic sharing grants of these participants follow their teams: for everyone on
    a team today in a role whose work an approved need of one of the participant's programmes
    covers, their organisation receives that category; when that work is over, the grant ends.
    A grant the municipality withdrew is never re-created here. Set-based: the same handful of
    queries for one participant or thousands. Returns (created, ended)."""
    created = ended = 0
    for chunk in _chunks(sorted(set(participant_ids))):
        c, e = _work_grants_sync_chunk(chunk)
        created, ended = created + c, ended + e
    return created, ended


def _work_grants_sync_chunk(ids: Sequence[int]) -> tuple[int, int]:
    today = clock.today()
    # the same few queries after every change of a team or an enrollment: compiled once (core.prepared)
    running = prepared.rows(
        ("grants: teams", today),
        lambda among: (
            TeamAssignment.objects.filter(participant_id__in=among, starts_on__lte=today, role__in=NEED_TEAM_ROLES)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .values_list("participant_id", "organisation_id", "role")
        ),
        ids,
    )
    open_states = [s.value for s in rules.OPEN_STATES]
    enrolled: dict[int, dict[int, bool]] = {}  # participant -> programme -> enrollment open
    for pid, programme_id, state in prepared.rows(
        "grants: enrollments",
        lambda among: Enrollment.objects.filter(participant_id__in=among).values_list(
            "participant_id", "programme_id", "state"
        ),
        ids,
    ):
        seen = enrolled.setdefault(pid, {})
        seen[programme_id] = seen.get(programme_id, False) or state in open_states
    programme_ids = {prog for progs in enrolled.values() for prog in progs}
    needs = prepared.rows(
        "grants: needs",
        lambda among: ProgrammeDataNeed.objects.filter(
            programme_id__in=among, state=DataNeedState.APPROVED
        ).values_list("id", "programme_id", "municipality_id", "team_role", "category", "decided_by_id"),
        programme_ids,
    )
    covers = _need_municipalities({n[2] for n in needs})
    municipality_of = dict(
        prepared.rows(
            "grants: municipalities",
            lambda among: Participant.objects.filter(pk__in=among).values_list("pk", "municipality_id"),
            ids,
        )
    )
    by_programme_role: dict[tuple[int, str], list[tuple[int, int, str, int]]] = {}
    for need_id, programme_id, municipality_id, team_role, category, decided_by in needs:
        by_programme_role.setdefault((programme_id, team_role), []).append(
            (need_id, municipality_id, category, decided_by)
        )
    wanted: dict[tuple[int, int, str], tuple[int, int]] = {}  # (p, org, category) -> (need, approver)
    supported: set[tuple[int, int, str]] = set()  # work that still goes on, in any enrollment
    for pid, org_id, team_role in running:
        deciders = covers.get(municipality_of.get(pid, 0), set())
        for programme_id, is_open in enrolled.get(pid, {}).items():
            for need_id, municipality_id, category, decided_by in by_programme_role.get((programme_id, team_role), []):
                if municipality_id not in deciders:
                    continue
                supported.add((pid, org_id, category))
                if is_open:
                    wanted.setdefault((pid, org_id, category), (need_id, decided_by))
    grants = prepared.rows(
        "grants: grants",
        lambda among: (
            SharingGrant.objects.filter(participant_id__in=among)
            .order_by("id")
            .values_list("id", "participant_id", "organisation_id", "category", "origin", "withdrawn_on", "ending")
        ),
        ids,
    )
    open_keys: set[tuple[int, int, str]] = set()
    latest_ending: dict[tuple[int, int, str], str] = {}
    to_end: list[int] = []
    for grant_id, pid, org_id, category, origin, withdrawn_on, ending in grants:
        key = (pid, org_id, category)
        latest_ending[key] = ending
        if withdrawn_on is None:
            open_keys.add(key)
            if origin == GrantOrigin.WORK_NEED and key not in supported:
                to_end.append(grant_id)
    new = [
        SharingGrant(
            participant_id=pid,
            organisation_id=org_id,
            category=category,
            legal_basis=LegalBasis.STATUTORY_TASK,
            granted_on=today,
            origin=GrantOrigin.WORK_NEED,
            data_need_id=need_id,
            recorded_by_id=decided_by,
        )
        for (pid, org_id, category), (need_id, decided_by) in sorted(wanted.items())
        if (pid, org_id, category) not in open_keys
        and latest_ending.get((pid, org_id, category)) != GrantEnding.WITHDRAWN
    ]
    if new:
        SharingGrant.objects.bulk_create(new)
    if to_end:
        SharingGrant.objects.filter(pk__in=to_end).update(withdrawn_on=today, ending=GrantEnding.WORK_ENDED)
    return len(new), len(to_end)


def _require_needs_administrator(actor: User) -> Organisation:
    organisation = actor.organisation
    if actor.role != Role.ADMINISTRATOR or organisation is None or organisation.kind != OrganisationKind.MUNICIPALITY:
        raise DomainError(
            _("Alleen de functioneel beheerder van een gemeente stelt gegevensbehoeften voor."), field="actor"
        )
    return organisation


@transaction.atomic
def data_need_propose(
    *, actor: User, programme: Programme, team_role: str, categories: Sequence[str], statute: str, reason: str
) -> list[ProgrammeDataNeed]:
    """The functional administrator proposes which data one part of the work in a programme needs,
    for the participants of their municipality. Nothing changes until it is approved."""
    municipality = _require_needs_administrator(actor)
    if team_role not in NEED_TEAM_ROLES:
        raise DomainError(
            _("Kies een rol in het team: coach, docent, jobcoach, intermediair of maatje."), field="team_role"
        )
    if statute not in Statute.values:
        raise DomainError(_("Kies de wet waarop de taak rust."), field="statute")
    if not reason.strip():
        raise DomainError(_("Zeg waarom het werk deze gegevens nodig heeft."), field="reason")
    if not categories:
        raise DomainError(_("Kies minstens één soort gegevens."), field="categories")
    for category in categories:
        if category in NEVER_AUTOMATIC:
            raise DomainError(
                _(
                    "Gegevens over gezondheid en justitie worden nooit automatisch gedeeld; daarvoor is altijd "
                    "een besluit van de gemeente of toestemming van de deelnemer nodig."
                ),
                field="categories",
            )
        if category not in categories_module.ALL or category in BASELINE_CATEGORIES:
            raise DomainError(_("Onbekende soort gegevens."), field="categories")
    live = set(
        ProgrammeDataNeed.objects.filter(
            programme=programme,
            municipality=municipality,
            team_role=team_role,
            category__in=categories,
            state__in=[DataNeedState.PROPOSED, DataNeedState.APPROVED],
        ).values_list("category", flat=True)
    )
    if live:
        raise DomainError(
            _("Voor deze rol is al een voorstel of besluit over: %(categories)s.", categories=", ".join(sorted(live))),
            field="categories",
        )
    now = timezone.now()
    return ProgrammeDataNeed.objects.bulk_create(
        ProgrammeDataNeed(
            programme=programme,
            municipality=municipality,
            team_role=team_role,
            category=category,
            statute=statute,
            reason=reason.strip(),
            proposed_by=actor,
            proposed_at=now,
        )
        for category in dict.fromkeys(categories)
    )


def _participants_of_programme(need: ProgrammeDataNeed) -> list[int]:
    return list(
        Enrollment.objects.filter(programme_id=need.programme_id).values_list("participant_id", flat=True).distinct()
    )


def _require_decider(actor: User, need: ProgrammeDataNeed) -> None:
    """Only the municipality's own directors and privacy officer decide on its data needs."""
    if actor.role not in (Role.DIRECTOR, Role.PRIVACY_OFFICER) or actor.organisation_id != need.municipality_id:
        raise DomainError(
            _("Alleen een klantregisseur of de privacyfunctionaris van de gemeente besluit hierover."), field="actor"
        )


@transaction.atomic
def data_need_decide(*, actor: User, need: ProgrammeDataNeed, approve: bool, note: str = "") -> ProgrammeDataNeed:
    """The municipality's director or privacy officer approves or rejects a proposal (never their
    own). An approval takes effect at once for everyone already on a team in that role."""
    need = ProgrammeDataNeed.objects.select_for_update().get(pk=need.pk)
    _require_decider(actor, need)
    if need.proposed_by_id == actor.pk:
        raise DomainError(_("U kunt niet over uw eigen voorstel besluiten."), field="actor")
    if need.state != DataNeedState.PROPOSED:
        raise DomainError(_("Over dit voorstel is al besloten."), field="state", code="conflict")
    if not approve and not note.strip():
        raise DomainError(_("Zeg waarom u het voorstel afwijst."), field="note")
    need.state = DataNeedState.APPROVED if approve else DataNeedState.REJECTED
    need.decided_by = actor
    need.decided_at = timezone.now()
    need.decision_note = note.strip()
    need.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if approve:
        work_grants_sync(_participants_of_programme(need))
    return need


@transaction.atomic
def data_need_withdraw(*, actor: User, need: ProgrammeDataNeed, note: str) -> ProgrammeDataNeed:
    """Withdraw an approved need; the grants it made end at once (those of other needs stay)."""
    need = ProgrammeDataNeed.objects.select_for_update().get(pk=need.pk)
    _require_decider(actor, need)
    if need.state != DataNeedState.APPROVED:
        raise DomainError(_("Alleen een goedgekeurde behoefte kan worden ingetrokken."), field="state", code="conflict")
    if not note.strip():
        raise DomainError(_("Zeg waarom u de behoefte intrekt."), field="note")
    need.state = DataNeedState.WITHDRAWN
    need.decided_by = actor
    need.decided_at = timezone.now()
    need.decision_note = note.strip()
    need.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    work_grants_sync(_participants_of_programme(need))
    return need


def work_grants_refresh() -> tuple[int, int]:
    """The daily catch-up: an assignment that ended on a date now past ends its automatic grants
    (team changes and need decisions do this at once; this covers end dates set in advance)."""
    ids = list(
        SharingGrant.objects.filter(origin=GrantOrigin.WORK_NEED, withdrawn_on__isnull=True)
        .values_list("participant_id", flat=True)
        .distinct()
    )
    return work_grants_sync(ids)


@transaction.atomic
def enrollment_tags_set(*, enrollment: Enrollment, actor: User, codes: Sequence[str], on: date) -> tuple[int, int]:
    """Say which contexts and mechanisms apply to this enrollment from `on`: new ones start that
    day, ones no longer named end that day; the rows stay as history. Returns (added, ended)."""
    _check_date(on)
    wanted = set(codes)
    known = {t.code: t for t in ContextTag.objects.filter(code__in=wanted, is_active=True)}
    unknown = sorted(wanted - set(known))
    if unknown:
        raise DomainError(_("Onbekend kenmerk: %(codes)s.", codes=", ".join(unknown)), field="tags")
    if enrollment.referred_on and on < enrollment.referred_on:
        raise DomainError(_("Deze datum ligt voor de aanmelding van het traject."), field="on")
    live = {
        t.tag.code: t
        for t in EnrollmentTag.objects.filter(enrollment=enrollment, removed_on__isnull=True).select_related("tag")
    }
    ended = [row for code, row in live.items() if code not in wanted]
    for row in ended:
        row.removed_on, row.removed_by = on, actor
        row.save(update_fields=["removed_on", "removed_by"])
    added = [
        EnrollmentTag(enrollment=enrollment, tag=known[code], added_on=on, added_by=actor)
        for code in sorted(wanted - set(live))
    ]
    EnrollmentTag.objects.bulk_create(added)
    if added or ended:
        touched.mark(enrollment.participant_id, written=touched.ENROLLMENTS)
    return len(added), len(ended)
