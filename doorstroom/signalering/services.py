"""The signal engine: opens a signal where a rule's condition newly holds, closes it where the
condition no longer holds, and records a user's acknowledgement or resolution; set-based (a few
queries per rule, bulk writes), fit for a scheduler and on demand."""

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from doorstroom.core import prepared, touched
from doorstroom.core.errors import DomainError
from doorstroom.enrollments.models import Enrollment
from doorstroom.organisations.models import User
from doorstroom.participants.models import HouseholdMember

from . import rules, selectors  # noqa: F401 - selectors registers the built-in rules
from .models import LIVE_STATES, RuleThreshold, Signal, SignalEvent, SignalEventKind, SignalState
from .registry import RULES, SignalRule, Thresholds


def thresholds() -> dict[str, tuple[Thresholds, bool]]:
    """Per rule: its thresholds and whether it is switched on (one query)."""
    rows = prepared.rows(
        "thresholds",
        lambda _ids: RuleThreshold.objects.values_list("rule", "programme_id", "threshold", "is_active"),
        None,
    )
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


def _with_households(participant_ids: Collection[int]) -> set[int]:
    """The participants and everyone who shares a household with them (a parent's programme decides
    a child's school signal; a household plan's signals show on every member). One query."""
    ids = set(participant_ids)
    ids |= {
        pid
        for (pid,) in prepared.rows(
            "households",
            lambda among: HouseholdMember.objects.filter(household__members__participant_id__in=among).values_list(
                "participant_id"
            ),
            ids,
        )
    }
    return ids


def quiet_history(among: Collection[int] | None = None) -> tuple[set[int], set[tuple[int, int]]]:
    """Who stays quiet because all we know of them is history: an enrollment of a programme with a
    "gevolgd vanaf" date whose last event lies before that date (closed then, or untouched since)
    is history. A participant is quiet when every enrollment is history; a finding about one
    programme when every enrollment in that programme is (two queries)."""
    history = Q(programme__monitored_from__isnull=False, last_event_on__lt=F("programme__monitored_from"))

    def old(ids: list[int] | None) -> QuerySet:
        rows = Enrollment.objects.filter(history)
        rows = rows if ids is None else rows.filter(participant_id__in=ids)
        return rows.values_list("participant_id", "programme_id")

    pairs = set(prepared.rows("quiet history", old, among))
    if not pairs:
        return set(), set()
    live = set(
        prepared.rows(
            "quiet history, live",
            lambda ids: (
                Enrollment.objects.filter(participant_id__in=ids)
                .exclude(history)
                .values_list("participant_id", "programme_id")
            ),
            {p for p, _ in pairs},
        )
    )
    live_people = {p for p, _ in live}
    return {p for p, _ in pairs if p not in live_people}, pairs - live


#: the engine itself reads enrollments (`quiet_history` silences every rule for someone who is only
#: history), so a write of them can change what any rule shows
_ENGINE_READS = frozenset({touched.ENROLLMENTS})


def rules_reading(written: Collection[str] | None) -> dict[str, SignalRule]:
    """The rules whose findings a write of these kinds of work can change (all when None)."""
    if written is None or _ENGINE_READS & set(written):
        return dict(RULES)
    return {code: rule for code, rule in RULES.items() if rule.reads is None or rule.reads & set(written)}


def signals_refresh(
    *, today: date, among: Collection[int] | None = None, written: Collection[str] | None = None
) -> dict[str, tuple[int, int]]:
    """Run the registered rules, for everyone or (`among`) for the participants whose work a
    request just recorded, so a closed condition disappears at once; the number of queries is
    bounded whatever the number of participants (three or four per rule). `written`: the kinds of
    work the request recorded (`core.touched`); only the rules that read them run, and their
    household members are included only when such a rule reads households (ADR 0026).
    Returns per rule (opened, closed). The rules read first; only what changes is written, in one
    transaction (most refreshes after a write change nothing: no transaction, no round trips for
    one; each read sees committed data either way, as under READ COMMITTED it did)."""
    running = rules_reading(written)
    if not running:
        return dict.fromkeys(RULES, (0, 0))
    widen = any(rule.reads is None or touched.HOUSEHOLDS in rule.reads for rule in running.values())
    scope = None if among is None else (_with_households(among) if widen else set(among))
    settings = thresholds()
    quiet_people, quiet_programmes = quiet_history(scope)

    def live_rows(ids: list[int] | None) -> QuerySet:
        rows = Signal.objects.filter(rule__in=list(RULES), state__in=LIVE_STATES)
        return (rows if ids is None else rows.filter(participant_id__in=ids)).values_list(
            "pk", "rule", "participant_id", "subject"
        )

    live_of: dict[str, dict[tuple[int, str], int]] = {code: {} for code in RULES}
    for pk, rule_code, pid, subject in prepared.rows("live", live_rows, scope):
        live_of[rule_code][(pid, subject)] = pk  # one query for every rule: a write refreshes seven
    changes: dict[str, tuple[list[Signal], list[int]]] = {}
    for code, rule in running.items():
        limits, active = settings[code]
        found: dict[tuple[int, str], tuple[Any, ...]] = {
            (f[0], f[1]): tuple(f[2:])
            for f in (rule.find(today, limits, scope) if active else [])
            if (scope is None or f[0] in scope)
            and f[0] not in quiet_people
            and not (len(f) > 3 and (f[0], f[3]) in quiet_programmes)
        }
        live = live_of[code]
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
        changes[code] = (new, [pk for key, pk in live.items() if key not in found])
    if scope is None or any(new or gone for new, gone in changes.values()):
        _signals_write(changes, today=today, scope=scope)
    return {code: (len(changes[code][0]), len(changes[code][1])) if code in changes else (0, 0) for code in RULES}


@transaction.atomic
def _signals_write(changes: dict[str, tuple[list[Signal], list[int]]], *, today: date, scope: set[int] | None) -> None:
    """Open the new signals and close the gone ones, each with its event, together."""
    for code, (new, gone) in changes.items():
        if new:
            Signal.objects.bulk_create(new)
        if new or scope is None:  # (the full refresh also repairs a signal opened today without its event)
            opened = Signal.objects.filter(rule=code, state=SignalState.OPEN, opened_on=today, events__isnull=True)
            if scope is not None:
                opened = opened.filter(participant_id__in=list(scope))
            SignalEvent.objects.bulk_create(
                SignalEvent(signal_id=pk, kind=SignalEventKind.OPENED) for pk in opened.values_list("pk", flat=True)
            )
        if gone:
            Signal.objects.filter(pk__in=gone).update(state=SignalState.CLOSED, closed_on=today)
            SignalEvent.objects.bulk_create(SignalEvent(signal_id=pk, kind=SignalEventKind.CLOSED) for pk in gone)


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
