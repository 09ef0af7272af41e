"""Saving a plan: every save is a new version with its goals and agreements; refused with a clear
conflict when someone else saved since the version the user opened."""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F

from doorstroom.core import clock
from doorstroom.core.errors import DomainError
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
) -> PlanVersion:
    """Save a new version of a participant's plan, or of a household's plan (give one of the two).

    Errors name the field: `goals[i].<field>`, `agreements[i].<field>`, `review_on`, `agreed_how`,
    a PIP field (`learning_route`, …), and `version` (code conflict) when someone else saved in
    between. `pip` holds the PIP part (Wet inburgering) for a participant with an integration duty;
    a household plan has no PIP (that stays with the member's own plan), and each of its goals
    names the member (`goals[i].member`, a participant id) it is for."""
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
    problems = rules.pip_problems(
        pip,
        has_duty=participant is not None and participant.civic_integration_duty,
        may_be_relieved=participant is not None and selectors.may_be_relieved(participant),
        previous=previous,
        first_decided_on=first_decided_on,
        today=clock.today(),
    )
    if problems:
        name = min(problems, key=rules.PIP_FIELDS.index)
        raise DomainError(problems[name], field=name)
    for index, goal in enumerate(goals):
        goal_start = started_on
        if household is not None:
            member = str(goal.get("member") or "")
            if member not in members:
                raise DomainError(_("Kies voor wie in het huishouden dit doel is."), field=f"goals[{index}].member")
            goal_start = starts[member]
        problems = rules.goal_problems(goal, started_on=goal_start)
        if problems:
            name = sorted(problems)[0]
            raise DomainError(problems[name], field=f"goals[{index}].{name}")
    for index, agreement in enumerate(agreements):
        problems = rules.agreement_problems(agreement, started_on=started_on)
        if problems:
            name = sorted(problems)[0]
            raise DomainError(problems[name], field=f"agreements[{index}].{name}")
    if review_on is not None and started_on is not None and review_on < started_on:
        raise DomainError(_("De evaluatiedatum ligt voor het begin van het traject."), field="review_on")
    if agreed_how and agreed_how not in AgreementWay.values:
        raise DomainError(_("Kies hoe de deelnemer akkoord gaf."), field="agreed_how")
    if agreed_on is not None and not agreed_how:
        raise DomainError(_("Geef aan hoe de deelnemer akkoord gaf."), field="agreed_how")
    if agreed_on is not None and agreed_on > clock.today():
        raise DomainError(_("Het akkoord kan niet in de toekomst liggen."), field="agreed_on")
    if len(change_note) > 300:
        raise DomainError(_("Houd dit korter dan 300 tekens."), field="change_note")
    goal_keys = {str(g.get("key")) for g in goals if g.get("key")}
    for index, agreement in enumerate(agreements):
        if agreement.get("goal_key") and str(agreement["goal_key"]) not in goal_keys:
            raise DomainError(
                _("Deze afspraak hoort bij een doel dat niet in het plan staat."), field=f"agreements[{index}].goal_key"
            )

    owner: selectors.PlanOwner = household if household is not None else participant  # type: ignore[assignment]
    plan, _created = Plan.objects.get_or_create(**selectors.plan_filter(owner))
    updated = Plan.objects.filter(pk=plan.pk, version=expected_version).update(version=F("version") + 1)
    if updated != 1:
        raise DomainError(selectors.conflict_message(plan, expected_version), field="version", code="conflict")
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
                k: v for k, v in agreement.items() if k in {"key", "goal_key", "due_on", "look_back_on", "status"} and v
            },
            what=str(agreement["what"]).strip(),
            monitor=str(agreement["monitor"]).strip(),
            if_not_kept=str(agreement["if_not_kept"]).strip(),
        )
        for position, agreement in enumerate(agreements)
    )
    Plan.objects.filter(pk=plan.pk).update(current=version)
    return version
