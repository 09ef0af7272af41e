"""Reads for enrollment pages. Each takes an already-scoped queryset from the access layer and may
only narrow or annotate it."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext

from doorstroom.core import prepared
from doorstroom.participants.models import Participant
from doorstroom.programmes.models import ContextTag, Phase, Programme

from . import rules
from .models import (
    ACTION_LABELS,
    Enrollment,
    EnrollmentEvent,
    EnrollmentState,
    EnrollmentTag,
    EventType,
    TeamAssignment,
)
from .projection import (
    FACT_COLUMNS,
    OUTCOME_CODES,
    facts_from_rows,
    pauses_from_column,
    phase_stays_from_column,
    projection_fields,
)

OPEN_STATE_VALUES = [s.value for s in rules.OPEN_STATES]


def projection_of(enrollment: Enrollment) -> rules.Projection:
    """The cached state as a rules.Projection, for derived figures such as weeks in phase."""
    return rules.Projection(
        state=rules.State(enrollment.state) if enrollment.state else None,
        phase_position=enrollment.current_phase.position if enrollment.current_phase else None,
        phase_entered_on=enrollment.phase_entered_on,
        paused_since=enrollment.paused_since,
        paused_days_in_phase=enrollment.paused_days_in_phase,
        referred_on=enrollment.referred_on,
        started_on=enrollment.started_on,
        ended_on=enrollment.ended_on,
        last_event_on=enrollment.last_event_on,
        last_event_type=rules.EventType(enrollment.last_event_type) if enrollment.last_event_type else None,
        outcomes=tuple(enrollment.outcomes or ()),
        intake_on=enrollment.intake_on,
        ending_reason=enrollment.ending_reason,
        transfer_target=enrollment.transfer_target_id,
        pauses=pauses_from_column(enrollment.pauses),
        phase_stays=phase_stays_from_column(enrollment.phase_stays),
    )


@dataclass
class PhaseProgress:
    weeks: int | None
    expected: int | None

    @property
    def overdue(self) -> bool:
        return self.weeks is not None and self.expected is not None and self.weeks > self.expected


def phase_progress(enrollment: Enrollment, *, today: date) -> PhaseProgress:
    expected = enrollment.current_phase.expected_weeks if enrollment.current_phase else None
    return PhaseProgress(weeks=rules.weeks_in_phase(projection_of(enrollment), on=today), expected=expected)


@dataclass
class CaseloadRow:
    participant: Participant
    enrollment: Enrollment | None
    progress: PhaseProgress | None
    #: live signals the reader may see about this participant (filled in from the access layer)
    signal_count: int = 0


CASELOAD_PAGE_SIZE = 100


@dataclass
class CaseloadPage:
    rows: list[CaseloadRow]
    page: Page


@dataclass(frozen=True)
class CaseloadFilter:
    """What the caseload is narrowed to and how it is sorted (all optional)."""

    programme_id: int | None = None
    phase_id: int | None = None
    #: participants with a live signal of the chosen kind that the reader may see (from the access layer)
    with_signal: QuerySet | None = None
    #: participants on a colleague's caseload (a team lead's choice, from the access layer)
    of_colleague: QuerySet | None = None
    search: str = ""
    sort: str = "naam"


#: the sorts that read the reader's open enrollments: the column each sorts by, and what it is made of
SORT_COLUMNS = {
    "langst_in_fase": ("phase_since", "phase_entered_on"),
    "langst_geen_stap": ("last_step_on", "last_event_on"),
}

CASELOAD_SORTS: dict[str, tuple[Any, ...]] = {
    "naam": ("family_name", "given_name", "id"),
    "-naam": ("-family_name", "-given_name", "-id"),
    "langst_in_fase": (F("phase_since").asc(nulls_last=True), "family_name", "id"),
    "langst_geen_stap": (F("last_step_on").asc(nulls_last=True), "family_name", "id"),
}


def caseload_page(
    *,
    participants: QuerySet[Participant],
    enrollments: Callable[[], QuerySet[Enrollment]],
    open_enrollments_of: Callable[[list[Participant]], list[Enrollment]],
    today: date,
    page_number: int | str | None = 1,
    narrowed: CaseloadFilter | None = None,
) -> CaseloadPage:
    """One page of the caseload: one row per open enrollment the reader may see, and one per
    participant without one; narrowed by programme, phase, signal, colleague and a name, and
    sorted, in the database.

    From the access layer: `enrollments` builds the enrollments the reader may see (a sensitive
    programme only where its membership is visible), asked only when the narrowing or the sort
    reads them (building that scope costs a page milliseconds); `open_enrollments_of` gives the
    page's people's open enrollments the reader may see, within the chosen programme and phase.

    Three queries whatever the caseload: the count, one page of participants, and their open
    enrollments with programme and phase joined.
    """
    narrowed = narrowed or CaseloadFilter()
    sort = narrowed.sort if narrowed.sort in CASELOAD_SORTS else "naam"
    by_programme = narrowed.programme_id is not None or narrowed.phase_id is not None
    visible_open: QuerySet[Enrollment] | None = None
    if by_programme or sort in SORT_COLUMNS:
        visible_open = enrollments().filter(state__in=OPEN_STATE_VALUES)
        if narrowed.programme_id is not None:
            visible_open = visible_open.filter(programme_id=narrowed.programme_id)
        if narrowed.phase_id is not None:
            visible_open = visible_open.filter(current_phase_id=narrowed.phase_id)
    if visible_open is not None and by_programme:
        participants = participants.filter(pk__in=visible_open.values("participant_id"))
    if narrowed.with_signal is not None:
        participants = participants.filter(pk__in=narrowed.with_signal)
    if narrowed.of_colleague is not None:
        participants = participants.filter(pk__in=narrowed.of_colleague.values("pk"))
    for word in narrowed.search.split()[:5]:
        participants = participants.filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(family_name_prefix__icontains=word)
        )
    # only the sort by time in phase or since the last step reads its column (a subquery over the
    # reader's enrollment scope: building and compiling both cost a page about 6 ms)
    if visible_open is not None and sort in SORT_COLUMNS:
        name, source = SORT_COLUMNS[sort]
        mine = visible_open.filter(participant_id=OuterRef("pk")).order_by().values("participant_id")
        participants = participants.annotate(**{name: Subquery(mine.annotate(first=Min(source)).values("first"))})
    # a list shows no BSN, so it does not read (and decrypt) one
    paginator = Paginator(participants.defer("bsn").order_by(*CASELOAD_SORTS[sort]), CASELOAD_PAGE_SIZE)
    page = paginator.get_page(page_number)
    people = list(page.object_list)
    by_participant: dict[int, list[Enrollment]] = {}
    for enrollment in open_enrollments_of(people):
        by_participant.setdefault(enrollment.participant_id, []).append(enrollment)
    rows: list[CaseloadRow] = []
    for person in people:
        own = by_participant.get(person.pk)
        if not own:
            rows.append(CaseloadRow(person, None, None))
            continue
        for enrollment in own:
            enrollment.participant = person
            rows.append(CaseloadRow(person, enrollment, phase_progress(enrollment, today=today)))
    return CaseloadPage(rows=rows, page=page)


BOARD_CARD_LIMIT = 60


@dataclass
class BoardColumn:
    key: str
    title: str
    phase: Phase | None
    count: int = 0
    cards: list[tuple[Enrollment, PhaseProgress]] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


def _board_key(state: str, phase_position: int | None) -> str:
    if state == EnrollmentState.INTAKE:
        return "intake"
    if state == EnrollmentState.REFERRED or phase_position is None:
        return "aangemeld"
    return f"fase-{phase_position}"


def programme_board(*, programme: Programme, enrollments: QuerySet[Enrollment], today: date) -> list[BoardColumn]:
    """Open enrollments of a programme in columns: referred, intake, then one per phase.

    The counts are one aggregate in the database; each column names at most BOARD_CARD_LIMIT people.
    A bounded number of queries whatever the caseload: phases, counts, and one per column.
    """
    phases = list(programme.phases.order_by("position"))
    columns = [
        BoardColumn("aangemeld", str(EnrollmentState.REFERRED.label), None),
        BoardColumn("intake", str(EnrollmentState.INTAKE.label), None),
        *[BoardColumn(f"fase-{p.position}", p.name, p) for p in phases],
    ]
    by_key = {c.key: c for c in columns}
    open_here = enrollments.filter(programme=programme, state__in=OPEN_STATE_VALUES)
    counts = open_here.values("state", "current_phase__position").annotate(n=Count("id")).order_by()
    for row in counts:
        by_key[_board_key(row["state"], row["current_phase__position"])].count += row["n"]
    ordered = ("participant__family_name", "participant__given_name", "id")
    selections = {
        "aangemeld": open_here.filter(state=EnrollmentState.REFERRED),
        "intake": open_here.filter(state=EnrollmentState.INTAKE),
        **{
            f"fase-{p.position}": open_here.filter(current_phase=p)
            .exclude(state=EnrollmentState.REFERRED)
            .exclude(state=EnrollmentState.INTAKE)
            for p in phases
        },
    }
    for key, selection in selections.items():
        if not by_key[key].count:
            continue
        # a board shows no BSN, so it does not read (and decrypt) one
        cards = selection.select_related("participant", "current_phase").defer("participant__bsn")
        for enrollment in cards.order_by(*ordered)[:BOARD_CARD_LIMIT]:
            by_key[key].cards.append((enrollment, phase_progress(enrollment, today=today)))
    return columns


def enrollments_with_history(*, enrollment_ids: list[int]) -> list[Enrollment]:
    """Enrollments (ids the access layer gave) with their events (actor, phase, corrections joined)
    for the participant file: what the enrollment card shows, and nothing more (each join costs the
    file its planning and its columns). Every query compiled once (`core.prepared`)."""
    result: list[Enrollment] = prepared.instances("enrollments.cards", _cards, enrollment_ids)
    ids = [e.pk for e in result]
    live_tags: dict[int, list[EnrollmentTag]] = {}
    for tag in prepared.instances("enrollments.live_tags", _live_tags, ids):
        live_tags.setdefault(tag.enrollment_id, []).append(tag)
    for enrollment in attach_history(result, related=TIMELINE_RELATIONS):
        enrollment.live_tags = live_tags.get(enrollment.pk, [])  # type: ignore[attr-defined]
        voided = {e.corrects_id for e in enrollment.history if e.corrects_id}  # type: ignore[attr-defined]
        for event in enrollment.history:  # type: ignore[attr-defined]
            event.is_voided = event.pk in voided
    return result


#: what a timeline shows of each event besides the event itself
TIMELINE_RELATIONS = ("actor", "phase", "organisation", "target_programme", "corrects")


def attach_history(enrollments: list[Enrollment], *, related: tuple[str, ...]) -> list[Enrollment]:
    """Each enrollment with its events in order as `history` (what `redaction.enrollments_shown`
    reads), in one query compiled once per shape (`core.prepared`): a file reads it on every view."""

    def build(ids: list[int]) -> QuerySet[EnrollmentEvent]:
        return (
            EnrollmentEvent.objects.filter(enrollment_id__in=ids).select_related(*related).order_by("occurred_on", "id")
        )

    by_enrollment: dict[int, list[EnrollmentEvent]] = {e.pk: [] for e in enrollments}
    for event in prepared.instances(("enrollments.history", related), build, list(by_enrollment)):
        by_enrollment[event.enrollment_id].append(event)
    for enrollment in enrollments:
        enrollment.history = by_enrollment[enrollment.pk]  # type: ignore[attr-defined]
    return enrollments


def _cards(ids: list[int]) -> QuerySet[Enrollment]:
    cards = Enrollment.objects.filter(pk__in=ids).select_related("programme", "current_phase", "referred_by", "group")
    return cards.order_by("-referred_on", "-id")


def _live_tags(ids: list[int]) -> QuerySet[EnrollmentTag]:
    return (
        EnrollmentTag.objects.filter(enrollment_id__in=ids, removed_on__isnull=True)
        .select_related("tag")
        .order_by("added_on", "id")
    )


def next_actions(enrollment: Enrollment) -> list[tuple[str, str]]:
    """(event type, button label) for the steps the lifecycle allows from the current state."""
    state = rules.State(enrollment.state) if enrollment.state else None
    order = [e.value for e in rules.EventType]
    allowed = sorted((e.value for e in rules.ALLOWED[state]), key=order.index)
    return [(code, str(ACTION_LABELS[EventType(code)])) for code in allowed]


def replay_mismatches(*, enrollments: QuerySet[Enrollment] | None = None) -> tuple[int, list[tuple[str, str]]]:
    """Compare every enrollment's stored state with a replay of its events (set-based: three queries)."""
    queryset = enrollments if enrollments is not None else Enrollment.objects.all()
    rows = list(queryset.select_related("programme").order_by("id"))
    phases_by_programme: dict[int, list[Phase]] = {}
    for phase in Phase.objects.filter(programme__in={e.programme_id for e in rows}).order_by("position"):
        phases_by_programme.setdefault(phase.programme_id, []).append(phase)
    rows_by_enrollment: dict[int, list[tuple]] = {}
    events = EnrollmentEvent.objects.filter(enrollment__in=queryset).values_list("enrollment_id", *FACT_COLUMNS)
    for event in events.iterator(chunk_size=5000):
        rows_by_enrollment.setdefault(event[0], []).append(event[1:])
    mismatches: list[tuple[str, str]] = []
    for enrollment in rows:
        phases = phases_by_programme.get(enrollment.programme_id, [])
        positions = {p.id: p.position for p in phases}
        replayed = rules.replay(
            facts_from_rows(rows_by_enrollment.get(enrollment.pk, []), positions),
            phase_count=len(phases),
            outcome_codes=OUTCOME_CODES,
        )
        expected = projection_fields(replayed, phases)
        for name, value in expected.items():
            stored = getattr(enrollment, name)
            if name == "current_phase":
                stored, value = enrollment.current_phase_id, getattr(value, "pk", None)
            if stored != value:
                mismatches.append((str(enrollment.uuid), f"{name}: opgeslagen {stored!r}, replay {value!r}"))
                break
    return len(rows), mismatches


def team_of(participant: Participant) -> list[TeamAssignment]:
    """All of a participant's team assignments, past ones included, the latest start first, with the
    member and organisations the file names (compiled once: the file reads it on every view)."""
    return prepared.instances("enrollments.team_of", _team, [participant.pk])


def _team(ids: list[int]) -> QuerySet[TeamAssignment]:
    return (
        TeamAssignment.objects.filter(participant_id__in=ids)
        .select_related("member", "member__organisation", "organisation")
        .order_by("-starts_on", "-id")
    )


def team_assignment_of(*, participant: Participant, assignment_uuid: str) -> TeamAssignment | None:
    """One assignment of an already-authorised participant."""
    return participant.team.filter(uuid=assignment_uuid).first()


def trajectory_start(participant: Participant) -> date | None:
    """The day the participant's first enrollment was referred: nothing in their plan or contact
    history can lie before it."""
    return Enrollment.objects.filter(participant=participant).aggregate(first=Min("referred_on"))["first"]


def phases_of(programmes: Iterable[Programme]) -> QuerySet[Phase]:
    """The phases of these programmes (already read: their query is the caseload's, and asked again
    as a subquery it cost a caseload page 8 ms at T2), programme by programme, in order (for filters)."""
    return (
        Phase.objects.filter(programme_id__in=[p.pk for p in programmes])
        .select_related("programme")
        .order_by("programme__name", "position")
    )


@dataclass(frozen=True)
class EnrollmentListFilter:
    """What a list of enrollments (the API's, a report's drill-down) is narrowed to; all optional.
    Date ranges include both ends."""

    programme_codes: tuple[str, ...] = ()
    municipality_uuid: str | None = None
    states: tuple[str, ...] = ()
    referred_from: date | None = None
    referred_until: date | None = None
    started_from: date | None = None
    started_until: date | None = None
    ended_from: date | None = None
    ended_until: date | None = None


def enrollments_filtered(enrollments: QuerySet[Enrollment], narrowed: EnrollmentListFilter) -> QuerySet[Enrollment]:
    """Narrow the enrollments the reader may see (from the access layer), in the database."""
    if narrowed.programme_codes:
        enrollments = enrollments.filter(programme__code__in=narrowed.programme_codes)
    if narrowed.municipality_uuid:
        enrollments = enrollments.filter(participant__municipality__uuid=narrowed.municipality_uuid)
    if narrowed.states:
        enrollments = enrollments.filter(state__in=narrowed.states)
    for column, start, end in (
        ("referred_on", narrowed.referred_from, narrowed.referred_until),
        ("started_on", narrowed.started_from, narrowed.started_until),
        ("ended_on", narrowed.ended_from, narrowed.ended_until),
    ):
        if start is not None:
            enrollments = enrollments.filter(**{f"{column}__gte": start})
        if end is not None:
            enrollments = enrollments.filter(**{f"{column}__lte": end})
    return enrollments


def live_tag_codes(enrollment: Enrollment) -> set[str]:
    return set(
        EnrollmentTag.objects.filter(enrollment=enrollment, removed_on__isnull=True).values_list("tag__code", flat=True)
    )


def context_tag_choices() -> list[tuple[str, str]]:
    """The tags in use, as (code, label) in the language of the reader."""
    return [
        (code, gettext(label)) for code, label in ContextTag.objects.filter(is_active=True).values_list("code", "label")
    ]
