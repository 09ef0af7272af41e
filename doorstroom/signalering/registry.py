"""The one extension point for signal rules. A rule says which participants (and which subject,
e.g. which agreement) meet its condition today, with one or a few queries for everyone at once.
Later capabilities (placements, aftercare, intermediaries) register their own rules here; the
engine does not change."""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise

#: (participant id, subject key, short detail without names or programmes) and, for a finding
#: about an enrollment, the programme id as a fourth element (a structured reference the access
#: layer uses to show it only where the programme's membership is visible)
Finding = tuple[int, str, str] | tuple[int, str, str, int | None]
#: today, threshold per programme id (None = default), and optionally only these participants (the
#: engine re-evaluates the participants whose work a request recorded) -> findings
Finder = Callable[[date, "Thresholds", Collection[int] | None], Iterable[Finding]]


@dataclass(frozen=True)
class Thresholds:
    default: int
    per_programme: dict[int, int]

    def for_programme(self, programme_id: int | None) -> int:
        return self.per_programme.get(programme_id, self.default) if programme_id is not None else self.default


@dataclass(frozen=True)
class SignalRule:
    code: str
    label: str | Promise  # translated where shown
    category: str  # the data category a reader needs to see the signal
    default_threshold: int
    threshold_unit: str | Promise
    find: Finder
    #: the kinds of work (`core.touched`) whose change can change what `find` finds; a refresh after a
    #: request runs only the rules that read what it wrote. None: everything (the safe default). A rule
    #: that reads other household members' data says HOUSEHOLDS, so the refresh reaches them too.
    reads: frozenset[str] | None = None


RULES: dict[str, SignalRule] = {}


def register(rule: SignalRule) -> SignalRule:
    if rule.code in RULES:
        raise ValueError(f"signal rule {rule.code} is registered twice")
    RULES[rule.code] = rule
    return rule
