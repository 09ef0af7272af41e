"""Eligibility rules of a programme as a pure function: facts in, problems (field, message) out."""

from dataclasses import dataclass

from doorstroom.core.messages import _


@dataclass(frozen=True)
class EligibilityRules:
    requires_residence_permit: bool
    requires_civic_integration_duty: bool
    min_age: int | None
    max_age: int | None


@dataclass(frozen=True)
class ParticipantFacts:
    age: int
    has_residence_permit: bool
    civic_integration_duty: bool


def eligibility_problems(rules: EligibilityRules, facts: ParticipantFacts) -> list[tuple[str, str]]:
    """Each unmet rule as (field, message); an empty list means the participant may enrol."""
    problems: list[tuple[str, str]] = []
    if rules.requires_residence_permit and not facts.has_residence_permit:
        problems.append(("residence_status", _("Dit programma vraagt een verblijfsvergunning.")))
    if rules.requires_civic_integration_duty and not facts.civic_integration_duty:
        problems.append(("civic_integration_duty", _("Dit programma is alleen voor inburgeringsplichtigen.")))
    if rules.min_age is not None and facts.age < rules.min_age:
        problems.append(("date_of_birth", _("Dit programma is vanaf %(age)s jaar.", age=rules.min_age)))
    if rules.max_age is not None and facts.age > rules.max_age:
        problems.append(("date_of_birth", _("Dit programma is tot en met %(age)s jaar.", age=rules.max_age)))
    return problems
