"""Guidance hours per participant-week and per coach, summed in the database."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Max, QuerySet, Sum
from django.db.models.functions import TruncWeek

from doorstroom.enrollments.models import Enrollment
from doorstroom.enrollments.rules import OPEN_STATES
from doorstroom.participants.models import Participant

from . import rules
from .models import ContactMoment

WEEKS_SHOWN = 8


def _held(contacts: QuerySet[ContactMoment]) -> QuerySet[ContactMoment]:
    return contacts.filter(status=rules.HELD, attendance=rules.ATTENDED)


def _minutes_by_week(contacts: QuerySet[ContactMoment], since: date) -> dict[date, int]:
    rows = (
        _held(contacts)
        .filter(occurred_on__gte=since)
        .annotate(week=TruncWeek("occurred_on"))
        .values("week")
        .annotate(minutes=Sum("minutes"))
    )
    return {(r["week"].date() if hasattr(r["week"], "date") else r["week"]): r["minutes"] or 0 for r in rows}


@dataclass(frozen=True)
class WeeklyHours:
    norm: Decimal | None
    weeks: list[tuple[date, Decimal, Decimal | None]]


def weekly_hours(*, participant: Participant, today: date) -> WeeklyHours:
    """Hours of held contacts per week for the last weeks, against the highest norm of the
    participant's open enrollments (programmes set hours per week)."""
    weeks = rules.weeks_back(today, WEEKS_SHOWN)
    norm = Enrollment.objects.filter(participant=participant, state__in=[s.value for s in OPEN_STATES]).aggregate(
        norm=Max("programme__coaching_hours_per_week")
    )["norm"]
    minutes = _minutes_by_week(ContactMoment.objects.filter(participant=participant), weeks[0])
    return WeeklyHours(norm=norm, weeks=rules.hours_against_norm(minutes, weeks, norm))


def coach_weekly_hours(*, coach_id: int, today: date) -> list[tuple[date, Decimal, Decimal | None]]:
    weeks = rules.weeks_back(today, WEEKS_SHOWN)
    minutes = _minutes_by_week(ContactMoment.objects.filter(recorded_by_id=coach_id), weeks[0])
    return rules.hours_against_norm(minutes, weeks, None)


def contacts_of(participant: Participant) -> QuerySet[ContactMoment]:
    return (
        ContactMoment.objects.filter(participant=participant)
        .select_related("recorded_by")
        .order_by("-occurred_on", "-id")
    )
