"""Between the pure rules and the database: event rows to EventFacts, and a Projection to the
enrollment's cached columns. Used by services (on write) and selectors (consistency check)."""

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from doorstroom.programmes.models import OutcomeType, Phase

from . import rules

OUTCOME_CODES = frozenset(OutcomeType.values)

#: The event columns `facts_from_rows` expects, in this order.
FACT_COLUMNS = (
    "id",
    "event_type",
    "occurred_on",
    "phase_id",
    "reason_code",
    "note",
    "outcomes",
    "corrects_id",
    "target_programme_id",
)


def facts_from_rows(rows: Iterable[Sequence[Any]], positions: dict[int, int]) -> list[rules.EventFact]:
    rows = list(rows)
    voided = {r[7] for r in rows if r[7] is not None}
    return [
        rules.EventFact(
            seq=r[0],
            event_type=rules.EventType(r[1]),
            occurred_on=r[2],
            phase_position=positions.get(r[3]) if r[3] else None,
            reason_code=r[4],
            note=r[5],
            outcomes=tuple(r[6] or ()),
            voided=r[0] in voided,
            target_programme_id=r[8],
        )
        for r in rows
    ]


def projection_fields(projection: rules.Projection, phases: Sequence[Phase]) -> dict[str, object]:
    """The enrollment's cached columns for a projection."""
    by_position = {p.position: p for p in phases}
    return {
        "state": projection.state.value if projection.state else "",
        "current_phase": by_position.get(projection.phase_position) if projection.phase_position else None,
        "phase_entered_on": projection.phase_entered_on,
        "paused_since": projection.paused_since,
        "paused_days_in_phase": projection.paused_days_in_phase,
        "referred_on": projection.referred_on,
        "started_on": projection.started_on,
        "ended_on": projection.ended_on,
        "last_event_on": projection.last_event_on,
        "last_event_type": projection.last_event_type.value if projection.last_event_type else "",
        "outcomes": list(projection.outcomes),
        "intake_on": projection.intake_on,
        "ending_reason": projection.ending_reason,
        "transfer_target_id": projection.transfer_target,
        "pauses": [
            [start.isoformat(), end.isoformat() if end else None, reason] for start, end, reason in projection.pauses
        ],
        "phase_stays": [
            [phase, start.isoformat(), until.isoformat() if until else None]
            for phase, start, until in projection.phase_stays
        ],
    }


def pauses_from_column(value: Any) -> tuple[rules.PauseSpan, ...]:
    """The `pauses` column back as `Projection.pauses` (the column as the driver gives it: JSON text
    or already decoded; most are empty)."""
    return tuple(
        (date.fromisoformat(start), date.fromisoformat(end) if end else None, reason)
        for start, end, reason in _decoded(value)
    )


def phase_stays_from_column(value: Any) -> tuple[rules.PhaseStay, ...]:
    """The `phase_stays` column back as `Projection.phase_stays` (as `pauses_from_column`)."""
    return tuple(
        (phase, date.fromisoformat(start), date.fromisoformat(until) if until else None)
        for phase, start, until in _decoded(value)
    )


def _decoded(value: Any) -> Any:
    if not value or value == "[]":
        return ()
    return json.loads(value) if isinstance(value, str) else value
