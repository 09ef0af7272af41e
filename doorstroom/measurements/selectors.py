"""Reading measurements for the file: progress from baseline to latest per item, and the history.
Items outside the categories the reader may see (health and justice domains of the ZRM, for
example) are left out and counted. Bounded queries whatever the number of measurements."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from doorstroom.participants.models import Participant

from . import rules
from .models import Measurement, MeasurementScore, MeasurementType, ScaleVersion


@dataclass(frozen=True)
class ProgressRow:
    code: str
    label: str
    maximum: int
    minimum: int
    baseline: int | None
    latest: int | None
    baseline_label: str
    latest_label: str

    @property
    def change(self) -> int | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline

    def share(self, value: int | None) -> int:
        """The value as a percentage of the scale, for the bar chart."""
        if value is None or self.maximum == self.minimum:
            return 0
        return round(100 * (value - self.minimum + 1) / (self.maximum - self.minimum + 1))

    @property
    def baseline_share(self) -> int:
        return self.share(self.baseline)

    @property
    def latest_share(self) -> int:
        return self.share(self.latest)


@dataclass
class InstrumentProgress:
    measurement_type: MeasurementType
    scale: ScaleVersion
    baseline: Measurement | None
    latest: Measurement | None
    rows: list[ProgressRow] = field(default_factory=list)
    hidden_items: int = 0
    count: int = 0


def _visible(measurements: QuerySet[Measurement]) -> QuerySet[Measurement]:
    return (
        measurements.filter(corrected_by__isnull=True)
        .select_related("scale__measurement_type", "recorded_by")
        .prefetch_related(Prefetch("scores", queryset=MeasurementScore.objects.order_by("id")))
        .order_by("measured_on", "id")
    )


def progress_of(*, participant: Participant, categories: frozenset[str]) -> list[InstrumentProgress]:
    """Per instrument: the standing baseline against the latest measurement of the same scale
    version, item by item."""
    by_type: dict[int, list[Measurement]] = {}
    for measurement in _visible(Measurement.objects.filter(participant=participant)):
        by_type.setdefault(measurement.scale.measurement_type_id, []).append(measurement)
    result = []
    for measurements in by_type.values():
        latest = measurements[-1]
        same_scale = [m for m in measurements if m.scale_id == latest.scale_id]
        baseline = next((m for m in same_scale if m.moment == rules.BASELINE), same_scale[0])
        scale = latest.scale
        progress = InstrumentProgress(scale.measurement_type, scale, baseline, latest, count=len(measurements))
        base_scores = {s.item: s.value for s in baseline.scores.all()}
        latest_scores = {s.item: s.value for s in latest.scores.all()}
        for item in scale.scale_items():
            if item.category not in categories:
                progress.hidden_items += 1
                continue
            before, after = base_scores.get(item.code), latest_scores.get(item.code)
            progress.rows.append(
                ProgressRow(
                    code=item.code,
                    label=item.label,
                    minimum=item.minimum,
                    maximum=item.maximum,
                    baseline=before,
                    latest=after,
                    baseline_label=scale.value_label(before, item.code),
                    latest_label=scale.value_label(after, item.code),
                )
            )
        result.append(progress)
    return sorted(result, key=lambda p: (p.measurement_type.position, p.measurement_type.name))


@dataclass(frozen=True)
class HistoryEntry:
    measurement: Measurement
    scores: list[tuple[str, str]]  # (label, value label) of the visible items
    hidden_items: int


def history_of(*, participant: Participant, categories: frozenset[str]) -> list[HistoryEntry]:
    """Every standing measurement, newest first, with its visible scores."""
    entries = []
    for measurement in reversed(list(_visible(Measurement.objects.filter(participant=participant)))):
        values = {s.item: s.value for s in measurement.scores.all()}
        shown, hidden = [], 0
        for item in measurement.scale.scale_items():
            if item.category not in categories:
                hidden += 1
            elif item.code in values:
                shown.append((item.label, measurement.scale.value_label(values[item.code], item.code)))
        entries.append(HistoryEntry(measurement, shown, hidden))
    return entries


def instruments_in_use() -> QuerySet[MeasurementType]:
    return MeasurementType.objects.filter(is_active=True, scales__is_current=True).distinct().order_by("position")
