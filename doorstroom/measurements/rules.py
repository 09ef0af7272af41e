"""Measurement rules as plain Python: scales, the participation ladder's rung, and what makes a
measurement acceptable. No Django, no database (tested directly)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from doorstroom.core.messages import _

BASELINE, FOLLOW_UP, FINAL = "nulmeting", "vervolgmeting", "eindmeting"
MOMENTS = (BASELINE, FOLLOW_UP, FINAL)

#: CEFR (ERK) levels as an ordinal scale; A0 is practice shorthand for "below A1", not an official level
CEFR_LEVELS = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")

#: the questions that place someone on the participation ladder, top-down (our own wording)
LADDER_QUESTIONS = (
    "betaald_werk",  # has an employment contract or works as a self-employed person
    "ondersteuning_bij_werk",  # ... with support: a municipal instrument, supplementary benefit, sheltered work
    "onbetaald_werk",  # unpaid work with responsibility towards others, at least weekly
    "georganiseerde_activiteit",  # a course, school or club at least weekly, without responsibilities
    "sociaal_contact",  # informal contact outside the home at least weekly
)


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    minimum: int
    maximum: int
    category: str
    required: bool = False


def ladder_rung(answers: Mapping[str, bool | int | None]) -> int:
    """The highest rung whose criteria hold (1 isolated ... 6 paid work without support)."""

    def yes(code: str) -> bool:
        return bool(answers.get(code))

    if yes("betaald_werk"):
        return 5 if yes("ondersteuning_bij_werk") else 6
    if yes("onbetaald_werk"):
        return 4
    if yes("georganiseerde_activiteit"):
        return 3
    if yes("sociaal_contact"):
        return 2
    return 1


def score_problems(items: Iterable[Item], scores: Mapping[str, int | None]) -> dict[str, str]:
    """Per item code, what is wrong with its score: unknown item, outside the scale, or missing
    while required. An empty dict means the scores fit the scale."""
    by_code = {item.code: item for item in items}
    problems: dict[str, str] = {}
    for code, value in scores.items():
        item = by_code.get(code)
        if item is None:
            problems[code] = _("Dit onderdeel hoort niet bij deze meting.")
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            problems[code] = _("Geef een geheel getal.")
        elif value is not None and not item.minimum <= value <= item.maximum:
            problems[code] = _("Kies een waarde van %(low)s tot en met %(high)s.", low=item.minimum, high=item.maximum)
    for code, item in by_code.items():
        if item.required and scores.get(code) is None:
            problems[code] = _("Vul dit onderdeel in.")
    return problems


def moment_problem(
    *, moment: str, measured_on: date, today: date, born_on: date, baseline_on: date | None
) -> tuple[str, str] | None:
    """(field, message) when the moment or date cannot be right; `baseline_on` is the date of the
    participant's standing baseline of this kind of measurement, if any."""
    if moment not in MOMENTS:
        return "moment", _("Kies nulmeting, vervolgmeting of eindmeting.")
    if measured_on > today:
        return "measured_on", _("Een meting kan niet in de toekomst liggen.")
    if measured_on < born_on:
        return "measured_on", _("Deze datum ligt voor de geboortedatum.")
    if moment == BASELINE and baseline_on is not None:
        return "moment", _("Er is al een nulmeting. Corrigeer die, of leg een vervolgmeting vast.")
    if moment != BASELINE and baseline_on is None:
        return "moment", _("Leg eerst een nulmeting vast.")
    if moment != BASELINE and baseline_on is not None and measured_on < baseline_on:
        return "measured_on", _("Een vervolgmeting kan niet voor de nulmeting liggen.")
    return None
