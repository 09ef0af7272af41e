"""Plan rules as plain Python: what makes a goal or agreement acceptable, and the readable
difference between two versions of a plan. No Django, no database."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

LIFE_DOMAINS = {
    "werk": "Werk",
    "opleiding": "Opleiding",
    "taal": "Taal",
    "financien": "Financiën",
    "gezondheid": "Gezondheid",
    "wonen": "Wonen",
    "netwerk": "Sociaal netwerk",
    "gezin": "Gezin en opvoeding",
    "justitie": "Justitie",
}
GOAL_STATUSES = {"open": "Nog niet begonnen", "bezig": "Bezig", "behaald": "Behaald", "niet_behaald": "Niet behaald"}
AGREEMENT_STATUSES = {"open": "Loopt", "nagekomen": "Nagekomen", "niet_nagekomen": "Niet nagekomen"}
TEXT_LIMIT = 1000


def goal_problems(goal: Mapping[str, Any], *, started_on: date | None) -> dict[str, str]:
    """Per field, what is wrong with one goal."""
    problems: dict[str, str] = {}
    if goal.get("life_domain") not in LIFE_DOMAINS:
        problems["life_domain"] = "Kies een leefgebied uit de lijst."
    description = str(goal.get("description") or "").strip()
    if not description:
        problems["description"] = "Beschrijf het doel."
    elif len(description) > TEXT_LIMIT:
        problems["description"] = f"Houd het doel korter dan {TEXT_LIMIT} tekens."
    if goal.get("status") not in GOAL_STATUSES:
        problems["status"] = "Kies een stand uit de lijst."
    target = goal.get("target_on")
    if target is not None and started_on is not None and target < started_on:
        problems["target_on"] = "De streefdatum ligt voor het begin van het traject."
    return problems


def agreement_problems(agreement: Mapping[str, Any], *, started_on: date | None) -> dict[str, str]:
    """Per field, what is wrong with one agreement in the four-window form."""
    problems: dict[str, str] = {}
    for name, message in (
        ("what", "Schrijf op wie wat doet."),
        ("monitor", "Schrijf op wie de afspraak bewaakt."),
        ("if_not_kept", "Schrijf op wat er gebeurt als het niet lukt."),
    ):
        value = str(agreement.get(name) or "").strip()
        if not value:
            problems[name] = message
        elif len(value) > TEXT_LIMIT:
            problems[name] = f"Houd dit korter dan {TEXT_LIMIT} tekens."
    due, look_back = agreement.get("due_on"), agreement.get("look_back_on")
    if due is None:
        problems["due_on"] = "Kies wanneer het klaar moet zijn."
    elif started_on is not None and due < started_on:
        problems["due_on"] = "Deze datum ligt voor het begin van het traject."
    if look_back is None:
        problems["look_back_on"] = "Kies wanneer jullie terugkijken."
    elif due is not None and look_back < due:
        problems["look_back_on"] = "Terugkijken kan pas op of na de datum waarop het klaar moet zijn."
    if agreement.get("status") not in AGREEMENT_STATUSES:
        problems["status"] = "Kies een stand uit de lijst."
    return problems


def _day(value: Any) -> str:
    return value.strftime("%d-%m-%Y") if isinstance(value, date) else str(value or "—")


def difference(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What changed from one version to the next, in plain Dutch lines. A version is a mapping
    with `review_on`, `agreed_on`, `goals` and `agreements`; goals and agreements carry a stable
    `key` so a changed one is recognised as the same."""
    lines: list[str] = []
    if old.get("review_on") != new.get("review_on"):
        lines.append(f"Evaluatiedatum: {_day(old.get('review_on'))} → {_day(new.get('review_on'))}")
    if old.get("agreed_on") != new.get("agreed_on"):
        lines.append(f"Akkoord van de deelnemer: {_day(old.get('agreed_on'))} → {_day(new.get('agreed_on'))}")
    lines += _rows(old.get("goals", ()), new.get("goals", ()), "Doel", "description", GOAL_FIELDS)
    lines += _rows(old.get("agreements", ()), new.get("agreements", ()), "Afspraak", "what", AGREEMENT_FIELDS)
    return lines


GOAL_FIELDS = {
    "life_domain": "leefgebied",
    "description": "omschrijving",
    "target_on": "streefdatum",
    "status": "stand",
}
AGREEMENT_FIELDS = {
    "what": "wie doet wat",
    "due_on": "klaar op",
    "monitor": "bewaakt door",
    "if_not_kept": "als het niet lukt",
    "look_back_on": "terugkijken op",
    "status": "stand",
}


def _shown(name: str, value: Any) -> str:
    if name == "life_domain":
        return LIFE_DOMAINS.get(str(value), str(value))
    if name == "status":
        return GOAL_STATUSES.get(str(value)) or AGREEMENT_STATUSES.get(str(value), str(value))
    return _day(value) if isinstance(value, date) or value is None else str(value)


def _rows(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], noun: str, title: str, fields: Mapping[str, str]
) -> list[str]:
    before = {row["key"]: row for row in old}
    after = {row["key"]: row for row in new}
    lines = []
    for key, row in after.items():
        if key not in before:
            lines.append(f"{noun} toegevoegd: {row.get(title)}")
            continue
        changes = [
            f"{label} {_shown(name, before[key].get(name))} → {_shown(name, row.get(name))}"
            for name, label in fields.items()
            if before[key].get(name) != row.get(name)
        ]
        if changes:
            lines.append(f"{noun} gewijzigd ({row.get(title)}): " + "; ".join(changes))
    lines += [f"{noun} vervallen: {row.get(title)}" for key, row in before.items() if key not in after]
    return lines
