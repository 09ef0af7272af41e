"""Reading a cohort from the database: the enrollments a report counts (chosen by the access layer and
the report's parameters), their events, guidance minutes, scores and labels, in a fixed number of
queries whatever the size of the cohort (tested). The indicators then work on plain histories."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    QuerySet,
    RowRange,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, FirstValue, LastValue, RowNumber
from django.utils.translation import gettext

from doorstroom.contacts import rules as contact_rules
from doorstroom.contacts.models import ContactMoment
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, EnrollmentTag
from doorstroom.measurements.models import Measurement, MeasurementScore, ScaleVersion
from doorstroom.organisations.models import Organisation
from doorstroom.programmes.models import ContextTag, OutcomeType, Programme, ReasonEvent, reason_catalogue

from . import indicators, rules
from .models import AdoptedReport

BASIS_REFERRED = "aangemeld"
BASIS_STARTED = "gestart"
INSTRUMENTS = ("taalniveau", "participatieladder", "zrm")


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
    chosen = cohort_enrollments(counted, p)
    rows = []
    municipality_of: dict[int, int] = {}
    for enrollment_id, participant_id, programme_id, from_id, municipality_id in chosen.values_list(
        "id", "participant_id", "programme_id", "transferred_from_id", "participant__municipality_id"
    ):
        rows.append((enrollment_id, participant_id, programme_id, from_id))
        municipality_of[participant_id] = municipality_id
    events_by_enrollment: dict[int, list[tuple]] = defaultdict(list)
    event_rows = (
        EnrollmentEvent.objects.filter(enrollment__in=chosen.values("id"))
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
    for row in event_rows.iterator(chunk_size=5000):
        events_by_enrollment[row[0]].append(row[1:])
    histories: dict[int, rules.History] = {}
    for enrollment_id, participant_id, programme_id, _from in rows:
        own = events_by_enrollment.get(enrollment_id, [])
        voided = {r[7] for r in own if r[7] is not None}
        histories[enrollment_id] = rules.history(
            enrollment_id=enrollment_id,
            participant_id=participant_id,
            programme_id=programme_id,
            on=p.on,
            events=[
                rules.Event(
                    seq=r[0],
                    event_type=r[1],
                    occurred_on=r[2],
                    phase=r[3],
                    reason_code=r[4],
                    outcomes=tuple(r[5] or ()),
                    target_programme_id=r[6],
                    voided=r[0] in voided,
                )
                for r in own
            ],
        )
    for enrollment_id, code in EnrollmentTag.objects.filter(
        enrollment__in=chosen.values("id"), added_on__lte=p.on
    ).values_list("enrollment_id", "tag__code"):
        history_of = histories.get(enrollment_id)
        if history_of is not None:
            history_of.tags = history_of.tags | {code}
    minutes = _guidance_minutes(chosen, p.on)
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
    return indicators.Cohort(
        on=p.on,
        histories=chosen_histories,
        programmes=facts,
        programme_names=names,
        guidance_minutes=minutes,
        score_pairs=_score_pairs(chosen, p.on),
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
        item_labels=_item_labels(),
        tag_labels=_tag_labels({t for h in chosen_histories for t in h.tags}),
        municipality_of=municipality_of,
        municipality_names=dict(
            Organisation.objects.filter(pk__in=set(municipality_of.values())).values_list("pk", "name")
        ),
    )


def _tag_labels(codes: set[str]) -> dict[str, str]:
    """Labels of the context tags in the cohort (no query when there are none)."""
    if not codes:
        return {}
    return {
        code: gettext(label) for code, label in ContextTag.objects.filter(code__in=codes).values_list("code", "label")
    }


def _chains(rows: Sequence[tuple[int, int, int, int | None]], histories: dict[int, rules.History]) -> list[list[int]]:
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


def _guidance_minutes(chosen: QuerySet[Enrollment], on: date) -> dict[int, int]:
    """Minutes of held contact moments between each enrollment's start and its end (or the
    reporting date), summed in the database. A no-show or cancelled contact is not guidance."""
    held = (
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
    rows = (
        chosen.filter(started_on__isnull=False, started_on__lte=on)
        .annotate(minutes=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)))
        .values_list("id", "minutes")
    )
    return {enrollment_id: int(total or 0) for enrollment_id, total in rows}


def _score_pairs(chosen: QuerySet[Enrollment], on: date) -> list[indicators.ScorePair]:
    """The first and the last score per participant, instrument and item measured at least twice up to
    `on`, reduced in the database with window functions: a cohort of thousands sends back one row per
    series instead of every score."""
    kind = "measurement__scale__measurement_type__kind"
    series = [F("measurement__participant_id"), F(kind), F("item")]
    oldest_first = [F("measurement__measured_on").asc(), F("measurement_id").asc()]
    whole = RowRange(start=None, end=None)  # one window, sorted once: each figure sees the whole series
    rows = (
        MeasurementScore.objects.filter(
            ~Exists(Measurement.objects.filter(corrects=OuterRef("measurement_id"))),  # not corrected later
            measurement__participant__in=chosen.values("participant_id"),
            measurement__measured_on__lte=on,
            measurement__scale__measurement_type__kind__in=INSTRUMENTS,
            value__isnull=False,
        )
        .order_by()
        .annotate(
            first=Window(FirstValue("value"), partition_by=series, order_by=oldest_first, frame=whole),
            last=Window(LastValue("value"), partition_by=series, order_by=oldest_first, frame=whole),
            measured=Window(Count("id"), partition_by=series, order_by=oldest_first, frame=whole),
            position=Window(RowNumber(), partition_by=series, order_by=oldest_first),
        )
        .filter(position=1, measured__gte=2)
        .values_list("measurement__participant_id", kind, "item", "first", "last")
    )
    return list(map(indicators.ScorePair._make, _plain_rows(rows)))  # the scores are integers already


def _plain_rows(rows: QuerySet[Any, tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of a query whose columns are plain integers and text, read without the ORM's
    per-row conversions (a region's report reads a million of them)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
