"""The enrollment lifecycle as a pure replay of events (no Django, no database).

The stored state of an enrollment is a cache of `replay(events)`. Events are ordered by their date,
then by recording order; a corrected (voided) event takes no part. Every rule of the lifecycle is
checked here, so an event that would make any point of the history illegal is refused, also when it
is dated in the past.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from doorstroom.core import categories
from doorstroom.core.messages import _


class State(StrEnum):
    REFERRED = "aangemeld"
    INTAKE = "intake"
    ACTIVE = "actief"
    PAUSED = "gepauzeerd"
    COMPLETED = "afgerond"
    DROPPED_OUT = "uitgevallen"
    NOT_STARTED = "niet_gestart"
    TRANSFERRED = "overgedragen"
    CLOSED = "administratief_afgesloten"


class EventType(StrEnum):
    REFERRED = "aangemeld"
    INTAKE_HELD = "intake"
    STARTED = "gestart"
    PHASE_CHANGED = "fase_gewijzigd"
    PAUSED = "gepauzeerd"
    RESUMED = "hervat"
    DROPPED_OUT = "uitgevallen"
    NOT_STARTED = "niet_gestart"
    COMPLETED = "afgerond"
    TRANSFERRED = "overgedragen"
    CLOSED = "administratief_afgesloten"
    CORRECTED = "gecorrigeerd"


#: Steps that must say why; the codes themselves are data (`programmes.ReasonCode`), checked by the
#: service when a step is recorded, so that a retired code still replays in old histories.
REASON_REQUIRED = frozenset({EventType.PAUSED, EventType.DROPPED_OUT, EventType.NOT_STARTED, EventType.CLOSED})

#: The completion reason that says "finished, but without a positive result" (countable apart).
WITHOUT_FOLLOW_UP = "zonder_vervolg"


#: The free text of an event (a note, the reason of a correction) is contacts-and-notes data.
NOTE_CATEGORY = categories.NOTES


TERMINAL_STATES = frozenset({State.COMPLETED, State.DROPPED_OUT, State.NOT_STARTED, State.TRANSFERRED, State.CLOSED})
OPEN_STATES = frozenset(set(State) - TERMINAL_STATES)

ALLOWED: dict[State | None, frozenset[EventType]] = {
    None: frozenset({EventType.REFERRED}),
    State.REFERRED: frozenset(
        {EventType.INTAKE_HELD, EventType.STARTED, EventType.NOT_STARTED, EventType.TRANSFERRED, EventType.CLOSED}
    ),
    State.INTAKE: frozenset({EventType.STARTED, EventType.NOT_STARTED, EventType.TRANSFERRED, EventType.CLOSED}),
    State.ACTIVE: frozenset(
        {
            EventType.PHASE_CHANGED,
            EventType.PAUSED,
            EventType.DROPPED_OUT,
            EventType.COMPLETED,
            EventType.TRANSFERRED,
            EventType.CLOSED,
        }
    ),
    State.PAUSED: frozenset({EventType.RESUMED, EventType.DROPPED_OUT, EventType.TRANSFERRED, EventType.CLOSED}),
    State.COMPLETED: frozenset(),
    State.DROPPED_OUT: frozenset(),
    State.NOT_STARTED: frozenset(),
    State.TRANSFERRED: frozenset(),
    State.CLOSED: frozenset(),
}

#: a lifecycle step as the user would say it ("U kunt dit traject niet ... ")
STEP_WORDS: dict[EventType, str] = {
    EventType.REFERRED: _("aanmelden"),
    EventType.INTAKE_HELD: _("een intake geven"),
    EventType.STARTED: _("laten starten"),
    EventType.PHASE_CHANGED: _("naar een andere fase zetten"),
    EventType.PAUSED: _("pauzeren"),
    EventType.RESUMED: _("hervatten"),
    EventType.DROPPED_OUT: _("als uitgevallen afsluiten"),
    EventType.COMPLETED: _("afronden"),
    EventType.NOT_STARTED: _("als niet gestart afsluiten"),
    EventType.TRANSFERRED: _("overdragen"),
    EventType.CLOSED: _("administratief afsluiten"),
    EventType.CORRECTED: _("corrigeren"),
}

#: why no step of that kind is possible in a state, in plain words
STATE_WHY: dict[State | None, str] = {
    None: _("het is dan nog niet aangemeld"),
    State.REFERRED: _("het is dan nog niet gestart"),
    State.INTAKE: _("de intake is dan geweest, maar het is nog niet gestart"),
    State.ACTIVE: _("het loopt dan al"),
    State.PAUSED: _("het is dan gepauzeerd; hervat het eerst"),
    State.COMPLETED: _("het is dan al afgerond"),
    State.DROPPED_OUT: _("het is dan al afgesloten, omdat de deelnemer is uitgevallen"),
    State.NOT_STARTED: _("het is dan al afgesloten zonder te starten"),
    State.TRANSFERRED: _("het is dan al overgedragen aan een ander programma"),
    State.CLOSED: _("het is dan al administratief afgesloten"),
}

STATE_AFTER: dict[EventType, State] = {
    EventType.REFERRED: State.REFERRED,
    EventType.INTAKE_HELD: State.INTAKE,
    EventType.STARTED: State.ACTIVE,
    EventType.PHASE_CHANGED: State.ACTIVE,
    EventType.PAUSED: State.PAUSED,
    EventType.RESUMED: State.ACTIVE,
    EventType.DROPPED_OUT: State.DROPPED_OUT,
    EventType.NOT_STARTED: State.NOT_STARTED,
    EventType.COMPLETED: State.COMPLETED,
    EventType.TRANSFERRED: State.TRANSFERRED,
    EventType.CLOSED: State.CLOSED,
}


class TransitionRefused(Exception):
    """A lifecycle rule refused an event; `field` names the input to fix."""

    def __init__(self, message: str, *, field: str = "event_type") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class EventFact:
    """What replay needs of one stored event."""

    seq: int
    event_type: EventType
    occurred_on: date
    phase_position: int | None = None
    reason_code: str = ""
    note: str = ""
    outcomes: tuple[str, ...] = ()
    voided: bool = False
    target_programme_id: int | None = None  # a transfer's target


#: a pause as the course keeps it: (start, end or None while it runs, reason code)
PauseSpan = tuple[date, date | None, str]
#: a stay in a phase: (the event's phase position, 0 without one; from; until, None while in it)
PhaseStay = tuple[int, date, date | None]


@dataclass(frozen=True)
class Projection:
    """The current state derived from the events; stored on the enrollment as a cache."""

    state: State | None = None
    phase_position: int | None = None
    phase_entered_on: date | None = None
    paused_since: date | None = None
    paused_days_in_phase: int = 0
    referred_on: date | None = None
    started_on: date | None = None
    ended_on: date | None = None
    last_event_on: date | None = None
    last_event_type: EventType | None = None
    outcomes: tuple[str, ...] = field(default_factory=tuple)
    # the course: the dates the history passed through, which reports count (ADR 0019); the same
    # fold as `monitoring.rules.history` on a date after the last event, proven equal by a test
    intake_on: date | None = None
    ending_reason: str = ""
    transfer_target: int | None = None
    pauses: tuple[PauseSpan, ...] = field(default_factory=tuple)
    phase_stays: tuple[PhaseStay, ...] = field(default_factory=tuple)


def ordered(events: Iterable[EventFact]) -> list[EventFact]:
    """Replay order: by date, then by recording order."""
    return sorted(events, key=lambda e: (e.occurred_on, e.seq))


def apply(p: Projection, e: EventFact, *, phase_count: int, outcome_codes: frozenset[str]) -> Projection:
    """One step of the lifecycle; raises TransitionRefused when the event is not allowed here."""
    if e.event_type == EventType.CORRECTED:
        if p.state is None:
            raise TransitionRefused(_("Er is nog niets om te corrigeren."), field="corrects")
        return p
    allowed = ALLOWED[p.state]
    if e.event_type not in allowed:
        raise TransitionRefused(
            _(
                "U kunt dit traject op %(day)s niet %(step)s: %(why)s.",
                step=STEP_WORDS[e.event_type],
                day=f"{e.occurred_on:%d-%m-%Y}",
                why=STATE_WHY[p.state],
            )
        )
    if e.event_type in REASON_REQUIRED and not e.reason_code:
        raise TransitionRefused(_("Kies een reden."), field="reason_code")
    nxt = replace(p, state=STATE_AFTER[e.event_type], last_event_on=e.occurred_on, last_event_type=e.event_type)

    if e.event_type == EventType.REFERRED:
        return replace(nxt, referred_on=e.occurred_on)
    if e.event_type == EventType.INTAKE_HELD:
        return replace(nxt, intake_on=e.occurred_on)  # a step on the way, it does not end the enrollment
    if e.event_type in (EventType.STARTED, EventType.PHASE_CHANGED):
        target = (
            e.phase_position
            if e.phase_position is not None
            else (1 if e.event_type == EventType.STARTED else (p.phase_position or 0) + 1)
        )
        if phase_count == 0:
            if e.event_type == EventType.PHASE_CHANGED:
                raise TransitionRefused(_("Dit programma heeft geen fasen."), field="phase")
            target_or_none: int | None = None
        else:
            if not 1 <= target <= phase_count:
                raise TransitionRefused(_("Deze fase hoort niet bij het programma."), field="phase")
            if e.event_type == EventType.PHASE_CHANGED and target == p.phase_position:
                raise TransitionRefused(_("Het traject is al in deze fase."), field="phase")
            expected = 1 if e.event_type == EventType.STARTED else (p.phase_position or 0) + 1
            if target != expected and not e.note.strip():
                raise TransitionRefused(
                    _("Een fase overslaan of terug naar een eerdere fase kan alleen met een toelichting."),
                    field="note",
                )
            target_or_none = target
        stays = p.phase_stays
        if stays and stays[-1][2] is None:  # the stay before ends here
            stays = stays[:-1] + ((stays[-1][0], stays[-1][1], e.occurred_on),)
        nxt = replace(
            nxt,
            phase_position=target_or_none,
            phase_entered_on=e.occurred_on,
            paused_days_in_phase=0,
            phase_stays=stays + ((e.phase_position or 0, e.occurred_on, None),),
        )
        if e.event_type == EventType.STARTED:
            nxt = replace(nxt, started_on=e.occurred_on)
        return nxt
    if e.event_type == EventType.PAUSED:
        return replace(nxt, paused_since=e.occurred_on, pauses=p.pauses + ((e.occurred_on, None, e.reason_code),))
    if e.event_type == EventType.RESUMED:
        assert p.paused_since is not None
        paused = (e.occurred_on - p.paused_since).days
        pauses = p.pauses
        if pauses and pauses[-1][1] is None:
            pauses = pauses[:-1] + ((pauses[-1][0], e.occurred_on, pauses[-1][2]),)
        return replace(nxt, paused_since=None, paused_days_in_phase=p.paused_days_in_phase + paused, pauses=pauses)
    nxt = replace(nxt, ending_reason=e.reason_code)  # every step from here on ends the enrollment
    if e.event_type == EventType.COMPLETED:
        if e.reason_code == WITHOUT_FOLLOW_UP:
            if e.outcomes:
                raise TransitionRefused(
                    _("Afgerond zonder vervolg kan niet samen met een resultaat."), field="outcomes"
                )
            return replace(nxt, ended_on=e.occurred_on, outcomes=())
        if not e.outcomes:
            raise TransitionRefused(
                _("Kies minstens één resultaat, of kies 'afgerond zonder vervolg'."), field="outcomes"
            )
        unknown = [o for o in e.outcomes if o not in outcome_codes]
        if unknown:
            raise TransitionRefused(_("Onbekend resultaat '%(code)s'.", code=unknown[0]), field="outcomes")
        return replace(nxt, ended_on=e.occurred_on, outcomes=tuple(dict.fromkeys(e.outcomes)))
    # dropped out, not started, transferred, closed: the enrollment ends (a pause running then stays on record)
    transfer_target = e.target_programme_id if e.event_type == EventType.TRANSFERRED else None
    return replace(nxt, ended_on=e.occurred_on, transfer_target=transfer_target)


def replay(events: Iterable[EventFact], *, phase_count: int, outcome_codes: frozenset[str]) -> Projection:
    """Fold the non-voided events, in replay order, into the current state."""
    p = Projection()
    for e in ordered(events):
        if e.voided:
            continue
        p = apply(p, e, phase_count=phase_count, outcome_codes=outcome_codes)
    return p


def weeks_in_phase(p: Projection, *, on: date) -> int | None:
    """Whole weeks spent in the current phase up to `on` (or the end), paused days not counted."""
    if p.phase_entered_on is None:
        return None
    until = min(on, p.ended_on) if p.ended_on else on
    days = (until - p.phase_entered_on).days - p.paused_days_in_phase
    if p.paused_since is not None:
        days -= max(0, (until - p.paused_since).days)
    return max(0, days) // 7


def voidable(events: Sequence[EventFact], target_seq: int) -> EventFact:
    """The event a correction may void: it exists, is not itself a correction and is not voided yet."""
    for e in events:
        if e.seq == target_seq:
            if e.event_type == EventType.CORRECTED:
                raise TransitionRefused(_("Een correctie kan niet zelf gecorrigeerd worden."), field="corrects")
            if e.voided:
                raise TransitionRefused(_("Deze gebeurtenis is al gecorrigeerd."), field="corrects")
            if e.event_type == EventType.TRANSFERRED:
                raise TransitionRefused(
                    _(
                        "Een overdracht kan niet teruggedraaid worden; registreer in het nieuwe traject "
                        "dat het niet is gestart en meld de deelnemer opnieuw aan."
                    ),
                    field="corrects",
                )
            return e
    raise TransitionRefused(_("Deze gebeurtenis hoort niet bij dit traject."), field="corrects")
