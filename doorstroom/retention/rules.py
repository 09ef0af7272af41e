"""Retention as pure rules: when a closed file may be destroyed."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from doorstroom.core.messages import _


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class ClosedEnrollment:
    ended_on: date | None  # None: still open
    retention_years: int


def destruction_due_on(enrollments: Iterable[ClosedEnrollment]) -> date | None:
    """The day a participant's whole file may go: every enrollment closed, and the longest retention
    after its end has passed. None while anything is open or there is nothing to keep."""
    due: date | None = None
    for enrollment in enrollments:
        if enrollment.ended_on is None:
            return None
        candidate = add_years(enrollment.ended_on, enrollment.retention_years)
        due = candidate if due is None or candidate > due else due
    return due


def is_due(enrollments: Iterable[ClosedEnrollment], today: date) -> bool:
    day = destruction_due_on(enrollments)
    return day is not None and day <= today


ERASURE_UNLAWFUL = "onrechtmatig"


def erasure_refusal(*, ground: str, enrollment_count: int) -> str | None:
    """Whether the law allows erasing a file now (AVG art. 17(3)(b): not while a legal obligation,
    here the retention of a statutory-task file, requires keeping it). Unlawfully processed data
    (the wrong person registered, no basis at all) may always go. Returns the reason for refusal,
    or None when erasure is allowed."""
    if ground == ERASURE_UNLAWFUL:
        return None
    if enrollment_count:
        return _(
            "Dit dossier hoort bij een wettelijke taak en valt onder de bewaartermijn. Het wordt vernietigd "
            "wanneer die verstreken is (via de vernietigingslijst). Wissen kan nu alleen als de gegevens "
            "onrechtmatig zijn verwerkt."
        )
    return None
