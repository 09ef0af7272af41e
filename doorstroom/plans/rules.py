"""Plan rules as plain Python: what makes a goal or agreement acceptable, and the readable
difference between two versions of a plan. No Django, no database."""

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from doorstroom.core import categories
from doorstroom.core.messages import _

LIFE_DOMAINS: dict[str, str] = {
    "werk": _("Werk"),
    "opleiding": _("Opleiding"),
    "taal": _("Taal"),
    "financien": _("Financiën"),
    "gezondheid": _("Gezondheid"),
    "wonen": _("Wonen"),
    "netwerk": _("Sociaal netwerk"),
    "gezin": _("Gezin en opvoeding"),
    "justitie": _("Justitie"),
}
#: A goal or agreement is data of the category its life domain says: a health goal is health data,
#: a goal about debts is debts data, one about justice is justice data, on every page and in every
#: export. The other domains say no more than the plan itself.
DOMAIN_CATEGORY: dict[str, str] = {
    "werk": categories.PLAN,
    "opleiding": categories.PLAN,
    "taal": categories.PLAN,
    "financien": categories.DEBTS,
    "gezondheid": categories.HEALTH,
    "wonen": categories.PLAN,
    "netwerk": categories.PLAN,
    "gezin": categories.PLAN,
    "justitie": categories.JUSTICE,
}
#: Free text about the plan as a whole (why it changed) is contacts-and-notes data.
NOTE_CATEGORY = categories.NOTES


def domain_category(domain: str) -> str:
    """The category of a life domain; an unknown domain is treated as the most protected."""
    if not domain:
        return categories.PLAN
    return DOMAIN_CATEGORY.get(domain, categories.JUSTICE)


def agreement_category(own_domain: str, goal_domain: str) -> str:
    """An agreement is data of its own life domain, else of the goal it serves, else of the plan."""
    return domain_category(own_domain or goal_domain)


GOAL_STATUSES: dict[str, str] = {
    "open": _("Nog niet begonnen"),
    "bezig": _("Bezig"),
    "behaald": _("Behaald"),
    "niet_behaald": _("Niet behaald"),
}
AGREEMENT_STATUSES: dict[str, str] = {
    "open": _("Loopt"),
    "nagekomen": _("Nagekomen"),
    "niet_nagekomen": _("Niet nagekomen"),
}
TEXT_LIMIT = 1000

# The PIP (Plan Inburgering en Participatie) of the Wet inburgering 2021: see
# docs/glossary.md and domain-standards §3.
LEARNING_ROUTES: dict[str, str] = {
    "b1": _("B1-route"),
    "onderwijs": _("Onderwijsroute"),
    "z": _("Zelfredzaamheidsroute (Z-route)"),
}
PIP_CHANGE_REASONS: dict[str, str] = {
    "schakelen": _("Schakelen naar een andere leerroute"),
    "afschalen": _("Afschalen naar A2 (B1-route)"),
    "verhuizing": _("Verhuizing naar deze gemeente"),
    "overig": _("Andere wijziging"),
}
PIP_TEXT_LIMIT = 200
TERM_YEARS = 3
SWITCH_MONTHS = 18


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days (31 Aug + 6 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has at least 28 days


def integration_term(first_decided_on: date) -> dict[str, date]:
    """The three-year term starts the day after the first PIP's date (later versions do not move
    it); switching learning route is possible until 18 months after that start."""
    starts_on = first_decided_on + timedelta(days=1)
    return {
        "starts_on": starts_on,
        "ends_on": add_months(starts_on, 12 * TERM_YEARS) - timedelta(days=1),
        "switch_until": add_months(starts_on, SWITCH_MONTHS) - timedelta(days=1),
    }


PIP_FIELDS = (
    "pip_decided_on",
    "learning_route",
    "map_intensity",
    "pvt_intensity",
    "ontzorgen_until",
    "pip_change_reason",
)


def pip_problems(
    pip: Mapping[str, Any],
    *,
    has_duty: bool,
    may_be_relieved: bool,
    previous: Mapping[str, Any] | None,
    first_decided_on: date | None,
    today: date,
) -> dict[str, str]:
    """Per field, what is wrong with the PIP part of a new plan version. `previous` is the PIP of
    the last version that was a decision; `may_be_relieved` says whether ontzorgen applies to the
    person at all (status holders on social assistance)."""
    filled = {name for name in PIP_FIELDS if pip.get(name) not in (None, "")}
    problems: dict[str, str] = {}
    if not has_duty:
        for name in sorted(filled):
            problems[name] = _("Alleen een inburgeringsplichtige deelnemer heeft een PIP.")
        return problems
    if not filled and previous is None:
        return problems  # a plan without a PIP yet: a draft before the first decision
    decided_on, route = pip.get("pip_decided_on"), pip.get("learning_route")
    if decided_on is None:
        problems["pip_decided_on"] = (
            _("Elke versie van het PIP is een besluit: vul de datum van het besluit in.")
            if previous is not None
            else _("Vul de datum van het besluit in, of laat de PIP-velden leeg zolang het PIP er nog niet is.")
        )
    elif decided_on > today:
        problems["pip_decided_on"] = _("De datum van het besluit kan niet in de toekomst liggen.")
    elif previous is not None and previous.get("pip_decided_on") and decided_on < previous["pip_decided_on"]:
        problems["pip_decided_on"] = _("Deze datum ligt voor het vorige besluit over het PIP.")
    if route not in LEARNING_ROUTES:
        problems["learning_route"] = _("Kies de leerroute: B1-route, onderwijsroute of Z-route.")
    elif previous is not None and previous.get("learning_route") and route != previous["learning_route"]:
        if pip.get("pip_change_reason") != "schakelen":
            problems["pip_change_reason"] = _("Een andere leerroute is schakelen: kies die reden.")
        if first_decided_on is not None and decided_on is not None:
            until = integration_term(first_decided_on)["switch_until"]
            if decided_on > until:
                problems["learning_route"] = _(
                    "Schakelen kan alleen binnen 18 maanden na de start van de inburgeringstermijn "
                    "(tot en met %(day)s).",
                    day=f"{until:%d-%m-%Y}",
                )
    if route == "onderwijs" and pip.get("map_intensity"):
        problems["map_intensity"] = _(
            "In de onderwijsroute is er geen MAP; studie- en loopbaanbegeleiding komt ervoor in de plaats."
        )
    elif route in ("b1", "z") and not pip.get("map_intensity"):
        problems["map_intensity"] = _("Beschrijf hoe intensief de MAP (Module Arbeidsmarkt en Participatie) is.")
    if route in LEARNING_ROUTES and not pip.get("pvt_intensity"):
        problems["pvt_intensity"] = _("Beschrijf hoe intensief het participatieverklaringstraject (PVT) is.")
    for name in ("map_intensity", "pvt_intensity"):
        if len(str(pip.get(name) or "")) > PIP_TEXT_LIMIT and name not in problems:
            problems[name] = _("Houd dit korter dan %(limit)s tekens.", limit=PIP_TEXT_LIMIT)
    relieved_until = pip.get("ontzorgen_until")
    if relieved_until is not None:
        if not may_be_relieved:
            problems["ontzorgen_until"] = _("Ontzorgen geldt alleen voor statushouders met een bijstandsuitkering.")
        elif decided_on is not None and relieved_until < decided_on:
            problems["ontzorgen_until"] = _("Het ontzorgen kan niet eindigen voor de datum van het besluit.")
    reason = pip.get("pip_change_reason")
    if reason and reason not in PIP_CHANGE_REASONS:
        problems["pip_change_reason"] = _("Kies een reden uit de lijst.")
    elif reason and previous is None:
        problems["pip_change_reason"] = _("Het eerste PIP heeft geen reden van wijziging.")
    return problems


def goal_problems(goal: Mapping[str, Any], *, started_on: date | None) -> dict[str, str]:
    """Per field, what is wrong with one goal."""
    problems: dict[str, str] = {}
    if goal.get("life_domain") not in LIFE_DOMAINS:
        problems["life_domain"] = _("Kies een leefgebied uit de lijst.")
    description = str(goal.get("description") or "").strip()
    if not description:
        problems["description"] = _("Beschrijf het doel.")
    elif len(description) > TEXT_LIMIT:
        problems["description"] = _("Houd het doel korter dan %(limit)s tekens.", limit=TEXT_LIMIT)
    if goal.get("status") not in GOAL_STATUSES:
        problems["status"] = _("Kies een stand uit de lijst.")
    target = goal.get("target_on")
    if target is not None and started_on is not None and target < started_on:
        problems["target_on"] = _("De streefdatum ligt voor het begin van het traject.")
    return problems


def agreement_problems(agreement: Mapping[str, Any], *, started_on: date | None) -> dict[str, str]:
    """Per field, what is wrong with one agreement in the four-window form."""
    problems: dict[str, str] = {}
    for name, message in (
        ("what", _("Schrijf op wie wat doet.")),
        ("monitor", _("Schrijf op wie de afspraak bewaakt.")),
        ("if_not_kept", _("Schrijf op wat er gebeurt als het niet lukt.")),
    ):
        value = str(agreement.get(name) or "").strip()
        if not value:
            problems[name] = message
        elif len(value) > TEXT_LIMIT:
            problems[name] = _("Houd dit korter dan %(limit)s tekens.", limit=TEXT_LIMIT)
    due, look_back = agreement.get("due_on"), agreement.get("look_back_on")
    if due is None:
        problems["due_on"] = _("Kies wanneer het klaar moet zijn.")
    elif started_on is not None and due < started_on:
        problems["due_on"] = _("Deze datum ligt voor het begin van het traject.")
    if look_back is None:
        problems["look_back_on"] = _("Kies wanneer jullie terugkijken.")
    elif due is not None and look_back < due:
        problems["look_back_on"] = _("Terugkijken kan pas op of na de datum waarop het klaar moet zijn.")
    if agreement.get("status") not in AGREEMENT_STATUSES:
        problems["status"] = _("Kies een stand uit de lijst.")
    if agreement.get("life_domain") and agreement["life_domain"] not in LIFE_DOMAINS:
        problems["life_domain"] = _("Kies een leefgebied uit de lijst.")
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
    for name, label in PIP_LABELS.items():
        if old.get(name) != new.get(name):
            lines.append(f"{label}: {_shown(name, old.get(name))} → {_shown(name, new.get(name))}")
    lines += _rows(old.get("goals", ()), new.get("goals", ()), "Doel", "description", GOAL_FIELDS)
    lines += _rows(old.get("agreements", ()), new.get("agreements", ()), "Afspraak", "what", AGREEMENT_FIELDS)
    return lines


PIP_LABELS = {
    "pip_decided_on": "PIP-besluit van",
    "learning_route": "Leerroute",
    "map_intensity": "MAP",
    "pvt_intensity": "PVT",
    "ontzorgen_until": "Ontzorgen tot",
}
GOAL_FIELDS = {
    "member_name": "voor",
    "life_domain": "leefgebied",
    "description": "omschrijving",
    "target_on": "streefdatum",
    "status": "stand",
}
AGREEMENT_FIELDS = {
    "life_domain": "leefgebied",
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
    if name == "learning_route":
        return LEARNING_ROUTES.get(str(value), "—")
    if name == "status":
        return str(GOAL_STATUSES.get(str(value)) or AGREEMENT_STATUSES.get(str(value), str(value)))
    return _day(value) if isinstance(value, date) or value in (None, "") else str(value)


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
