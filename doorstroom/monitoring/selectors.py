"""Reading a cohort from the database: the enrollments a report counts (chosen by the access layer and
the report's parameters), their events, guidance minutes, scores and labels, in a fixed number of
queries whatever the size of the cohort (tested). The indicators then work on plain histories."""

import array
import json
import operator
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Func,
    JSONField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import translation
from django.utils.translation import gettext

from psycopg.pq import TransactionStatus

from doorstroom.contacts import rules as contact_rules
from doorstroom.contacts.models import ContactMoment
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, EnrollmentTag
from doorstroom.measurements import series
from doorstroom.measurements.models import ScaleVersion, ScoreSeries
from doorstroom.organisations.models import Organisation
from doorstroom.programmes.models import ContextTag, OutcomeType, Programme, ReasonEvent, reason_catalogue

from . import indicators, rules
from .models import AdoptedReport

BASIS_REFERRED = "aangemeld"
BASIS_STARTED = "gestart"
INSTRUMENTS = series.INSTRUMENTS


@dataclass(frozen=True)
class ReportParameters:
    """What a report is about. The same names are used on the page, in the API and by the command."""

    on: date  # peildatum: events up to and including this date count
    programme_ids: tuple[int, ...] = ()
    municipality_ids: tuple[int, ...] = ()
    basis: str = BASIS_REFERRED  # the cohort is chosen by referral date or by start date
    period_from: date | None = None
    period_until: date | None = None
    whole: bool = True  # several programmes as one whole: a transfer between them is not an ending


def cohort_enrollments(counted: QuerySet[Enrollment], p: ReportParameters) -> QuerySet[Enrollment]:
    """The candidate enrollments: what the reader's figures count, narrowed by programme,
    municipality and (for a referral cohort) the referral period. The referral date never changes
    once recorded, so the cached column is safe here; everything else is read from the events."""
    # no order: a report counts, and the tables put their rows in their own order
    chosen = counted.filter(referred_on__isnull=False, referred_on__lte=p.on).order_by()
    if p.programme_ids:
        chosen = chosen.filter(programme_id__in=p.programme_ids)
    if p.municipality_ids:
        chosen = chosen.filter(participant__municipality_id__in=p.municipality_ids)
    if p.basis == BASIS_REFERRED:
        if p.period_from:
            chosen = chosen.filter(referred_on__gte=p.period_from)
        if p.period_until:
            chosen = chosen.filter(referred_on__lte=p.period_until)
    return chosen


def transfers_to_sensitive_for_certain(counted: QuerySet[Enrollment], p: ReportParameters) -> bool:
    """Whether the report on `p` will certainly show a transfer to a sensitive programme, known from
    the course columns without folding a history: for one programme counted by referral (no chains
    in a group, no start-date filter) when no enrollment had a step after the peildatum, so that each
    history is its course (`rules.history_from_course`, ADR 0019). In every other case False, and
    the histories decide (`services._sensitive_target`)."""
    if len(p.programme_ids) != 1 or p.basis != BASIS_REFERRED:
        return False
    chosen = cohort_enrollments(counted, p)
    if chosen.filter(last_event_on__gt=p.on).exists():
        return False
    return chosen.filter(
        ended_on__isnull=False, last_event_type=rules.TRANSFERRED, transfer_target__is_sensitive=True
    ).exists()


def cohort(counted: QuerySet[Enrollment], p: ReportParameters) -> indicators.Cohort:
    return cohorts(counted, p)[0]


def cohorts(
    counted: QuerySet[Enrollment], p: ReportParameters, earlier: ReportParameters | None = None
) -> tuple[indicators.Cohort, indicators.Cohort | None]:
    """The cohort on `p`, and with `earlier` (the same report on an earlier peildatum, as
    `services.month_before` makes it) that cohort too, from one read of the events, tags and scores:
    a suppressed report needs last month's figures beside this month's. `earlier` may differ from `p`
    only in its peildatum and the end of its period."""
    now, then, _nothing = cohorts_meanwhile(counted, p, earlier)
    return now, then


Early = TypeVar("Early")


def cohorts_meanwhile(
    counted: QuerySet[Enrollment],
    p: ReportParameters,
    earlier: ReportParameters | None = None,
    meanwhile: Callable[[indicators.Cohort, indicators.Cohort | None], Early] | None = None,
) -> tuple[indicators.Cohort, indicators.Cohort | None, Early | None]:
    """`cohorts`, and `meanwhile(now, then)` run on the cohorts' histories in a second thread while
    this one reads the tags, guidance minutes and score changes (empty in the cohorts until then):
    what only needs the histories is worked out while the database works (ADR 0019, amendment of
    the eighth session). `meanwhile` must not touch the database (connections belong to their thread)
    nor read the tags, minutes or changes; its result comes back as the third value."""
    chosen = cohort_enrollments(counted, p)
    text = _reading_connection().vendor == "sqlite"  # SQLite's driver gives dates as text
    day = _day if text else _same
    earliest = min(p.on, earlier.on) if earlier else p.on
    read = _plain_rows(chosen.values_list(*_COHORT_COLUMNS))
    # only enrollments with steps after a peildatum need their events
    moving = [r[0] for r in read if r[_LAST_EVENT_ON] is not None and day(r[_LAST_EVENT_ON]) > earliest]
    # what the cohorts name, read here for the second thread (which reads no database)
    naming = _Naming(
        *_programmes({r[2] for r in read} | set(p.programme_ids)),
        outcome_labels={code: str(label) for code, label in OutcomeType.choices},
        reasons=_reasons({r[2] for r in read} | set(p.programme_ids)),
        municipality_names=dict(Organisation.objects.filter(pk__in={r[4] for r in read}).values_list("pk", "name")),
        item_labels=_item_labels(),  # the same for both months
    )
    # the events are read while the second thread decodes the courses (it waits for them to fold)
    events: Future[dict[int, list[rules.Event]]] = Future()
    work = (translation.get_language(), read, events, p, earlier, day, naming, meanwhile)
    with _alongside(_histories_and, *work) as folding:
        try:
            events.set_result(
                _events(_by_ids(chosen.filter(last_event_on__gt=earliest), moving), day) if moving else {}
            )
        except BaseException as failed:
            events.set_exception(failed)  # the second thread stops too
            raise
        enrollment_ids = [r[0] for r in read]
        # read plainly (a region's hundred thousand tags through the ORM's chunked reads took 0.05 s more)
        tags = _plain_rows(
            EnrollmentTag.objects.filter(_tagged_within(chosen, p, enrollment_ids), added_on__lte=p.on)
            .order_by()
            .values_list("enrollment_id", "tag__code", "added_on")
        )
        if text:  # SQLite's driver gives the dates as text
            tags = [(enrollment_id, code, day(added_on)) for enrollment_id, code, added_on in tags]
        dates = [p.on] + ([earlier.on] if earlier else [])
        minutes = _guidance_minutes(_by_ids(chosen, enrollment_ids), dates, day)
        measured_among = {r[1] for r in read}
        changes = _score_changes(chosen, measured_among, p.on, earlier.on if earlier else None)
    (now, counting_now), then_and_counting, early = folding.result()
    _complete(now, counting_now, tags, minutes[0], changes[0])
    if then_and_counting is None:
        return now, None, early
    then, counting_then = then_and_counting
    changes_then = _within(changes[1], set(then.municipality_of), measured_among)
    _complete(then, counting_then, tags, minutes[1], changes_then)
    return now, then, early


@dataclass(frozen=True)
class _Naming:
    """What a cohort names (programmes, reasons, outcomes, municipalities, items), read beforehand."""

    facts: dict[int, indicators.ProgrammeFacts]
    programme_names: dict[int, str]
    outcome_labels: dict[str, str]
    reasons: tuple[tuple[str, str, int | None, str], ...]  # step, code, its programme or None, label
    municipality_names: dict[int, str]
    item_labels: dict[tuple[str, str], str]


def _histories_and(
    language: str,
    read: list[tuple[Any, ...]],
    events_read: "Future[dict[int, list[rules.Event]]]",
    p: ReportParameters,
    earlier: ReportParameters | None,
    day: Callable[[Any], date],
    naming: _Naming,
    meanwhile: Callable[[indicators.Cohort, indicators.Cohort | None], Early] | None,
) -> tuple[
    tuple[indicators.Cohort, "_Counting"],
    tuple[indicators.Cohort, "_Counting"] | None,
    Early | None,
]:
    """The second thread's work: the courses decoded, the histories folded on both dates (with the
    events the first thread reads meanwhile), the cohorts made without tags, minutes and changes, and
    `meanwhile` run on them, in the reader's language."""
    with translation.override(language), ExitStack() as no_database:
        for alias in connections:  # this thread's own connections: none is to be used
            no_database.enter_context(connections[alias].execute_wrapper(_refused_here))
        latest = max(p.on, earlier.on) if earlier is not None else p.on
        rows, municipality_of, last_event_on, made = _courses_of(read, latest, day)
        events = events_read.result()  # read meanwhile by the first thread
        folded = _fold(rows, last_event_on, events, p.on, made, first=True)
        now = _cohort_on(p, rows, folded, municipality_of, naming)
        then = None
        if earlier is not None:
            chosen_then = [
                r
                for r in rows
                if r[4] <= earlier.on
                and (earlier.basis != BASIS_REFERRED or earlier.period_until is None or r[4] <= earlier.period_until)
            ]
            folded_then = _fold(chosen_then, last_event_on, events, earlier.on, made, first=False)
            then = _cohort_on(earlier, chosen_then, folded_then, municipality_of, naming)
        early = meanwhile(now[0], then[0] if then else None) if meanwhile is not None else None
        return now, then, early


def _by_ids(chosen: QuerySet[Enrollment], ids: list[int]) -> QuerySet[Enrollment]:
    """The enrollments of `chosen`, already read, as a query for the next reads. On PostgreSQL by
    their ids as one array (the access layer's conditions, joins over participants and teams, are
    not worked out again for every read: 0.02-0.05 s each for a large programme); elsewhere the
    same query as a subquery. The ids came from `chosen`, so nobody else's rows are read."""
    if _reading_connection().vendor != "postgresql":
        return chosen
    return Enrollment.objects.filter(_AnyOf(F("id"), ids)).order_by()


def _tagged_within(chosen: QuerySet[Enrollment], p: ReportParameters, ids: list[int]) -> "Q | _AnyOf":
    """The tags' condition on their enrollment. For chosen programmes on PostgreSQL the cohort's ids
    as one array (79 -> 11 ms for the largest programme at 100,000 participants: the access layer's
    joins read every participant again); for a region's overview the joins, which cost less there
    than a hundred thousand ids (benchmarks/RESULTS.md)."""
    if p.programme_ids and _reading_connection().vendor == "postgresql":
        return _AnyOf(F("enrollment_id"), ids)
    return Q(enrollment__in=chosen.values("id"))


def _fold(
    rows: list[tuple[int, int, int, int | None, date]],
    last_event_on: dict[int, date | None],
    events: dict[int, list[rules.Event]],
    on: date,
    made: dict[int, rules.History],
    *,
    first: bool,
) -> dict[int, rules.History]:
    """Each enrollment's history on `on`: its course when nothing happened to it after `on` (ADR
    0019), else its events folded on `on`. `made` holds the histories made from the courses of all
    enrollments with no step after the latest peildatum; the first date takes them as they are, a
    second date copies them (without the tags, which `_cohort_on` adds per date)."""
    histories: dict[int, rules.History] = {}
    for enrollment_id, participant_id, programme_id, _from, _referred in rows:
        last = last_event_on[enrollment_id]
        if last is None or last <= on:
            known = made[enrollment_id]
            histories[enrollment_id] = known if first else rules.untagged_copy(known)
        else:
            histories[enrollment_id] = rules.history(
                enrollment_id=enrollment_id,
                participant_id=participant_id,
                programme_id=programme_id,
                on=on,
                events=events.get(enrollment_id, ()),
            )
    return histories


@contextmanager
def _alongside(work: Callable[..., Any], *args: Any) -> Iterator["Future[Any]"]:
    """Run `work(*args)` in a second thread for the duration of the block. A report's Python work on
    the cohort and its later queries do not depend on each other; while this thread waits for the
    database (the driver lets go of the interpreter while it waits) the other decodes, so the two
    cores both work (benchmarks/RESULTS.md). The work must not touch the database: connections
    belong to their thread."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report") as pool:
        yield pool.submit(work, *args)


def _refused_here(*_args: Any) -> Any:
    raise RuntimeError("the report's second thread reads no database: read it before, in the first")


def _courses_of(
    read: list[tuple[Any, ...]], latest: date, day: Callable[[Any], date]
) -> tuple[
    list[tuple[int, int, int, int | None, date]],
    dict[int, int],
    dict[int, date | None],
    dict[int, rules.History],
]:
    """The cohort's rows, each participant's municipality, each enrollment's last step, and the
    histories (ADR 0019: their courses) of those with no step after `latest`, from the rows as the
    driver gave them. An enrollment with later steps is folded from its events instead: its course
    is not decoded at all."""
    rows: list[tuple[int, int, int, int | None, date]] = []
    municipality_of: dict[int, int] = {}
    last_of: dict[int, date | None] = {}
    made: dict[int, rules.History] = {}
    dates = _Dates()
    for row, as_json in zip(read, _json_decoded(read), strict=True):
        enrollment_id, participant_id, programme_id, from_id, municipality_id, referred_on, last_event_on = row[:7]
        referred = day(referred_on) if referred_on else latest  # never empty here
        rows.append((enrollment_id, participant_id, programme_id, from_id, referred))
        municipality_of[participant_id] = municipality_id
        last = last_of[enrollment_id] = day(last_event_on) if last_event_on else None
        if last is None or last <= latest:
            made[enrollment_id] = _history_of(row, referred, as_json, dates)
    return rows, municipality_of, last_of, made


class _Dates(dict[Any, date]):
    """Dates as the driver and the JSON columns give them (ISO text, or dates), each text parsed once:
    a region's courses name a few thousand days a few hundred thousand times."""

    def __missing__(self, value: Any) -> date:
        parsed = self[value] = value if isinstance(value, date) else date.fromisoformat(value)
        return parsed


def _history_of(row: tuple[Any, ...], referred: date, as_json: tuple[Any, Any, Any], dates: "_Dates") -> rules.History:
    """One enrollment's history from its row of `_COHORT_COLUMNS` (ADR 0019: its cached course),
    with its referral date and its JSON columns decoded: what `rules.history_from_course` makes of
    the `rules.Course` those columns hold (a generated test holds both equal to the fold of the
    events), without making the course first."""
    (enrollment_id, participant_id, programme_id, _from, _where, _referred, _last, state, last_type, intake_on,
     started_on, ended_on, reason, _o, target, _p, _s) = row  # fmt: skip
    outcomes, pauses, stays = as_json
    ended = dates[ended_on] if ended_on else None
    ending = last_type if ended is not None else ""
    return rules.History(  # by position, in the order of its fields (a region makes a hundred thousand)
        enrollment_id,
        participant_id,
        programme_id,
        referred,
        dates[intake_on] if intake_on else None,
        dates[started_on] if started_on else None,
        ended,
        ending,
        reason if ending else "",  # ending_reason
        tuple(outcomes) if ending == rules.COMPLETED else (),
        target if ending == rules.TRANSFERRED else None,  # transferred_to
        ending or state,
        [rules.Pause(dates[start], dates[end] if end else None, why) for start, end, why in pauses] if pauses else [],
        [(programme_id, phase, dates[start], dates[until] if until else ended) for phase, start, until in stays]
        if stays
        else [],
    )


#: what a report reads of each enrollment: who and where, then its course (`_history_of` reads the rest)
_COHORT_COLUMNS = (
    "id",
    "participant_id",
    "programme_id",
    "transferred_from_id",
    "participant__municipality_id",
    "referred_on",
    "last_event_on",  # _LAST_EVENT_ON
    "state",
    "last_event_type",
    "intake_on",
    "started_on",
    "ended_on",
    "ending_reason",
    "outcomes",
    "transfer_target_id",
    "pauses",
    "phase_stays",
)


_LAST_EVENT_ON = _COHORT_COLUMNS.index("last_event_on")
#: the course's JSON columns (the drivers hand them over as text)
_JSON_AT = tuple(_COHORT_COLUMNS.index(c) for c in ("outcomes", "pauses", "phase_stays"))


def _json_decoded(read: list[tuple[Any, ...]]) -> Iterator[tuple[Any, Any, Any]]:
    """Each row's JSON columns decoded, a whole column in one parse: a parse per value costs more in
    calls than in reading (0.25 against 0.1 s for the phase stays of 100,000 enrollments), and so
    does a Python step per value (0.1 s for a region's three columns). A column with a value that
    is not one JSON text (already decoded, empty, or not one value) is decoded value by value."""
    columns = []
    for at in _JSON_AT:
        values = list(map(operator.itemgetter(at), read))
        try:
            decoded = json.loads("[" + ",".join(values) + "]")
        except (TypeError, ValueError):  # a value already decoded, or no text at all
            decoded = None
        if decoded is None or len(decoded) != len(values):  # each value must have been one element
            decoded = [() if not v or v == "[]" else json.loads(v) if isinstance(v, str) else v for v in values]
        columns.append(decoded)
    return zip(*columns, strict=True)


def _events(moving: QuerySet[Enrollment], day: Any) -> dict[int, list[rules.Event]]:
    """The lifecycle events of the enrollments with steps after a peildatum, as the fold reads them."""
    events: dict[int, list[rules.Event]] = defaultdict(list)
    event_rows = (
        EnrollmentEvent.objects.filter(enrollment__in=moving.values("id"))
        .order_by()
        .annotate(  # only a completion's outcomes count: the others are not read (nor decoded)
            outcomes_of_completion=Case(
                When(event_type=rules.COMPLETED, then=F("outcomes")), default=Value(None), output_field=JSONField()
            )
        )
        .values_list(
            "enrollment_id",
            "id",
            "event_type",
            "occurred_on",
            "phase__position",
            "reason_code",
            "outcomes_of_completion",
            "target_programme_id",
            "corrects_id",
        )
    )
    voided: set[int] = set()
    make = rules.Event._make
    for enrollment_id, seq, kind, occurred_on, phase, reason, outcomes, target, corrects in _plain_rows(event_rows):
        if corrects is not None:
            voided.add(corrects)
        events[enrollment_id].append(
            make((seq, kind, day(occurred_on), phase, reason, _outcomes(outcomes) if outcomes else (), target, False))
        )
    if voided:  # a correction voids the event it corrects
        for enrollment_id, own in events.items():
            if any(e.seq in voided for e in own):
                events[enrollment_id] = [e._replace(voided=True) if e.seq in voided else e for e in own]
    return events


def _cohort_on(
    p: ReportParameters,
    rows: list[tuple[int, int, int, int | None, date]],
    histories: dict[int, rules.History],
    municipality_all: dict[int, int],
    naming: _Naming,
) -> tuple[indicators.Cohort, "_Counting"]:
    """One cohort from the histories folded on its peildatum `p.on`, without its tags, guidance
    minutes and score changes (`_complete` adds them), and what counts each enrollment: a chain of
    transfers in a group counts as one history, under its first part."""
    counting: dict[int, rules.History] = histories
    head_of: dict[int, int] = {}
    chained = _chains(rows) if p.whole and len(set(map(_PROGRAMME_OF_ROW, rows))) > 1 else None
    if chained:
        counting = dict(histories)
        merged_at: dict[int, rules.History] = {}
        for chain in chained:
            merged_history = merged_at[chain[0]] = rules.merge_chain([histories[i] for i in chain])
            counting.update(dict.fromkeys(chain, merged_history))
            head_of.update(dict.fromkeys(chain[1:], chain[0]))
        # each chain where its first part stands, the others gone (in the order of the rows)
        chosen_histories = [merged_at.get(i, h) for i, h in histories.items() if i not in head_of]
    else:
        chosen_histories = list(histories.values())
    if p.basis == BASIS_STARTED:
        chosen_histories = [
            h
            for h in chosen_histories
            if h.started_on is not None
            and (p.period_from is None or h.started_on >= p.period_from)
            and (p.period_until is None or h.started_on <= p.period_until)
        ]
    # sets by C-level maps: a region's cohort holds a hundred thousand rows and histories
    programme_ids = set(p.programme_ids) or set(map(_PROGRAMME_OF, chosen_histories))
    named = programme_ids | (set(map(_TRANSFERRED_TO, chosen_histories)) - {None})
    participants = set(map(_PARTICIPANT_OF_ROW, rows))
    municipality_of = (
        dict(municipality_all)  # every participant read is in this cohort (this month's most often)
        if participants >= municipality_all.keys()
        else {k: v for k, v in municipality_all.items() if k in participants}
    )
    municipalities = set(municipality_of.values())
    cohort = indicators.Cohort(
        on=p.on,
        histories=chosen_histories,
        programmes={k: v for k, v in naming.facts.items() if k in programme_ids},
        programme_names={k: v for k, v in naming.programme_names.items() if k in named},
        outcome_labels=naming.outcome_labels,
        # a programme's own label for a code goes over the shared one
        reason_labels={(step, code): label for step, code, owner, label in naming.reasons if owner is None}
        | {(step, code): label for step, code, owner, label in naming.reasons if owner in programme_ids},
        item_labels=naming.item_labels,
        municipality_of=municipality_of,
        municipality_names={k: v for k, v in naming.municipality_names.items() if k in municipalities},
    )
    return cohort, _Counting(counting, head_of)


_PARTICIPANT_OF_ROW = operator.itemgetter(1)
_PROGRAMME_OF_ROW = operator.itemgetter(2)
_PROGRAMME_OF = operator.attrgetter("programme_id")
_TRANSFERRED_TO = operator.attrgetter("transferred_to")


class _Counting(NamedTuple):
    """The history that counts each enrollment of a cohort, and each later part of a chain's first part."""

    histories: dict[int, rules.History]
    head_of: dict[int, int]


def _complete(
    cohort: indicators.Cohort,
    counting: "_Counting",
    tags: list[tuple[int, str, date]],
    minutes: dict[int, int],
    score_changes: list[indicators.ScoreChange],
) -> None:
    """Add the tags noted by the cohort's peildatum, the guidance minutes and the score changes to a
    cohort from `_cohort_on`: a chain's tags and minutes are those of its parts together."""
    histories, head_of = counting
    for enrollment_id, code, added_on in tags:
        history_of = histories.get(enrollment_id)
        if history_of is not None and added_on <= cohort.on:
            history_of.tags = history_of.tags | {code}
    # the minutes were read for the cohort's enrollments: most often all of them count (a C-level check)
    kept = dict(minutes) if minutes.keys() <= histories.keys() else {e: m for e, m in minutes.items() if e in histories}
    for part, head in head_of.items():  # a later part of a chain: its minutes go to the first part
        kept[head] = kept.get(head, 0) + kept.get(part, 0)
    cohort.guidance_minutes = kept
    cohort.score_changes = score_changes
    cohort.tag_labels = _tag_labels({t for h in cohort.histories for t in h.tags})


def _reasons(programme_ids: set[int]) -> tuple[tuple[str, str, int | None, str], ...]:
    """The reasons' labels: the shared catalogue's for every step, and the programmes' own."""
    shared: list[tuple[str, str, int | None, str]] = [
        (step, reason.code, None, gettext(reason.label))
        for step in ReasonEvent.values
        for reason in reason_catalogue().for_step(step, None, active_only=False)
    ]
    own: list[tuple[str, str, int | None, str]] = [
        (reason.event_type, reason.code, reason.programme_id, gettext(reason.label))
        for reason in reason_catalogue().reasons
        if reason.programme_id in programme_ids
    ]
    return tuple(shared + own)


def _within(
    changes: list[indicators.ScoreChange], participants: set[int], read_for: set[int]
) -> list[indicators.ScoreChange]:
    """The changes of the participants in last month's cohort (it can be smaller than this month's,
    `read_for`, for which the changes were read). Only a change naming someone of this month alone
    is narrowed; the others are kept as they are (a region's changes name about a million ids)."""
    this_month_only = read_for - participants
    kept = []
    for change in changes:
        if this_month_only.isdisjoint(change.participant_ids):
            kept.append(change)
            continue
        ids = tuple(i for i in change.participant_ids if i in participants)
        if ids:
            kept.append(change._replace(participant_ids=ids))
    return kept


def _tag_labels(codes: set[str]) -> dict[str, str]:
    """Labels of the context tags in the cohort (no query when there are none)."""
    if not codes:
        return {}
    return {
        code: gettext(label) for code, label in ContextTag.objects.filter(code__in=codes).values_list("code", "label")
    }


def _chains(rows: Sequence[tuple[Any, ...]]) -> list[list[int]]:
    """Enrollments linked by transfers inside the cohort, each chain of two or more in order."""
    present = {r[0] for r in rows}
    next_of = {r[3]: r[0] for r in rows if r[3] in present}
    chains = []
    for head in next_of.keys() - next_of.values():  # begins a chain: continued, not a continuation
        chain = [head]
        while chain[-1] in next_of:
            chain.append(next_of[chain[-1]])
        chains.append(chain)
    return chains


def _guidance_minutes(cohort: QuerySet[Enrollment], dates: Sequence[date], day: Any) -> list[dict[int, int]]:
    """Minutes of held contact moments between each enrollment's start and its end (or the
    reporting date), summed in the database, for each of `dates` in one grouped join (a subquery
    per enrollment and date read every contact twice). A no-show or cancelled contact is not
    guidance."""
    latest = max(dates)
    started = cohort.filter(started_on__isnull=False, started_on__lte=latest).values_list(
        "id", "participant_id", "started_on", "ended_on"
    )
    held = (
        ContactMoment.objects.filter(status=contact_rules.HELD, occurred_on__lte=latest)
        .exclude(attendance__in=(contact_rules.NO_SHOW, contact_rules.CANCELLED))
        .order_by()
        .values_list("participant_id", "occurred_on", "minutes")
    )
    started_sql, started_params = started.query.sql_with_params()
    held_sql, held_params = held.query.sql_with_params()
    until = "c.occurred_on <= %s AND (e.ended_on IS NULL OR c.occurred_on <= e.ended_on)"
    sums = ", ".join(f"SUM(CASE WHEN {until} THEN c.minutes END)" for _ in dates)
    # built from constants and the compiled queries, whose parameters are passed apart
    sql = (
        f"SELECT e.id, e.started_on, {sums} FROM ({started_sql}) e "  # noqa: S608  # nosec B608
        f"LEFT JOIN ({held_sql}) c ON c.participant_id = e.participant_id "
        "AND c.occurred_on >= e.started_on AND c.occurred_on <= COALESCE(e.ended_on, %s) "
        "GROUP BY e.id, e.started_on"
    )
    rows = _fetch(sql, (*dates, *started_params, *held_params, latest))
    found: list[dict[int, int]] = [{} for _ in dates]
    for enrollment_id, started_on, *totals in rows:
        started_day = day(started_on)
        for i, on in enumerate(dates):
            if started_day <= on:
                found[i][enrollment_id] = int(totals[i] or 0)
    return found


class _AnyOf(Func):
    """`column = ANY(%s::bigint[])` with the ids as one array parameter (PostgreSQL): the planner
    knows how many there are and reads a cohort's score series from their index, and the statement
    stays one parameter long whatever the size of the cohort. The array goes as its text: the driver
    would check and quote every element of a list on its own (0.1-0.2 s for the arrays of the largest
    programme's report, benchmarks/RESULTS.md)."""

    output_field = BooleanField()
    conditional = True
    arity = 2

    def __init__(self, column: F, ids: Iterable[int]) -> None:
        super().__init__(column, Value("{" + ",".join(map(str, sorted(map(int, ids)))) + "}"))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        column, column_params = compiler.compile(self.source_expressions[0])
        values, values_params = compiler.compile(self.source_expressions[1])
        return f"{column} = ANY(({values})::bigint[])", (*column_params, *values_params)


def _measured_lately(
    chosen: QuerySet[Enrollment], participant_ids: set[int], since: date
) -> tuple[Q | _AnyOf, Q | _AnyOf]:
    """Which of the cohort's participants were measured after `since` (their scores are read) and
    which not (their kept series are read), as two conditions on a participant id column named
    `participant_id`. On PostgreSQL the two lists are worked out here from the cohort's own series
    (the participants the access layer counted, passed as one array) and passed on as arrays, so the
    series are read from their index (0.2 s less for 12,000 participants than the planner's own
    choice); elsewhere they stay subqueries."""
    if _reading_connection().vendor != "postgresql":
        people = chosen.values("participant_id")
        later = ScoreSeries.objects.filter(participant_id__in=people, last_on__gt=since).values("participant_id")
        return Q(participant_id__in=later), Q(participant_id__in=people) & ~Q(participant_id__in=later)
    cohort = sorted(participant_ids)  # only the cohort's series are read, never anyone else's
    lately = set(
        ScoreSeries.objects.filter(_AnyOf(F("participant_id"), cohort), last_on__gt=since)
        .values_list("participant_id", flat=True)
        .distinct()
    )
    return (
        _AnyOf(F("participant_id"), participant_ids & lately),
        _AnyOf(F("participant_id"), participant_ids - lately),
    )


def _score_changes(
    chosen: QuerySet[Enrollment], participant_ids: set[int], on: date, earlier: date | None = None
) -> tuple[list[indicators.ScoreChange], list[indicators.ScoreChange]]:
    """Who went from which first to which last score, per instrument and item measured at least twice
    up to `on` (and, with `earlier`, up to that date too), counted in the database in two groupings:
    the first per series (participant, instrument, item), the second per change, so that a region of
    a hundred thousand people sends back a few thousand rows, each with the participants behind it.

    The first grouping is kept by the writers of scores (`measurements.series`, ADR 0019 step 2):
    a participant measured last on or before both dates takes their stored series; only the others
    (measured after a date) have their scores grouped here, the smallest and largest packed key of a
    series carrying its first and last score without a sort."""
    series.check_key_room()
    earliest = min(on, earlier) if earlier else on
    measured_later, not_since = _measured_lately(chosen, participant_ids, earliest)
    key = series.score_key()
    figures: dict[str, Any] = {"first_key": Min(key), "last_key": Max(key), "measured": Count("id")}
    if earlier is not None:
        by_then = Q(measurement__measured_on__lte=earlier)
        figures |= {"then_key": Max(key, filter=by_then), "measured_then": Count("id", filter=by_then)}
    grouped = (
        series.per_series(
            series.counted_scores()
            .alias(participant_id=F("measurement__participant_id"))
            .filter(measured_later, measurement__measured_on__lte=on),
            **figures,
        )
        .filter(measured__gte=2)  # type: ignore[misc]
        .values_list(
            "series_participant",
            "series_instrument",
            "series_item",
            "first_key",
            "last_key",
            *(("then_key", "measured_then") if earlier is not None else ()),
        )
    )
    kept = (
        ScoreSeries.objects.filter(not_since, measured__gte=2)
        .annotate(then_key=F("last_key"), measured_then=F("measured"))  # nothing changed in between
        .values_list(
            "participant_id",
            "instrument",
            "item",
            "first_key",
            "last_key",
            *(("then_key", "measured_then") if earlier is not None else ()),
        )
    )
    grouped_sql, grouped_params = grouped.query.sql_with_params()
    kept_sql, kept_params = kept.query.sql_with_params()
    inner = f"{grouped_sql} UNION ALL {kept_sql}"  # the column names are the first part's
    params = (*grouped_params, *kept_params)
    value = "({} %% " + f"{series.VALUE_ROOM}) - {series.VALUE_SHIFT}"  # the modulo doubled: formatted with parameters
    then_value = f"CASE WHEN measured_then >= 2 THEN {value.format('then_key')} END" if earlier is not None else "NULL"
    packed = _reading_connection().vendor == "postgresql"
    # on PostgreSQL the participants of a change come as one packed string of 8-byte integers: a region's
    # million ids decoded from an array took the driver 0.4 s, holding the interpreter (benchmarks/RESULTS.md)
    people_of = (
        "string_agg(int8send(series_participant::bigint), ''::bytea)" if packed else "group_concat(series_participant)"
    )
    # built from constants and the compiled inner queries, whose parameters are passed apart
    first_value, last_value = value.format("first_key"), value.format("last_key")
    columns = f"series_instrument, series_item, {first_value}, {last_value}, {then_value}, {people_of}"
    sql = f"SELECT {columns} FROM ({inner}) AS series GROUP BY 1, 2, 3, 4, 5"  # noqa: S608  # nosec B608
    with _grouped_by_hashing():
        rows = _fetch(sql, params)
    now: dict[tuple[str, str, int, int], list[int]] = defaultdict(list)
    then: dict[tuple[str, str, int, int], list[int]] = defaultdict(list)
    for instrument, item, first, last, last_then, participants in rows:
        ids = _unpacked(participants) if packed else [int(i) for i in participants.split(",")]
        now[(instrument, item, first, last)].extend(ids)
        if last_then is not None:
            then[(instrument, item, first, last_then)].extend(ids)
    return (
        [indicators.ScoreChange(*change, tuple(ids)) for change, ids in now.items()],
        [indicators.ScoreChange(*change, tuple(ids)) for change, ids in then.items()],
    )


def _unpacked(packed: bytes | memoryview) -> "array.array[int]":
    """Integers packed by `int8send` (8 bytes each, most significant first), unpacked in one go."""
    ids = array.array("q")
    ids.frombytes(packed)
    if sys.byteorder == "little":
        ids.byteswap()
    return ids


def _same(value: date) -> date:
    return value


def _day(value: date | str) -> date:
    """A date as the database driver gives it (SQLite's driver gives text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _outcomes(value: list[str] | str | None) -> tuple[str, ...]:
    """A completion's outcomes as the driver gives them (JSON text, or already a list; most are
    empty, and not decoded)."""
    if not value or value == "[]":
        return ()
    return tuple(json.loads(value) if isinstance(value, str) else value)


def _plain_rows(rows: QuerySet[Any, tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of a query whose columns are plain integers and text, read without the ORM's
    per-row conversions (a region's report reads a million of them)."""
    return _fetch(*rows.query.sql_with_params())


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with _reading_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _reading_connection() -> BaseDatabaseWrapper:
    """The connection the ORM would read a cohort from: the replica inside `replica.reads_from_replica`
    (when there is one), else the primary. The hand-written queries go where the ORM's go."""
    return connections[router.db_for_read(Enrollment) or DEFAULT_DB_ALIAS]


@contextmanager
def sorting_memory(p: ReportParameters) -> Iterator[None]:
    """Give the cohort's groupings and sorts room in memory (PostgreSQL's `work_mem`, a setting of
    the reading connection for as long as the cohort is read). With the default 4 MB the score
    series of a large programme are grouped on disk: 0.87 s instead of 0.61 s at 100,000
    participants (benchmarks/RESULTS.md). Only for chosen programmes: a region-wide overview's
    groupings are hashed in parts (`_grouped_by_hashing`) and do not need it. And only the report
    gets the room: many connections each using it at once would crowd the server."""
    size = getattr(settings, "DOORSTROOM_REPORT_WORK_MEM", "")
    if not size or not p.programme_ids:
        yield
        return
    with _session_settings(work_mem=size):
        yield


@contextmanager
def _grouped_by_hashing() -> Iterator[None]:
    """Let PostgreSQL group the score changes by hashing, not by sorting. The planner expects tens of
    thousands of changes where there are a few hundred and sorts every series (a million over a
    region) on the text of its instrument and item: 2.9 s against 1.5 s hashed at 100,000
    participants, 0.34 s against 0.17 s for the largest programme (benchmarks/RESULTS.md). Only
    around that one statement; a hash that outgrows its memory spills to disk in parts."""
    with _session_settings(enable_sort="off"):
        yield


@contextmanager
def _session_settings(**values: str) -> Iterator[None]:
    """Planner and memory settings of the reading connection for the duration of the block, then
    what the connection had before (so they nest). PostgreSQL only; elsewhere nothing changes."""
    reading = _reading_connection()
    if reading.vendor != "postgresql":
        yield
        return
    before: dict[str, str] = {}
    with reading.cursor() as cursor:
        for name, value in values.items():
            cursor.execute("SELECT current_setting(%s), set_config(%s, %s, false)", [name, name, value])
            before[name] = cursor.fetchone()[0]
    try:
        yield
    finally:
        # a failed transaction takes the settings back with it, and a lost connection takes them along
        status = reading.connection.info.transaction_status if reading.connection is not None else None
        if status in (TransactionStatus.IDLE, TransactionStatus.INTRANS):
            with reading.cursor() as cursor:
                for name, value in before.items():
                    cursor.execute("SELECT set_config(%s, %s, false)", [name, value])


def _programmes(ids: set[int]) -> tuple[dict[int, indicators.ProgrammeFacts], dict[int, str]]:
    """The facts of the programmes `ids` and the names of all (a cohort keeps the names of its own
    programmes and of those it transferred to, found only when its histories are folded)."""
    programmes = Programme.objects.prefetch_related("phases", "outcomes")
    facts: dict[int, indicators.ProgrammeFacts] = {}
    names: dict[int, str] = {}
    for programme in programmes:
        names[programme.pk] = programme.name
        if programme.pk not in ids:
            continue
        facts[programme.pk] = indicators.ProgrammeFacts(
            id=programme.pk,
            code=programme.code,
            name=programme.name,
            coaching_hours_per_week=float(programme.coaching_hours_per_week)
            if programme.coaching_hours_per_week is not None
            else None,
            targets={o.outcome_type: o.target_percentage for o in programme.outcomes.all() if o.target_percentage},
            phases={phase.position: phase.name for phase in programme.phases.all()},
        )
    return facts, names


def _item_labels() -> dict[tuple[str, str], str]:
    labels: dict[tuple[str, str], str] = {}
    for kind, items in ScaleVersion.objects.filter(measurement_type__kind__in=INSTRUMENTS).values_list(
        "measurement_type__kind", "items"
    ):
        for item in items or []:
            labels.setdefault((kind, item["code"]), gettext(str(item.get("label", item["code"]))))
    return labels


def adopted_reports_of(organisation_id: int | None) -> QuerySet[AdoptedReport]:
    """Adopted reports of the reader's organisation (figures as they were shown when adopted)."""
    return AdoptedReport.objects.filter(organisation_id=organisation_id or 0).select_related("adopted_by")


def municipalities(ids: set[int]) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=ids).order_by("name")
