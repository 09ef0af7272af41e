"""What an enrollment's history says on a given date, and the statistics the indicators use: plain
Python, no Django, so every definition in docs/monitoring.md can be tested on hand-made histories.

A history is read "stand per" a date: only events that happened on or before it count, as they are
known today (a correction recorded later voids the event it corrects). The lifecycle rules of
`enrollments.rules` made every stored history legal, and a legal history cut at a date is legal too.
"""

import bisect
import math
import operator
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import NamedTuple

from doorstroom.enrollments.rules import EventType, State

#: event types and states: the lifecycle's own values (`enrollments.rules` is plain Python too)
REFERRED = EventType.REFERRED.value
INTAKE = EventType.INTAKE_HELD.value
STARTED = EventType.STARTED.value
PHASE_CHANGED = EventType.PHASE_CHANGED.value
PAUSED = EventType.PAUSED.value
RESUMED = EventType.RESUMED.value
DROPPED_OUT = EventType.DROPPED_OUT.value
NOT_STARTED = EventType.NOT_STARTED.value
COMPLETED = EventType.COMPLETED.value
TRANSFERRED = EventType.TRANSFERRED.value
CLOSED = EventType.CLOSED.value
CORRECTED = EventType.CORRECTED.value
ENDINGS = (COMPLETED, DROPPED_OUT, NOT_STARTED, TRANSFERRED, CLOSED)

#: the state on a date, as the funnel names it
STATE_REFERRED = State.REFERRED.value
STATE_INTAKE = State.INTAKE.value
STATE_ACTIVE = State.ACTIVE.value
STATE_PAUSED = State.PAUSED.value

#: outcomes that count as paid work when an enrollment ends
WORK_OUTCOMES = frozenset({"betaald_werk"})


class Event(NamedTuple):
    """One lifecycle event as the report reads it (a tuple: a region's report makes a million)."""

    seq: int
    event_type: str
    occurred_on: date
    phase: int | None = None
    reason_code: str = ""
    outcomes: tuple[str, ...] = ()
    target_programme_id: int | None = None
    voided: bool = False


@dataclass(frozen=True)
class Pause:
    start: date
    end: date | None  # None: still paused on the reporting date (or when the enrollment ended)
    reason_code: str


@dataclass(slots=True)
class History:
    """One enrollment as its events say on the reporting date. Without an instance dictionary
    (`slots`): a region's report makes two hundred thousand, copies most and reads their fields
    millions of times (benchmarks/RESULTS.md)."""

    enrollment_id: int
    participant_id: int
    programme_id: int
    referred_on: date | None = None
    intake_on: date | None = None
    started_on: date | None = None
    ended_on: date | None = None
    ending: str = ""  # one of ENDINGS, or "" while open
    ending_reason: str = ""
    outcomes: tuple[str, ...] = ()
    transferred_to: int | None = None
    state: str = ""  # on the reporting date: a STATE_* while open, else the ending
    pauses: list[Pause] = field(default_factory=list)
    #: (programme, phase, from, until): a chain of enrollments in a group keeps each part's stays
    phase_stays: list[tuple[int, int, date, date | None]] = field(default_factory=list)
    tags: frozenset[str] = frozenset()  # contexts and mechanisms noted on or before the reporting date

    @property
    def is_open(self) -> bool:
        return not self.ending

    @property
    def with_outcome(self) -> bool:
        return self.ending == COMPLETED and bool(self.outcomes)


_REPLAY_ORDER = operator.itemgetter(2, 0)  # an Event's (occurred_on, seq): date, then recording order


def history(
    *, enrollment_id: int, participant_id: int, programme_id: int, events: Iterable[Event], on: date
) -> History:
    """Fold the events of one enrollment that happened on or before `on`, in replay order (date,
    then recording order), voided events left out."""
    h = History(enrollment_id=enrollment_id, participant_id=participant_id, programme_id=programme_id)
    pause_start: date | None = None
    pause_reason = ""
    phase: int | None = None
    phase_since: date | None = None
    for e in sorted(events, key=_REPLAY_ORDER):
        if e.voided or e.event_type == CORRECTED or e.occurred_on > on:
            continue
        kind = e.event_type
        if kind == REFERRED:
            h.referred_on = e.occurred_on
            h.state = STATE_REFERRED
        elif kind == INTAKE:
            h.intake_on = e.occurred_on
            h.state = STATE_INTAKE
        elif kind in (STARTED, PHASE_CHANGED):
            if kind == STARTED:
                h.started_on = e.occurred_on
            if phase_since is not None:
                h.phase_stays.append((programme_id, phase or 0, phase_since, e.occurred_on))
            phase, phase_since = e.phase, e.occurred_on
            h.state = STATE_ACTIVE
        elif kind == PAUSED:
            pause_start, pause_reason = e.occurred_on, e.reason_code
            h.state = STATE_PAUSED
        elif kind == RESUMED:
            if pause_start is not None:
                h.pauses.append(Pause(pause_start, e.occurred_on, pause_reason))
            pause_start = None
            h.state = STATE_ACTIVE
        elif kind in ENDINGS:
            h.ended_on = e.occurred_on
            h.ending = kind
            h.ending_reason = e.reason_code
            h.outcomes = tuple(dict.fromkeys(e.outcomes)) if kind == COMPLETED else ()
            h.transferred_to = e.target_programme_id if kind == TRANSFERRED else None
            h.state = kind
    if pause_start is not None:
        h.pauses.append(Pause(pause_start, None, pause_reason))
    if phase_since is not None:
        h.phase_stays.append((programme_id, phase or 0, phase_since, h.ended_on))
    return h


class Course(NamedTuple):
    """An enrollment's course as its cached columns keep it (`enrollments.rules.Projection`, ADR
    0019): the fold of all its events. On any date on or after `last_event_on` its history is this
    course, so a report reads the events only of enrollments with steps after its peildatum. This is
    the definition; the report makes the same history straight from the row
    (`selectors._history_of`), and a generated test holds the two, and the fold, equal."""

    enrollment_id: int
    participant_id: int
    programme_id: int
    last_event_on: date | None
    state: str
    last_event_type: str
    referred_on: date | None
    intake_on: date | None
    started_on: date | None
    ended_on: date | None
    ending_reason: str
    outcomes: tuple[str, ...]
    transfer_target: int | None
    pauses: Sequence[tuple[date, date | None, str]]
    phase_stays: Sequence[tuple[int, date, date | None]]


def history_from_course(c: Course) -> History:
    """The history `history` folds on any date from `c.last_event_on` on (a test holds the two equal
    on generated histories)."""
    ending = c.last_event_type if c.ended_on is not None else ""
    return History(
        enrollment_id=c.enrollment_id,
        participant_id=c.participant_id,
        programme_id=c.programme_id,
        referred_on=c.referred_on,
        intake_on=c.intake_on,
        started_on=c.started_on,
        ended_on=c.ended_on,
        ending=ending,
        ending_reason=c.ending_reason if ending else "",
        outcomes=c.outcomes if ending == COMPLETED else (),
        transferred_to=c.transfer_target if ending == TRANSFERRED else None,
        state=ending or c.state,
        pauses=[Pause(start, end, reason) for start, end, reason in c.pauses],
        phase_stays=[(c.programme_id, phase, start, until or c.ended_on) for phase, start, until in c.phase_stays],
    )


#: every field of a history but its tags, the last one (a copy for a second peildatum leaves them out)
_UNTAGGED_FIELDS = tuple(f.name for f in fields(History))[:-1]
if fields(History)[-1].name != "tags":  # pragma: no cover - a guard for whoever adds a field
    raise TypeError("History's last field must be its tags: untagged_copy leaves the last one out")
_UNTAGGED = operator.attrgetter(*_UNTAGGED_FIELDS)


def untagged_copy(h: History) -> History:
    """A shallow copy without tags, for a second peildatum (its lists are only ever replaced, never
    changed); made by position, several times faster than `copy.copy` of a dataclass."""
    return History(*_UNTAGGED(h))


def paused_days(pauses: Sequence[Pause], start: date, end: date) -> int:
    """Days of [start, end) that fall in a pause (a pause still running lasts until `end`)."""
    total = 0
    for p in pauses:
        lo = max(start, p.start)
        hi = min(end, p.end or end)
        if hi > lo:
            total += (hi - lo).days
    return total


def active_days(h: History, on: date) -> int:
    """Days between the start and the end (or `on`) without the paused days."""
    if h.started_on is None:
        return 0
    until = min(h.ended_on, on) if h.ended_on else on
    if until <= h.started_on:
        return 0
    return (until - h.started_on).days - (paused_days(h.pauses, h.started_on, until) if h.pauses else 0)


def active_days_each(histories: Iterable[History], on: date) -> list[int]:
    """`active_days` of many histories at once, in their order: one loop with no call per history
    (a region's report asks it of a hundred thousand, on two dates); a generated test holds it equal
    to the per-history rule."""
    days: list[int] = []
    append = days.append
    for h in histories:
        started = h.started_on
        if started is None:
            append(0)
            continue
        ended = h.ended_on
        until = ended if ended is not None and ended < on else on
        if until <= started:
            append(0)
            continue
        pauses = h.pauses
        append((until - started).days - (paused_days(pauses, started, until) if pauses else 0))
    return days


def closed_phase_weeks(h: History, on: date) -> list[tuple[int, int, float]]:
    """(programme, phase, weeks without paused days) for every closed stay in a phase: the
    participant went on to a next phase, or the trajectory ended (a stay still running is left out)."""
    stays = []
    pauses = h.pauses
    ended = bool(h.ending)
    open_until = min(h.ended_on, on) if h.ended_on else on
    for programme_id, phase, start, until in h.phase_stays:
        if until is None and not ended:
            continue
        end = until or open_until
        days = (end - start).days - (paused_days(pauses, start, end) if pauses else 0)  # most never paused
        stays.append((programme_id, phase, max(0, days) / 7))
    return stays


def closed_stays_per_phase(
    histories: Iterable[History], on: date
) -> dict[tuple[int, int], tuple[list[float], list[int]]]:
    """`closed_phase_weeks` of many histories at once, per (programme, phase): the weeks of each
    closed stay and, beside them, whose enrollment it was. One loop with no call per history (a
    region's report has a hundred thousand); a generated test holds it equal to the per-history rule."""
    per_phase: dict[tuple[int, int], tuple[list[float], list[int]]] = {}
    for h in histories:
        stays = h.phase_stays
        if not stays:
            continue
        pauses = h.pauses
        ended = bool(h.ending)
        ended_on = h.ended_on
        open_until = ended_on if ended_on is not None and ended_on < on else on
        enrollment_id = h.enrollment_id
        for programme_id, phase, start, until in stays:
            if until is None and not ended:
                continue
            end = until or open_until
            days = (end - start).days - (paused_days(pauses, start, end) if pauses else 0)  # most never paused
            found = per_phase.get((programme_id, phase))
            if found is None:
                found = per_phase[(programme_id, phase)] = ([], [])
            found[0].append(max(0, days) / 7)
            found[1].append(enrollment_id)
    return per_phase


# --- statistics ------------------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile with linear interpolation between closest ranks (what spreadsheets call
    PERCENTILE.INC), so a figure can be checked by hand in Excel."""
    if not values:
        return None
    return quantile_of_sorted(sorted(values), q)


def quantile_of_sorted(ordered: Sequence[float], q: float) -> float | None:
    """`quantile` of values already in order (a table asks three quantiles of one list)."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def wilson(successes: int, total: int, z: float = 1.959964) -> tuple[float, float] | None:
    """The 95% Wilson score interval of a proportion (better than the normal one for small groups)."""
    if total == 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def survival(durations: Sequence[tuple[float, bool]], weeks: Sequence[int]) -> list[tuple[int, float | None, int]]:
    """Kaplan-Meier: the share still in the programme after w weeks since start, for each w.
    `durations` are (weeks observed, ended) per started enrollment: an enrollment still running
    on the reporting date is censored. Returns (week, share or None, number at risk). Counted per
    distinct time (a region's durations fall on a few thousand days), so a large cohort costs one
    pass and a sort of its distinct times."""
    total = len(durations)
    observed = Counter(durations)  # (time, ended) -> how many
    leaving: Counter[float] = Counter()  # time -> how many observed up to it (ended or censored)
    ending: Counter[float] = Counter()  # time -> how many ended at it
    for (t, ended), n in observed.items():
        leaving[t] += n
        if ended:
            ending[t] += n
    times = sorted(leaving)
    share = 1.0
    at_risk = total
    curve: list[tuple[float, float]] = []  # (time of an ending, share just after it)
    before: list[int] = []  # how many were observed for less than each time
    for t in times:
        before.append(total - at_risk)
        ended_here = ending.get(t, 0)
        if ended_here:
            share *= 1 - ended_here / at_risk
            curve.append((t, share))
        at_risk -= leaving[t]
    result = []
    for w in weeks:
        at = bisect.bisect_left(times, w)
        still = total - (before[at] if at < len(times) else total)
        value = 1.0
        for t, s in curve:
            if t <= w:
                value = s
            else:
                break
        result.append((w, value if durations else None, still))
    return result


def merge_chain(chain: Sequence[History]) -> History:
    """A chain of enrollments linked by transfers inside a group of programmes, as one trajectory
    of the group: it starts where the first started and ends where the last ended; the transfers
    between its parts are steps inside it, not endings."""
    if len(chain) == 1:
        return chain[0]
    first, last = chain[0], chain[-1]
    merged = History(
        enrollment_id=first.enrollment_id,
        participant_id=first.participant_id,
        programme_id=first.programme_id,
        referred_on=first.referred_on,
        intake_on=next((h.intake_on for h in chain if h.intake_on), None),
        started_on=next((h.started_on for h in chain if h.started_on), None),
        ended_on=last.ended_on,
        ending=last.ending,
        ending_reason=last.ending_reason,
        outcomes=last.outcomes,
        transferred_to=last.transferred_to,
        state=last.state,
        pauses=[p for h in chain for p in h.pauses],
        phase_stays=[stay for h in chain for stay in h.phase_stays],
        tags=frozenset().union(*(h.tags for h in chain)),
    )
    if merged.started_on is not None and last.state in (STATE_REFERRED, STATE_INTAKE):
        merged.state = STATE_ACTIVE  # moved on to the next route and waiting there: still in the group's trajectory
    return merged
