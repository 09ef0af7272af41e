"""Referring a participant to another organisation, and that organisation's answer. An accepted
referral puts the chosen colleague on the participant's team; the referral row keeps who decided
what and when, and a second answer to the same referral is refused as a conflict."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from doorstroom.core.errors import DomainError
from doorstroom.core.messages import _
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.services import team_assign
from doorstroom.organisations.models import Organisation, Role, User
from doorstroom.participants.models import Participant

from . import rules, selectors
from .models import Referral


def team_role_for(member: User) -> str:
    """The part a colleague who takes a participant on plays in the team, from their own role."""
    roles: dict[str, str] = {
        Role.TEACHER: TeamRole.TEACHER,
        Role.JOBCOACH: TeamRole.JOBCOACH,
        Role.INTERMEDIARY: TeamRole.INTERMEDIARY,
    }
    return roles.get(member.role, TeamRole.COACH)


def _first(problems: dict[str, str]) -> None:
    if problems:
        name = sorted(problems)[0]
        raise DomainError(problems[name], field=name)


@transaction.atomic
def referral_create(
    *, participant: Participant, actor: User, to_organisation: Organisation, reason: str, today: date
) -> Referral:
    if actor.organisation_id is None:
        raise DomainError(_("U hoort bij geen organisatie en kunt niet aanmelden."), field="to_organisation")
    if to_organisation.pk == actor.organisation_id:
        raise DomainError(_("Kies een andere organisatie dan uw eigen."), field="to_organisation")
    _first(rules.reason_problems(reason))
    if not selectors.consent_holds(participant, to_organisation, today):
        raise DomainError(
            _(
                "De deelnemer heeft geen toestemming vastgelegd om programma en fase te delen met %(organisation)s. "
                "Leg die toestemming eerst vast bij Gegevens delen.",
                organisation=str(to_organisation),
            ),
            field="to_organisation",
        )
    if Referral.objects.filter(participant=participant, to_organisation=to_organisation, state=rules.PENDING).exists():
        raise DomainError(_("Bij deze organisatie staat al een aanmelding open."), field="to_organisation")
    return Referral.objects.create(
        participant=participant,
        from_organisation_id=actor.organisation_id,
        to_organisation=to_organisation,
        reason=reason.strip(),
        created_by=actor,
    )


def _already_answered(referral: Referral) -> DomainError:
    current = Referral.objects.select_related("decided_by").get(pk=referral.pk)
    who = current.decided_by.get_full_name() if current.decided_by else "Iemand"
    when = timezone.localtime(current.decided_at).strftime("%d-%m-%Y %H:%M") if current.decided_at else ""
    state = rules.STATES[current.state].lower()
    return DomainError(
        _("Deze aanmelding is al beantwoord: %(state)s door %(who)s (%(when)s).", state=state, who=who, when=when),
        code="conflict",
    )


@transaction.atomic
def referral_decide(
    *,
    referral: Referral,
    actor: User,
    accept: bool,
    today: date,
    assignee: User | None = None,
    decline_reason: str = "",
    note: str = "",
) -> Referral:
    """Accept (the assignee, or the actor, joins the team) or decline with a reason."""
    if actor.organisation_id != referral.to_organisation_id:
        raise DomainError(_("Alleen de organisatie die de aanmelding kreeg, kan die beantwoorden."))
    _first(rules.decision_problems(accept=accept, decline_reason=decline_reason, note=note))
    if not selectors.consent_holds(referral.participant, referral.to_organisation, today):
        raise DomainError(_("De deelnemer heeft de toestemming om gegevens te delen ingetrokken."))
    member = assignee or actor
    if accept and member not in selectors.assignees_for(referral):
        raise DomainError(
            _("Kies een collega van uw organisatie die de deelnemer gaat begeleiden."), field="assigned_to"
        )
    updated = Referral.objects.filter(pk=referral.pk, state=rules.PENDING).update(
        state=rules.ACCEPTED if accept else rules.DECLINED,
        decided_by=actor,
        decided_at=timezone.now(),
        decline_reason="" if accept else decline_reason,
        assigned_to=member if accept else None,
    )
    if updated != 1:
        raise _already_answered(referral)
    referral.refresh_from_db()
    referral.decision_note = note.strip()
    referral.save(update_fields=["decision_note"])
    if accept:
        team_assign(participant=referral.participant, member=member, role=team_role_for(member), starts_on=today)
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral, actor: User) -> Referral:
    """The referring organisation takes back a referral that has not been answered yet."""
    if actor.organisation_id != referral.from_organisation_id:
        raise DomainError(_("Alleen de organisatie die aanmeldde, kan de aanmelding intrekken."))
    updated = Referral.objects.filter(pk=referral.pk, state=rules.PENDING).update(
        state=rules.WITHDRAWN, decided_by=actor, decided_at=timezone.now()
    )
    if updated != 1:
        raise _already_answered(referral)
    referral.refresh_from_db()
    return referral
