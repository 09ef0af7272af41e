"""Reading a cohort from the database: the enrollments a report counts (chosen by the access layer and
the report's parameters), their events, guidance minutes, scores and labels, in a fixed number of
queries whatever the size of the cohort (tested). The indicators then work on plain histories."""

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    JSONField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from psycopg.pq import TransactionStatus

from doorstroom.contacts import rules as contact_rules
from doorstroom.contacts.models import ContactMoment
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, EnrollmentTag
from doorstroom.enrollments.projection import pauses_from_column, phase_stays_from_column
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
    chosen = counted.filter(referred_on__isnull=False, referred_on__lte=p.on)
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


def cohort(counted: QuerySet[Enrollment], p: ReportParameters) -> indicators.Cohort:
    return cohorts(counted, p)[0]


def cohorts(
    counted: QuerySet[Enrollment], p: ReportParameters, earlier: ReportParameters | None = None
) -> tuple[indicators.Cohort, indicators.Cohort | None]:
    """The cohort on `p`, and with `earlier` (the same report on an earlier peildatum, as
    `services.month_before` makes it) that cohort too, from one read of the events, tags and scores:
    a suppressed report needs last month's figures beside this month's. `earlier` may differ from `p`
    only in its peildatum and the end of its period."""
    chosen = cohort_enrollments(counted, p)
    rows: list[tuple[int, int, int, int | None, date]] = []
    municipality_of: dict[int, int] = {}
    courses: dict[int, rules.Course] = {}
    text = _reading_connection().vendor == "sqlite"  # SQLite's driver gives dates as text
    day = _day if text else _same
    earliest = min(p.on, earlier.on) if earlier else p.on
    moving = False  # any enrollment with steps after a peildatum: only those need their events
    for (
        enrollment_id,
        participant_id,
        programme_id,
        from_id,
        municipality_id,
        referred_on,
        *course,
    ) in _plain_rows(chosen.values_list(*_COHORT_COLUMNS)):
        referred = day(referred_on) if referred_on else p.on  # never empty here
        rows.append((enrollment_id, participant_id, programme_id, from_id, referred))
        municipality_of[participant_id] = municipality_id
        last_event_on = day(course[0]) if course[0] else None
        moving = moving or (last_event_on is not None and last_event_on > earliest)
        courses[enrollment_id] = _course(
            enrollment_id, participant_id, programme_id, referred, last_event_on, course, day
        )
    events: dict[int, list[rules.Event]] = defaultdict(list)
    if moving:
        events = _events(chosen.filter(last_event_on__gt=earliest), day)
    tags = list(
        EnrollmentTag.objects.filter(enrollment__in=chosen.values("id"), added_on__lte=p.on).values_list(
            "enrollment_id", "tag__code", "added_on"
        )
    )
    minutes = _guidance_minutes(chosen, [p.on] + ([earlier.on] if earlier else []))
    changes = _score_changes(chosen, set(municipality_of), p.on, earlier.on if earlier else None)
    item_labels = _item_labels()  # the same for both months
    made: dict[int, rules.History] = {}
    folded = _fold(rows, courses, events, p.on, made)
    now = _cohort_on(p, rows, folded, tags, minutes[0], changes[0], municipality_of, item_labels)
    if earlier is None:
        return now, None
    chosen_then = [
        r
        for r in rows
        if r[4] <= earlier.on
        and (earlier.basis != BASIS_REFERRED or earlier.period_until is None or r[4] <= earlier.period_until)
    ]
    changes_then = _within(changes[1], {r[1] for r in chosen_then})
    folded_then = _fold(chosen_then, courses, events, earlier.on, made)
    then = _cohort_on(earlier, chosen_then, folded_then, tags, minutes[1], changes_then, municipality_of, item_labels)
    return now, then


def _fold(
    rows: list[tuple[int, int, int, int | None, date]],
    courses: dict[int, rules.Course],
    events: dict[int, list[rules.Event]],
    on: date,
    made: dict[int, rules.History],
) -> dict[int, rules.History]:
    """Each enrollment's history on `on`: its course when nothing happened to it after `on` (ADR
    0019), else its events folded on `on`. `made` keeps the histories made from a course, so the
    cohort's second date copies them (without the tags, which `_cohort_on` adds per date)."""
    histories: dict[int, rules.History] = {}
    for enrollment_id, participant_id, programme_id, _from, _referred in rows:
        course = courses[enrollment_id]
        if course.last_event_on is None or course.last_event_on <= on:
            known = made.get(enrollment_id)
            if known is None:
                histories[enrollment_id] = made[enrollment_id] = rules.history_from_course(course)
            else:
                histories[enrollment_id] = rules.untagged_copy(known)
        else:
            histories[enrollment_id] = rules.history(
                enrollment_id=enrollment_id,
                participant_id=participant_id,
                programme_id=programme_id,
                on=on,
                events=events.get(enrollment_id, ()),
            )
    return histories


#: what a report reads of each enrollment: who and where, then its course (`_course` reads the rest)
_COHORT_COLUMNS = (
    "id",
    "participant_id",
    "programme_id",
    "transferred_from_id",
    "participant__municipality_id",
    "referred_on",
    "last_event_on",
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


def _course(
    enrollment_id: int,
    participant_id: int,
    programme_id: int,
    referred: date,
    last_event_on: date | None,
    columns: Sequence[Any],
    day: Any,
) -> rules.Course:
    """One enrollment's course from its cached columns as the driver gives them (ADR 0019)."""
    _last, state, last_type, intake_on, started_on, ended_on, reason, outcomes, target, pauses, stays = columns
    return rules.Course(
        enrollment_id=enrollment_id,
        participant_id=participant_id,
        programme_id=programme_id,
        last_event_on=last_event_on,
        state=state,
        last_event_type=last_type,
        referred_on=referred,
        intake_on=day(intake_on) if intake_on else None,
        started_on=day(started_on) if started_on else None,
        ended_on=day(ended_on) if ended_on else None,
        ending_reason=reason,
        outcomes=_outcomes(outcomes),
        transfer_target=target,
        pauses=pauses_from_column(pauses),
        phase_stays=phase_stays_from_column(stays),
    )


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
    tags: list[tuple[int, str, date]],
    minutes: dict[int, int],
    score_changes: list[indicators.ScoreChange],
    municipality_all: dict[int, int],
    item_labels: dict[tuple[str, str], str],
) -> indicators.Cohort:
    """One cohort from what was read and the histories folded on its peildatum `p.on`."""
    for enrollment_id, code, added_on in tags:
        history_of = histories.get(enrollment_id)
        if history_of is not None and added_on <= p.on:
            history_of.tags = history_of.tags | {code}
    minutes = {e: m for e, m in minutes.items() if e in histories}
    chained = _chains(rows, histories) if p.whole and len({r[2] for r in rows}) > 1 else None
    if chained is not None:
        merged = []
        for chain in chained:
            merged_history = rules.merge_chain([histories[i] for i in chain])
            if len(chain) > 1:
                minutes[merged_history.enrollment_id] = sum(minutes.get(i, 0) for i in chain)
            merged.append(merged_history)
        chosen_histories = merged
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
    programme_ids = set(p.programme_ids) or {h.programme_id for h in chosen_histories}
    facts, names = _programmes(programme_ids, {h.transferred_to for h in chosen_histories if h.transferred_to})
    participants = {r[1] for r in rows}
    municipality_of = {k: v for k, v in municipality_all.items() if k in participants}
    return indicators.Cohort(
        on=p.on,
        histories=chosen_histories,
        programmes=facts,
        programme_names=names,
        guidance_minutes=minutes,
        score_changes=score_changes,
        outcome_labels={code: str(label) for code, label in OutcomeType.choices},
        reason_labels={
            (step, reason.code): gettext(reason.label)
            for step in ReasonEvent.values
            for reason in reason_catalogue().for_step(step, None, active_only=False)
        }
        | {
            (reason.event_type, reason.code): gettext(reason.label)
            for reason in reason_catalogue().reasons
            if reason.programme_id in programme_ids
        },
        item_labels=item_labels,
        tag_labels=_tag_labels({t for h in chosen_histories for t in h.tags}),
        municipality_of=municipality_of,
        municipality_names=dict(
            Organisation.objects.filter(pk__in=set(municipality_of.values())).values_list("pk", "name")
        ),
    )


def _within(changes: list[indicators.ScoreChange], participants: set[int]) -> list[indicators.ScoreChange]:
    """The changes of the participants in last month's cohort (it can be smaller than this month's,
    for which the changes were read)."""
    kept = []
    for change in changes:
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


def _chains(rows: Sequence[tuple[Any, ...]], histories: dict[int, rules.History]) -> list[list[int]]:
    """Enrollments linked by transfers inside the cohort, each chain in order."""
    present = {r[0] for r in rows}
    next_of = {r[3]: r[0] for r in rows if r[3] in present}
    heads = [r[0] for r in rows if r[3] not in present]
    chains = []
    for head in heads:
        chain = [head]
        while chain[-1] in next_of:
            chain.append(next_of[chain[-1]])
        chains.append(chain)
    return chains


def _guidance_minutes(chosen: QuerySet[Enrollment], dates: Sequence[date]) -> list[dict[int, int]]:
    """Minutes of held contact moments between each enrollment's start and its end (or the
    reporting date), summed in the database, for each of `dates` in one query. A no-show or
    cancelled contact is not guidance."""

    def held(on: date) -> Subquery:
        minutes = (
            ContactMoment.objects.filter(
                participant_id=OuterRef("participant_id"),
                status=contact_rules.HELD,
                occurred_on__gte=OuterRef("started_on"),
                occurred_on__lte=Coalesce(OuterRef("ended_on"), Value(on)),
            )
            .filter(occurred_on__lte=on)
            .exclude(attendance__in=(contact_rules.NO_SHOW, contact_rules.CANCELLED))
            .order_by()
            .values("participant_id")
            .annotate(total=Sum("minutes"))
            .values("total")
        )
        return Subquery(minutes, output_field=IntegerField())

    latest = max(dates)
    rows = (
        chosen.filter(started_on__isnull=False, started_on__lte=latest)
        .annotate(**{f"minutes_{i}": Coalesce(held(on), Value(0)) for i, on in enumerate(dates)})
        .values_list("id", "started_on", *(f"minutes_{i}" for i in range(len(dates))))
    )
    found: list[dict[int, int]] = [{} for _ in dates]
    for enrollment_id, started_on, *totals in rows:
        for i, on in enumerate(dates):
            if started_on <= on:
                found[i][enrollment_id] = int(totals[i] or 0)
    return found


class _AnyOf(Func):
    """`column = ANY(%s)` with the values as one array parameter (PostgreSQL): the planner knows
    how many there are and reads a cohort's score series from their index, and the statement stays
    one parameter long whatever the size of the cohort."""

    output_field = BooleanField()
    conditional = True
    arity = 2

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        column, column_params = compiler.compile(self.source_expressions[0])
        values, values_params = compiler.compile(self.source_expressions[1])
        return f"{column} = ANY({values})", (*column_params, *values_params)


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
        ScoreSeries.objects.filter(_AnyOf(F("participant_id"), Value(cohort)), last_on__gt=since)
        .values_list("participant_id", flat=True)
        .distinct()
    )
    return (
        _AnyOf(F("participant_id"), Value(sorted(participant_ids & lately))),
        _AnyOf(F("participant_id"), Value(sorted(participant_ids - lately))),
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
    people_of = (
        "array_agg(series_participant)"
        if _reading_connection().vendor == "postgresql"
        else "group_concat(series_participant)"
    )
    # built from constants and the compiled inner queries, whose parameters are passed apart
    first_value, last_value = value.format("first_key"), value.format("last_key")
    columns = f"series_instrument, series_item, {first_value}, {last_value}, {then_value}, {people_of}"
    sql = f"SELECT {columns} FROM ({inner}) AS series GROUP BY 1, 2, 3, 4, 5"  # noqa: S608  # nosec B608
    rows = _fetch(sql, params)
    now: dict[tuple[str, str, int, int], list[int]] = defaultdict(list)
    then: dict[tuple[str, str, int, int], list[int]] = defaultdict(list)
    for instrument, item, first, last, last_then, participants in rows:
        ids = participants if isinstance(participants, list) else [int(i) for i in participants.split(",")]
        now[(instrument, item, first, last)].extend(ids)
        if last_then is not None:
            then[(instrument, item, first, last_then)].extend(ids)
    return (
        [indicators.ScoreChange(*change, tuple(ids)) for change, ids in now.items()],
        [indicators.ScoreChange(*change, tuple(ids)) for change, ids in then.items()],
    )


def _same(value: date) -> date:
    return value


def _day(value: date | str) -> date:
    """A date as the database driver gives it (SQLite's driver gives text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _outcomes(value: list[str] | str | None) -> tuple[str, ...]:
    """A completion's outcomes as the driver gives them (JSON text, or already a list)."""
    if not value:
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
    series of a large programme are sorted on disk: 0.87 s instead of 0.61 s at 100,000
    participants (benchmarks/RESULTS.md). Only for chosen programmes: over a whole region the larger
    memory makes the planner sort a million series instead of hashing them, which is slower. And
    only the report gets the room: many connections each using it at once would crowd the server."""
    size = getattr(settings, "DOORSTROOM_REPORT_WORK_MEM", "")
    reading = _reading_connection()
    if not size or not p.programme_ids or reading.vendor != "postgresql":
        yield
        return
    with reading.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, false)", [size])
    try:
        yield
    finally:
        # a failed transaction takes the setting back with it, and a lost connection takes it along
        status = reading.connection.info.transaction_status if reading.connection is not None else None
        if status in (TransactionStatus.IDLE, TransactionStatus.INTRANS):
            with reading.cursor() as cursor:
                cursor.execute("RESET work_mem")


def _programmes(ids: set[int], targets: set[int]) -> tuple[dict[int, indicators.ProgrammeFacts], dict[int, str]]:
    programmes = Programme.objects.filter(pk__in=ids | targets).prefetch_related("phases", "outcomes")
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
