"""The one door to personal data: who may see and change which participants and enrollments.

Every view, export and API endpoint gets its querysets and objects from here; nothing else filters
participants by role or organisation. The decision has three inputs (role, the user's organisation,
the user's involvement in the participant's team); consent and data categories come on top of this
in the privacy work. There is deliberately no superuser shortcut: a superuser without a role sees no
case content.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from django_htmx.middleware import HtmxDetails

from doorstroom.core import clock
from doorstroom.enrollments.models import Enrollment, TeamAssignment
from doorstroom.organisations.models import Organisation, OrganisationKind, Region, Role, User
from doorstroom.participants.models import Household, Participant
from doorstroom.programmes.models import Programme


class AuthenticatedRequest(HttpRequest):
    """What a view behind login_required receives (for type checking)."""

    user: User
    htmx: HtmxDetails


def authenticated_user(user: object) -> User:
    """The logged-in user of an API request; anything else is refused."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"


#: Roles that work on individual cases and are granted access through a team assignment.
TEAM_ROLES = frozenset({Role.COACH, Role.TEACHER, Role.JOBCOACH, Role.INTERMEDIARY})
#: Roles that may see the BSN (a task need under the Wabb); never intermediaries or employers.
BSN_ROLES = frozenset({Role.DIRECTOR, Role.COACH, Role.TEAM_LEAD})
#: Roles that may register new participants.
REGISTERING_ROLES = frozenset({Role.DIRECTOR, Role.COACH})


@dataclass(frozen=True)
class Involvement:
    """What the policy needs to know about one user and one participant."""

    personally_involved: bool  # the user has a team assignment that runs today
    organisation_involved: bool  # someone of the user's organisation has such an assignment
    in_served_municipality: bool  # the participant belongs to a municipality the user's municipality serves
    is_own_file: bool  # the participant is the user


def decide(role: str, involvement: Involvement, action: Action) -> bool:
    """The policy as a plain decision table; the querysets below must agree with it (tested)."""
    if role == Role.PARTICIPANT:
        return involvement.is_own_file and action == Action.VIEW
    if role == Role.DIRECTOR:
        return involvement.personally_involved or involvement.in_served_municipality
    if role in TEAM_ROLES:
        return involvement.personally_involved
    if role == Role.TEAM_LEAD:
        if action == Action.VIEW:
            return involvement.personally_involved or involvement.organisation_involved
        return involvement.personally_involved
    return False


def served_municipality_ids(user: User) -> set[int]:
    """Municipalities whose residents a municipal user works for: their own, plus those their
    municipality executes for as a region's centre."""
    org = user.organisation
    if org is None or org.kind != OrganisationKind.MUNICIPALITY:
        return set()
    executed = Region.objects.filter(centre=org).values_list("executes_for", flat=True)
    return {org.pk} | {pk for pk in executed if pk is not None}


def _active_assignments(today: date) -> QuerySet[TeamAssignment]:
    return TeamAssignment.objects.filter(participant=OuterRef("pk"), starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def _scope(user: User, action: Action) -> QuerySet[Participant]:
    none = Participant.objects.none()
    if not user.is_authenticated or not user.is_active:
        return none
    role = user.role
    today = clock.today()
    personally = Exists(_active_assignments(today).filter(member_id=user.pk))
    if role == Role.PARTICIPANT:
        return Participant.objects.filter(account_id=user.pk) if action == Action.VIEW else none
    if role == Role.DIRECTOR:
        return Participant.objects.filter(personally | Q(municipality_id__in=served_municipality_ids(user)))
    if role in TEAM_ROLES:
        return Participant.objects.filter(personally)
    if role == Role.TEAM_LEAD:
        if action == Action.VIEW and user.organisation_id is not None:
            organisation = Exists(_active_assignments(today).filter(organisation_id=user.organisation_id))
            return Participant.objects.filter(personally | organisation)
        return Participant.objects.filter(personally)
    return none


def participants_visible_to(user: User) -> QuerySet[Participant]:
    return _scope(user, Action.VIEW)


def participants_changeable_by(user: User) -> QuerySet[Participant]:
    return _scope(user, Action.CHANGE)


def participants_on_caseload(user: User) -> QuerySet[Participant]:
    """'Mijn deelnemers': those the user is on the team of today; for a team lead, their
    organisation's caseload."""
    today = clock.today()
    scope = participants_visible_to(user)
    if user.role == Role.TEAM_LEAD and user.organisation_id is not None:
        return scope.filter(Exists(_active_assignments(today).filter(organisation_id=user.organisation_id)))
    return scope.filter(Exists(_active_assignments(today).filter(member_id=user.pk)))


def enrollments_visible_to(user: User) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(participant__in=participants_visible_to(user))


def require_participant(user: User, participant_uuid: UUID | str, action: Action = Action.VIEW) -> Participant:
    """The participant, or 404 when the user may not see it (its existence is not revealed), or
    403 when the user may see it but not do `action`."""
    try:
        participant = participants_visible_to(user).select_related("municipality").get(uuid=participant_uuid)
    except (Participant.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing
    if action == Action.CHANGE and not participants_changeable_by(user).filter(pk=participant.pk).exists():
        raise PermissionDenied
    return participant


def require_enrollment(user: User, enrollment_uuid: UUID | str, action: Action = Action.VIEW) -> Enrollment:
    try:
        enrollment = (
            enrollments_visible_to(user)
            .select_related("participant", "programme", "current_phase")
            .get(uuid=enrollment_uuid)
        )
    except (Enrollment.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing
    if action == Action.CHANGE and not participants_changeable_by(user).filter(pk=enrollment.participant_id).exists():
        raise PermissionDenied
    return enrollment


def involvement_of(user: User, participant: Participant) -> Involvement:
    """The facts for `decide`, read one by one (used for single decisions and by the matrix test)."""
    today = clock.today()
    active = TeamAssignment.objects.filter(participant=participant, starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    return Involvement(
        personally_involved=active.filter(member_id=user.pk).exists(),
        organisation_involved=user.organisation_id is not None
        and active.filter(organisation_id=user.organisation_id).exists(),
        in_served_municipality=participant.municipality_id in served_municipality_ids(user),
        is_own_file=participant.account_id is not None and participant.account_id == user.pk,
    )


def can(user: User, participant: Participant, action: Action) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return decide(user.role, involvement_of(user, participant), action)


def can_see_bsn(user: User, participant: Participant | None = None) -> bool:
    if participant is not None and user.role == Role.PARTICIPANT:
        return participant.account_id == user.pk
    return user.role in BSN_ROLES


def can_search(user: User) -> bool:
    return user.role in {Role.DIRECTOR, Role.COACH, Role.TEAM_LEAD, *TEAM_ROLES}


def can_manage_team(user: User, participant: Participant) -> bool:
    return user.role == Role.DIRECTOR and can(user, participant, Action.CHANGE)


def municipalities_for_registration(user: User) -> QuerySet[Organisation]:
    """Municipalities a user may register a new participant for."""
    if user.role not in REGISTERING_ROLES or user.organisation is None:
        return Organisation.objects.none()
    if user.role == Role.DIRECTOR:
        return Organisation.objects.filter(pk__in=served_municipality_ids(user))
    org = user.organisation
    if org.kind == OrganisationKind.MUNICIPALITY:
        return Organisation.objects.filter(pk=org.pk)
    return org.works_for.all()


def team_candidates(participant: Participant) -> QuerySet[User]:
    """Staff who may join a participant's team: the municipality's and its contracted partners'."""
    organisations = Organisation.objects.filter(
        Q(pk=participant.municipality_id) | Q(works_for=participant.municipality_id)
    )
    return User.objects.filter(
        is_active=True,
        organisation__in=organisations,
        role__in=[Role.DIRECTOR, *TEAM_ROLES],
    ).select_related("organisation")


def programmes_usable_by(user: User) -> QuerySet[Programme]:
    """Programmes are not personal data: shared templates plus those of municipalities the user works for."""
    org = user.organisation
    if org is None:
        return Programme.objects.filter(municipality__isnull=True, is_active=True)
    served = served_municipality_ids(user) | set(org.works_for.values_list("pk", flat=True))
    return Programme.objects.filter(Q(municipality__isnull=True) | Q(municipality_id__in=served), is_active=True)


def split_by_visibility(user: User, participant_ids: list[int]) -> tuple[list[Participant], int]:
    """For the duplicate warning: the matches this user may open, and how many others exist."""
    visible = list(participants_visible_to(user).filter(pk__in=participant_ids))
    return visible, len(set(participant_ids)) - len(visible)


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """Organisations are not personal data: every logged-in user sees the list."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.order_by("name")


def own_file_of(user: User) -> Participant | None:
    """The participant file of a user with the participant role, if any."""
    if user.role != Role.PARTICIPANT:
        return None
    return participants_visible_to(user).first()


def referrers_for(participant: Participant) -> QuerySet[Organisation]:
    """Organisations that can refer this participant: the municipality and its contracted partners."""
    return Organisation.objects.filter(
        Q(pk=participant.municipality_id) | Q(works_for=participant.municipality_id)
    ).distinct()


def households_joinable(user: User, participant: Participant) -> QuerySet[Household]:
    """Households of the participant's municipality with at least one member the user may see."""
    return Household.objects.filter(
        municipality_id=participant.municipality_id,
        members__participant__in=participants_visible_to(user),
    ).distinct()
