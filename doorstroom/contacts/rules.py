"""Contact rules as plain Python: what a contact moment may be, and guidance hours per week
against the programme's norm. No Django, no database."""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from doorstroom.core.messages import _

MINUTES_PER_DAY = 24 * 60
PLANNED, HELD = "gepland", "gehouden"
ATTENDED, NO_SHOW, CANCELLED = "verschenen", "niet_verschenen", "afgemeld"


def contact_problems(
    *, status: str, attendance: str, minutes: int | None, on: date, today: date, started_on: date | None
) -> list[tuple[str, str]]:
    """Every (field, message) that makes a contact moment wrong, one per field."""
    problems: dict[str, str] = {}
    if status not in (PLANNED, HELD):
        problems["status"] = _("Kies gepland of gehouden.")
    elif status == PLANNED:
        if attendance:
            problems["attendance"] = _(
                "Een gepland contact heeft nog geen aanwezigheid; die vult u in als het is geweest."
            )
        if on < today:
            problems["occurred_on"] = _("Een gepland contact ligt vandaag of later.")
    else:
        if attendance not in (ATTENDED, NO_SHOW, CANCELLED):
            problems["attendance"] = _("Geef aan of de deelnemer er was.")
        if on > today:
            problems["occurred_on"] = _("Een gehouden contact kan niet in de toekomst liggen.")
    if minutes is not None and not 0 <= minutes <= MINUTES_PER_DAY:
        problems["minutes"] = _("Een contact duurt hoogstens 24 uur (1440 minuten).")
    elif status == HELD and attendance == ATTENDED and not minutes:
        problems["minutes"] = _("Hoe lang duurde het contact?")
    if "occurred_on" not in problems and started_on is not None and on < started_on:
        problems["occurred_on"] = _("Deze datum ligt voor het begin van het traject.")
    return list(problems.items())


def contact_problem(
    *, status: str, attendance: str, minutes: int | None, on: date, today: date, started_on: date | None
) -> tuple[str, str] | None:
    """The first (field, message) when a contact moment cannot be right."""
    problems = contact_problems(
        status=status, attendance=attendance, minutes=minutes, on=on, today=today, started_on=started_on
    )
    return problems[0] if problems else None


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_back(today: date, count: int) -> list[date]:
    """The Mondays of the last `count` weeks, oldest first, this week included."""
    this_week = week_start(today)
    return [this_week - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def hours_against_norm(
    minutes_by_week: dict[date, int], weeks: Iterable[date], norm_hours: Decimal | None
) -> list[tuple[date, Decimal, Decimal | None]]:
    """(Monday, hours held, percentage of the norm) per week."""
    rows = []
    for monday in weeks:
        hours = (Decimal(minutes_by_week.get(monday, 0)) / 60).quantize(Decimal("0.1"))
        share = (hours * 100 / norm_hours).quantize(Decimal("1")) if norm_hours else None
        rows.append((monday, hours, share))
    return rows
