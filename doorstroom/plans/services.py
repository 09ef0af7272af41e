"""Saving a plan: every save is a new version with its goals and agreements; refused with a clear
conflict when someone else saved since the version the user opened."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F

from doorstroom.core import clock, touched
from doorstroom.core.errors import DomainError, raise_all
from doorstroom.core.messages import _
from doorstroom.enrollments.selectors import trajectory_start
from doorstroom.organisations.models import User
from doorstroom.participants.models import Household, Participant

from . import rules, selectors
from .models import Agreement, AgreementWay, Goal, Plan, PlanVersion


@transaction.atomic
def plan_save(
    *,
    participant: Participant | None = None,
    household: Household | None = None,
    actor: User,
    expected_version: int,
    goals: list[dict[str, Any]],
    agreements: list[dict[str, Any]],
    review_on: date | None = None,
    agreed_on: date | None = None,
    agreed_how: str = "",
    change_note: str = "",
    pip: dict[str, Any] | None = None,
    writable_categories: frozenset[str] | None = None,
    may_decide_pip: bool = True,
    difference: Callable[[int, int], list[str]] | None = None,
) -> PlanVersion:
    """Save a new version of a participant's plan, or of a household's plan (give one of the two).

    Errors name the field: `goals[i].<field>`, `agreements[i].<field>`, `review_on`, `agreed_how`,
    a PIP field (`learning_route`, …), and `version` (code conflict) when someone else saved in
    between. `pip` holds the PIP part (Wet inburgering) for a participant with an integration duty;
    a household plan has no PIP (that stays with the member's own plan), and each of its goals
    names the member (`goals[i].member`, a participant id) it is for.

    `writable_categories` are the data categories the actor may create or change (from the access
    layer): a goal or agreement in another category is refused naming its `life_domain`, and the
    rows of the current version the actor may not change are carried into the new version as they
    were. Without `may_decide_pip` (only the municipality decides a PIP) the PIP fields are refused
    when they differ from the latest decision, and the new version is no decision. `difference`
    gives the lines of a conflict message the actor may see."""
    if (participant is None) == (household is None):
        raise ValueError("plan_save needs a participant or a household")
    members: dict[str, Participant] = {}
    starts: dict[str, date | None] = {}
    if household is not None:
        members = {str(m.participant.uuid): m.participant for m in household.members.select_related("participant")}
        starts = {key: trajectory_start(person) for key, person in members.items()}  # a household is a few people
        known = [day for day in starts.values() if day is not None]
        started_on = min(known) if known else None
    else:
        assert participant is not None
        started_on = trajectory_start(participant)
    pip = {name: (pip or {}).get(name) for name in rules.PIP_FIELDS}
    previous, first_decided_on = selectors.pip_decisions(participant) if participant else (None, None)
    owner: selectors.PlanOwner = household if household is not None else participant  # type: ignore[assignment]
    if writable_categories is not None:
        goals, agreements = _carry_over(owner, goals, agreements, writable_categories)
    if not may_decide_pip:
        unchanged = {**dict.fromkeys(rules.PIP_FIELDS), **(previous or {})}
        for name in rules.PIP_FIELDS:
            if pip[name] not in (None, "") and pip[name] != unchanged[name]:
                raise DomainError(
                    _("Alleen de gemeente stelt het PIP vast of wijzigt het."), field=name, code="not_shared"
                )
        pip = dict.fromkeys(rules.PIP_FIELDS)
    errors: list[DomainError] = []  # every independent problem of the submission at once
    problems = (
        {}
        if not may_decide_pip
        else rules.pip_problems(
            pip,
            has_duty=participant is not None and participant.civic_integration_duty,
            may_be_relieved=participant is not None and selectors.may_be_relieved(participant),
            previous=previous,
            first_decided_on=first_decided_on,
            today=clock.today(),
        )
    )
    errors += [DomainError(problems[name], field=name) for name in sorted(problems, key=rules.PIP_FIELDS.index)]
    for index, goal in enumerate(goals):
        goal_start = started_on
        if household is not None:
            member = str(goal.get("member") or "")
            if member not in members:
                errors.append(
                    DomainError(_("Kies voor wie in het huishouden dit doel is."), field=f"goals[{index}].member")
                )
                continue
            goal_start = starts[member]
        problems = rules.goal_problems(goal, started_on=goal_start)
        errors += [DomainError(problems[name], field=f"goals[{index}].{name}") for name in sorted(problems)]
    for index, agreement in enumerate(agreements):
        problems = rules.agreement_problems(agreement, started_on=started_on)
        errors += [DomainError(problems[name], field=f"agreements[{index}].{name}") for name in sorted(problems)]
    if review_on is not None and started_on is not None and review_on < started_on:
        errors.append(DomainError(_("De evaluatiedatum ligt voor het begin van het traject."), field="review_on"))
    if agreed_how and agreed_how not in AgreementWay.values:
        errors.append(DomainError(_("Kies hoe de deelnemer akkoord gaf."), field="agreed_how"))
    if agreed_on is not None and not agreed_how:
        errors.append(DomainError(_("Geef aan hoe de deelnemer akkoord gaf."), field="agreed_how"))
    if agreed_on is not None and agreed_on > clock.today():
        errors.append(DomainError(_("Het akkoord kan niet in de toekomst liggen."), field="agreed_on"))
    if len(change_note) > 300:
        errors.append(DomainError(_("Houd dit korter dan 300 tekens."), field="change_note"))
    goal_keys = {str(g.get("key")) for g in goals if g.get("key")}
    for index, agreement in enumerate(agreements):
        if agreement.get("goal_key") and str(agreement["goal_key"]) not in goal_keys:
            errors.append(
                DomainError(
                    _("Deze afspraak hoort bij een doel dat niet in het plan staat."),
                    field=f"agreements[{index}].goal_key",
                )
            )
    raise_all(errors)

    plan, _created = Plan.objects.get_or_create(**selectors.plan_filter(owner))
    updated = Plan.objects.filter(pk=plan.pk, version=expected_version).update(version=F("version") + 1)
    if updated != 1:
        raise DomainError(
            selectors.conflict_message(plan, expected_version, difference), field="version", code="conflict"
        )
    version = PlanVersion.objects.create(
        plan=plan,
        number=expected_version + 1,
        created_by=actor,
        review_on=review_on,
        agreed_on=agreed_on,
        agreed_how=agreed_how if agreed_on else "",
        change_note=change_note.strip(),
        pip_decided_on=pip["pip_decided_on"],
        ontzorgen_until=pip["ontzorgen_until"],
        **{name: str(pip[name] or "").strip() for name in ("learning_route", "map_intensity", "pvt_intensity")},
        pip_change_reason=pip["pip_change_reason"] or "",
    )
    Goal.objects.bulk_create(
        Goal(
            plan_version=version,
            position=position,
            **{k: v for k, v in goal.items() if k in {"key", "life_domain", "target_on", "status"} and v is not None},
            description=str(goal["description"]).strip(),
            member=members.get(str(goal.get("member") or "")),
        )
        for position, goal in enumerate(goals)
    )
    Agreement.objects.bulk_create(
        Agreement(
            plan_version=version,
            position=position,
            **{
                k: v
                for k, v in agreement.items()
                if k in {"key", "goal_key", "life_domain", "due_on", "look_back_on", "status"} and v
            },
            what=str(agreement["what"]).strip(),
            monitor=str(agreement["monitor"]).strip(),
            if_not_kept=str(agreement["if_not_kept"]).strip(),
        )
        for position, agreement in enumerate(agreements)
    )
    Plan.objects.filter(pk=plan.pk).update(current=version)
    touched.mark(
        participant.pk if participant is not None else None, *(m.pk for m in members.values()), written=touched.PLANS
    )
    return version


def _carry_over(
    owner: selectors.PlanOwner,
    goals: list[dict[str, Any]],
    agreements: list[dict[str, Any]],
    writable: frozenset[str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Refuse rows in a category the actor may not change (naming the field), and add the current
    version's rows of such categories unchanged: someone without a health grant who saves the plan
    neither sees nor loses its health goals."""
    current = selectors.as_mapping(selectors.current_plan(owner))
    kept_goals = [g for g in current["goals"] if rules.domain_category(g["life_domain"]) not in writable]
    kept_keys = {g["key"] for g in kept_goals}
    for index, goal in enumerate(goals):
        if rules.domain_category(str(goal.get("life_domain") or "")) not in writable:
            raise DomainError(_NOT_SHARED, field=f"goals[{index}].life_domain", code="not_shared")
        if goal.get("key") and str(goal["key"]) in kept_keys:
            raise DomainError(_NOT_SHARED, field=f"goals[{index}].key", code="not_shared")
    domains = {str(g["key"]): g["life_domain"] for g in [*goals, *kept_goals] if g.get("key")}
    current_domains = {g["key"]: g["life_domain"] for g in current["goals"]}

    def category(agreement: dict[str, Any], goal_domains: dict[str, str]) -> str:
        goal_key = str(agreement.get("goal_key") or "")
        return rules.agreement_category(str(agreement.get("life_domain") or ""), goal_domains.get(goal_key, ""))

    kept_agreements = [a for a in current["agreements"] if category(a, current_domains) not in writable]
    kept_agreement_keys = {a["key"] for a in kept_agreements}
    for index, agreement in enumerate(agreements):
        if category(agreement, domains) not in writable:
            raise DomainError(_NOT_SHARED, field=f"agreements[{index}].life_domain", code="not_shared")
        if agreement.get("key") and str(agreement["key"]) in kept_agreement_keys:
            raise DomainError(_NOT_SHARED, field=f"agreements[{index}].key", code="not_shared")
    return [*goals, *kept_goals], [*agreements, *kept_agreements]


_NOT_SHARED = _(
    "Gegevens van dit leefgebied zijn niet met u gedeeld: u kunt er geen doel of afspraak in vastleggen of wijzigen."
)


@transaction.atomic
def plan_agree_by_participant(*, participant: Participant, version_number: int, on: date) -> PlanVersion:
    """The participant agrees to the current version of their own plan, in their own view: recorded
    on that version (digitally confirmed, that day). An earlier version, or one already agreed to,
    is refused: the agreement belongs to the version the participant saw."""
    current = Plan.objects.filter(participant=participant).select_related("current").first()
    version = current.current if current is not None else None
    if version is None:
        raise DomainError(_("Er is nog geen plan om mee akkoord te gaan."), field="version")
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if version.number != version_number:
        raise DomainError(
            _("Uw plan is intussen gewijzigd. Lees de nieuwe versie en ga daarmee akkoord."),
            field="version",
            code="conflict",
        )
    if version.agreed_on is not None:
        raise DomainError(_("U ging al akkoord met deze versie van uw plan."), field="version")
    version.agreed_on = on
    version.agreed_how = "digitaal"
    version.save(update_fields=["agreed_on", "agreed_how"])
    touched.mark(participant.pk, written=touched.PLANS)
    return version
