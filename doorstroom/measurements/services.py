"""Recording measurements: validated against the instrument's scale and the participant's history,
written once and never changed (a correction is a new measurement that replaces an earlier one)."""

from datetime import date
from typing import Any

from django.db import transaction

from doorstroom.core import clock, touched
from doorstroom.core.errors import DomainError, raise_all
from doorstroom.core.messages import _
from doorstroom.organisations.models import User
from doorstroom.participants.models import Participant

from . import rules
from .models import (
    InstrumentKind,
    LanguageScreening,
    LanguageSource,
    Measurement,
    MeasurementScore,
    MeasurementType,
    ScreeningInstrument,
    ScreeningOutcome,
)
from .series import series_refresh


def standing_baseline(
    participant: Participant, measurement_type: MeasurementType, *, besides: int | None = None
) -> Measurement | None:
    """The participant's baseline of this instrument that has not been corrected away."""
    baselines = Measurement.objects.filter(
        participant=participant,
        scale__measurement_type=measurement_type,
        moment=rules.BASELINE,
        corrected_by__isnull=True,
    )
    if besides is not None:
        baselines = baselines.exclude(pk=besides)
    return baselines.order_by("measured_on", "id").first()


@transaction.atomic
def measurement_record(
    *,
    participant: Participant,
    measurement_type: MeasurementType,
    moment: str,
    measured_on: date,
    scores: dict[str, Any],
    actor: User,
    note: str = "",
    source: str = "",
    rung_override: int | None = None,
    override_reason: str = "",
    corrects: Measurement | None = None,
    correction_reason: str = "",
    refresh_series: bool = True,
) -> Measurement:
    """Record one measurement. Errors name the field: `moment`, `measured_on`, `scores.<item>`,
    `source`, `override_reason`, `correction_reason`. The participant's score series follow in the
    same transaction (`refresh_series=False`: the caller refreshes them for a whole set at once)."""
    scale = measurement_type.current_scale()
    if scale is None or not measurement_type.is_active:
        raise DomainError(_("Dit meetinstrument is niet in gebruik."), field="measurement_type")
    if corrects is not None:
        if corrects.participant_id != participant.pk or corrects.scale.measurement_type_id != measurement_type.pk:
            raise DomainError(_("Deze meting hoort niet bij deze deelnemer of dit instrument."), field="corrects")
        if Measurement.objects.filter(corrects=corrects).exists():
            raise DomainError(_("Deze meting is al gecorrigeerd."), field="corrects")
        if len(correction_reason.strip()) < 5:
            raise DomainError(_("Geef aan wat er niet klopte aan de eerdere meting."), field="correction_reason")
    errors: list[DomainError] = []  # every independent problem at once
    if len(note) > 2000:
        errors.append(DomainError(_("Houd de toelichting korter dan 2000 tekens."), field="note"))
    if source and (measurement_type.kind != InstrumentKind.LANGUAGE or source not in LanguageSource.values):
        errors.append(DomainError(_("Kies een bron uit de lijst (alleen bij taalniveaus)."), field="source"))
    values = dict(scores)
    if measurement_type.kind == InstrumentKind.LADDER:
        values = _with_rung(values, rung_override, override_reason)
    elif rung_override is not None or override_reason:
        errors.append(
            DomainError(_("Een andere trede kiezen kan alleen bij de participatieladder."), field="rung_override")
        )
    problems = rules.score_problems(scale.scale_items(), values)
    errors += [DomainError(problems[code], field=f"scores.{code}") for code in sorted(problems)]
    baseline = standing_baseline(participant, measurement_type, besides=corrects.pk if corrects else None)
    problem = rules.moment_problem(
        moment=moment,
        measured_on=measured_on,
        today=clock.today(),
        born_on=participant.date_of_birth,
        baseline_on=baseline.measured_on if baseline else None,
    )
    if problem:
        errors.append(DomainError(problem[1], field=problem[0]))
    raise_all(errors)
    touched.mark(participant.pk, written=touched.MEASUREMENTS)
    measurement = Measurement.objects.create(
        participant=participant,
        scale=scale,
        moment=moment,
        measured_on=measured_on,
        source=source,
        note=note.strip(),
        override_reason=override_reason.strip() if rung_override is not None else "",
        corrects=corrects,
        correction_reason=correction_reason.strip(),
        recorded_by=actor,
    )
    MeasurementScore.objects.bulk_create(
        MeasurementScore(measurement=measurement, item=code, value=value) for code, value in sorted(values.items())
    )
    if refresh_series:
        series_refresh([participant.pk])
    return measurement


def _with_rung(values: dict[str, Any], rung_override: int | None, override_reason: str) -> dict[str, Any]:
    """The ladder's rung comes from the answers; choosing another one needs a reason (kept)."""
    answers = {code: values.get(code) for code in rules.LADDER_QUESTIONS}
    derived = rules.ladder_rung(answers)
    given = values.get("trede")
    if rung_override is None:
        if given is not None and given != derived:
            raise DomainError(
                _("De trede volgt uit de antwoorden. Kiest u een andere trede, geef dan een reden."),
                field="scores.trede",
            )
        return {**values, "trede": derived}
    if isinstance(rung_override, bool) or not isinstance(rung_override, int) or not 1 <= rung_override <= 6:
        raise DomainError(_("Kies een trede van 1 tot en met 6."), field="rung_override")
    if len(override_reason.strip()) < 10:
        raise DomainError(_("Leg in een zin uit waarom een andere trede beter past."), field="override_reason")
    return {**values, "trede": rung_override}


@transaction.atomic
def screening_record(
    *,
    participant: Participant,
    instrument: str,
    screened_on: date,
    outcome: str,
    actor: User,
    referred_to: str = "",
) -> LanguageScreening:
    """A reading screening (e.g. the Taalmeter): a signal, never a language level."""
    if instrument not in ScreeningInstrument.values:
        raise DomainError(_("Kies een instrument uit de lijst."), field="instrument")
    if outcome not in ScreeningOutcome.values:
        raise DomainError(_("Kies een uitkomst uit de lijst."), field="outcome")
    if screened_on > clock.today():
        raise DomainError(_("Een screening kan niet in de toekomst liggen."), field="screened_on")
    if len(referred_to) > 200:
        raise DomainError(_("Houd dit korter dan 200 tekens."), field="referred_to")
    touched.mark(participant.pk, written=touched.MEASUREMENTS)
    return LanguageScreening.objects.create(
        participant=participant,
        instrument=instrument,
        screened_on=screened_on,
        outcome=outcome,
        referred_to=referred_to.strip(),
        recorded_by=actor,
    )
