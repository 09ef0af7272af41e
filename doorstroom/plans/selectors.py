"""Reading plans: the current version, every version, and the readable difference between two."""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from doorstroom.core.messages import _
from doorstroom.participants.models import BenefitStatus, Household, Participant, ResidenceStatus

from . import rules
from .models import Agreement, Goal, Plan, PlanVersion

PlanOwner = Participant | Household


def plan_filter(owner: PlanOwner) -> dict[str, Any]:
    """How a plan is found: a participant's own plan, or a household's plan."""
    return {"household": owner} if isinstance(owner, Household) else {"participant": owner}


def versions_of(owner: PlanOwner) -> QuerySet[PlanVersion]:
    return (
        PlanVersion.objects.filter(**{f"plan__{k}": v for k, v in plan_filter(owner).items()})
        .select_related("created_by")
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.select_related("member").order_by("position", "id")),
            Prefetch("agreements", queryset=Agreement.objects.order_by("position", "id")),
        )
        .order_by("-number")
    )


def current_plan(owner: PlanOwner) -> PlanVersion | None:
    return versions_of(owner).first()


def household_plans_of(participant: Participant) -> QuerySet[Household]:
    """The households this participant belongs to, with whether each has a plan (for links)."""
    return Household.objects.filter(members__participant=participant).select_related("plan").order_by("name")


def pip_decisions(participant: Participant) -> tuple[dict[str, Any] | None, date | None]:
    """The PIP of the latest version that was a decision, and the date of the first decision
    (which fixes the start of the integration term)."""
    decided = PlanVersion.objects.filter(plan__participant=participant, pip_decided_on__isnull=False)
    latest = decided.order_by("-number").values(*rules.PIP_FIELDS).first()
    first = decided.order_by("number").values_list("pip_decided_on", flat=True).first()
    return latest, first


def latest_pip(participant: Participant) -> dict[str, Any] | None:
    """The PIP as last decided, with readable labels (for the plan page and its PDF)."""
    latest, _first = pip_decisions(participant)
    if latest is None:
        return None
    return {
        **latest,
        "learning_route_label": rules.LEARNING_ROUTES.get(latest["learning_route"] or "", ""),
        "pip_change_reason_label": rules.PIP_CHANGE_REASONS.get(latest["pip_change_reason"] or "", ""),
    }


def integration_term_of(participant: Participant) -> dict[str, date] | None:
    _, first = pip_decisions(participant)
    return rules.integration_term(first) if first else None


def may_be_relieved(participant: Participant) -> bool:
    """Ontzorgen (art. 56a Participatiewet) is for asylum status holders on social assistance."""
    return (
        participant.residence_status == ResidenceStatus.ASYLUM_PERMIT
        and participant.benefit_status == BenefitStatus.SOCIAL_ASSISTANCE
    )


def as_mapping(
    version: PlanVersion | None, *, goals: Iterable[Goal] | None = None, agreements: Iterable[Agreement] | None = None
) -> dict[str, Any]:
    """A version as plain values (what `rules.difference` and the edit form use); with `goals`
    and `agreements`, only those rows (the ones a reader may see)."""
    if version is None:
        return {"review_on": None, "agreed_on": None, "goals": [], "agreements": []} | dict.fromkeys(rules.PIP_FIELDS)
    return {
        "review_on": version.review_on,
        "agreed_on": version.agreed_on,
        **{name: getattr(version, name) or None for name in rules.PIP_FIELDS},
        "goals": [
            {
                "key": str(g.key),
                "member": str(g.member.uuid) if g.member else "",
                "member_name": g.member.given_name if g.member else "",
                "life_domain": g.life_domain,
                "description": g.description,
                "target_on": g.target_on,
                "status": g.status,
            }
            for g in (version.goals.all() if goals is None else goals)
        ],
        "agreements": [
            {
                "key": str(a.key),
                "goal_key": str(a.goal_key) if a.goal_key else "",
                "life_domain": a.life_domain,
                "what": a.what,
                "due_on": a.due_on,
                "monitor": a.monitor,
                "if_not_kept": a.if_not_kept,
                "look_back_on": a.look_back_on,
                "status": a.status,
            }
            for a in (version.agreements.all() if agreements is None else agreements)
        ],
    }


def difference_between(owner: PlanOwner, older: int, newer: int) -> list[str]:
    """The whole difference, for internal use (the access layer shows a reader's part of it)."""
    versions = {v.number: v for v in versions_of(owner).filter(number__in=[older, newer])}
    return rules.difference(as_mapping(versions.get(older)), as_mapping(versions.get(newer)))


def conflict_message(
    plan: Plan, expected_version: int, difference: Callable[[int, int], list[str]] | None = None
) -> str:
    """Who saved since the version the user opened, when, and what changed (`difference` gives
    the lines this user may see; by default all of them)."""
    message = _("Iemand anders heeft het plan intussen opgeslagen. Uw wijzigingen zijn niet opgeslagen.")
    newer = list(
        PlanVersion.objects.filter(plan=plan, number__gt=expected_version)
        .select_related("created_by")
        .order_by("number")
    )
    if not newer:
        return message
    last = newer[-1]
    who = last.created_by.get_full_name() or last.created_by.get_username()
    when = timezone.localtime(last.created_at).strftime("%d-%m-%Y %H:%M")
    owner: PlanOwner | None = plan.household or plan.participant
    assert owner is not None  # a database constraint: one of the two
    changes = (difference or (lambda a, b: difference_between(owner, a, b)))(expected_version, last.number)
    summary = "; ".join(changes[:5]) if changes else _("geen wijziging die u kunt zien")
    return _(
        "%(message)s %(who)s sloeg versie %(number)s op (%(when)s): %(summary)s. "
        "Open het plan opnieuw en voer uw wijziging nog eens in.",
        message=message,
        who=who,
        number=last.number,
        when=when,
        summary=summary,
    )
