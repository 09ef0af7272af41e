"""The signal engine: opens a signal where a rule's condition newly holds, closes it where the
condition no longer holds, and records a user's acknowledgement or resolution; set-based (a few
queries per rule, bulk writes), fit for a scheduler and on demand."""

from collections import defaultdict
from datetime import date
from typing import Any

from django.db import transaction

from doorstroom.core.errors import DomainError
from doorstroom.organisations.models import User

from . import rules, selectors  # noqa: F401 - selectors registers the built-in rules
from .models import LIVE_STATES, RuleThreshold, Signal, SignalEvent, SignalEventKind, SignalState
from .registry import RULES, Thresholds


def thresholds() -> dict[str, tuple[Thresholds, bool]]:
    """Per rule: its thresholds and whether it is switched on (one query)."""
    rows = RuleThreshold.objects.values_list("rule", "programme_id", "threshold", "is_active")
    per_rule: dict[str, dict[int | None, tuple[int, bool]]] = defaultdict(dict)
    for code_of_row, programme_id, value, active in rows:
        per_rule[code_of_row][programme_id] = (value, active)
    result = {}
    for code, rule in RULES.items():
        own = per_rule.get(code, {})
        default, active = own.get(None, (rule.default_threshold, True))
        result[code] = (
            Thresholds(default=default, per_programme={k: v for k, (v, _) in own.items() if k is not None}),
            active,
        )
    return result


@transaction.atomic
def signals_refresh(*, today: date) -> dict[str, tuple[int, int]]:
    """Run every registered rule; returns per rule (opened, closed)."""
    counts = {}
    settings = thresholds()
    for code, rule in RULES.items():
        limits, active = settings[code]
        found: dict[tuple[int, str], tuple[Any, ...]] = {
            (f[0], f[1]): tuple(f[2:]) for f in (rule.find(today, limits) if active else [])
        }
        live = {
            (pid, subject): pk
            for pk, pid, subject in Signal.objects.filter(rule=code, state__in=LIVE_STATES).values_list(
                "pk", "participant_id", "subject"
            )
        }
        new = [
            Signal(
                participant_id=pid,
                rule=code,
                subject=subject,
                category=rule.category,
                detail=found[(pid, subject)][0][:200],
                programme_id=found[(pid, subject)][1] if len(found[(pid, subject)]) > 1 else None,
                opened_on=today,
            )
            for pid, subject in found.keys() - live.keys()
        ]
        Signal.objects.bulk_create(new)
        opened = Signal.objects.filter(rule=code, state=SignalState.OPEN, opened_on=today, events__isnull=True)
        SignalEvent.objects.bulk_create(
            SignalEvent(signal_id=pk, kind=SignalEventKind.OPENED) for pk in opened.values_list("pk", flat=True)
        )
        gone = [pk for key, pk in live.items() if key not in found]
        Signal.objects.filter(pk__in=gone).update(state=SignalState.CLOSED, closed_on=today)
        SignalEvent.objects.bulk_create(SignalEvent(signal_id=pk, kind=SignalEventKind.CLOSED) for pk in gone)
        counts[code] = (len(new), len(gone))
    return counts


@transaction.atomic
def signal_handle(*, signal: Signal, actor: User, action: str, note: str = "") -> Signal:
    """A user marks a signal as seen (gezien) or taken up (opgepakt, with a note). The engine still
    closes it by itself once the condition is gone."""
    problem = rules.handling_problem(state=signal.state, action=action, note=note)
    if problem:
        raise DomainError(problem[1], field=problem[0])
    signal.state = action
    signal.save(update_fields=["state"])
    SignalEvent.objects.create(signal=signal, kind=action, by=actor, note=note.strip())
    return signal
