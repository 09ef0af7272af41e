"""Role x {own, other organisation} x {involved, not involved} x {view, change}, against a table
written by hand (the oracle), not derived from the policy code. Both the single decision (`can`) and
the querysets (`participants_visible_to`, `participants_changeable_by`) must give the oracle's answer.
"""

import itertools
from datetime import date

import pytest

from doorstroom.access import policy as access
from doorstroom.access.policy import Action
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import OrganisationKind, Role
from doorstroom.organisations.tests.factories import OrganisationFactory, RegionFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

OWN, OTHER = "own", "other"
INVOLVED, NOT_INVOLVED = True, False
V, C = Action.VIEW, Action.CHANGE
ALL = {(o, i, a) for o in (OWN, OTHER) for i in (INVOLVED, NOT_INVOLVED) for a in (V, C)}
INVOLVED_ONLY = {(o, INVOLVED, a) for o in (OWN, OTHER) for a in (V, C)}

#: What each role may do. Reviewed by hand against the product brief's "what they may see".
ORACLE: dict[str, set[tuple[str, bool, Action]]] = {
    Role.DIRECTOR: {
        (OWN, INVOLVED, V),
        (OWN, INVOLVED, C),
        (OWN, NOT_INVOLVED, V),
        (OWN, NOT_INVOLVED, C),
        (OTHER, INVOLVED, V),
        (OTHER, INVOLVED, C),
    },
    Role.COACH: INVOLVED_ONLY,
    Role.TEACHER: INVOLVED_ONLY,
    Role.JOBCOACH: INVOLVED_ONLY,
    Role.INTERMEDIARY: INVOLVED_ONLY,
    Role.TEAM_LEAD: {
        (OWN, INVOLVED, V),
        (OWN, INVOLVED, C),
        (OWN, NOT_INVOLVED, V),
        (OTHER, INVOLVED, V),
        (OTHER, INVOLVED, C),
    },
    Role.PARTICIPANT: {(OWN, INVOLVED, V), (OTHER, INVOLVED, V)},  # "involved" = it is their own file
    Role.EMPLOYER: set(),
    Role.PROJECT_LEADER: set(),
    Role.EVALUATOR: set(),
    Role.ADMINISTRATOR: set(),
    Role.PRIVACY_OFFICER: set(),
    Role.RECORDS_MANAGER: set(),
    Role.USER_ADMINISTRATOR: set(),
}
MUNICIPAL_ROLES = {
    Role.DIRECTOR,
    Role.USER_ADMINISTRATOR,
    Role.PROJECT_LEADER,
    Role.ADMINISTRATOR,
    Role.PRIVACY_OFFICER,
    Role.RECORDS_MANAGER,
    Role.PARTICIPANT,
}

CASES = list(itertools.product(sorted(ORACLE), (OWN, OTHER), (INVOLVED, NOT_INVOLVED), (V, C)))


def test_the_oracle_covers_every_role():
    assert set(ORACLE) == set(Role.values)


def build_case(role: str, organisation: str, involved: bool):
    """A user of `role` and one participant related to them as the case says."""
    home = OrganisationFactory(municipality=True)
    elsewhere = OrganisationFactory(municipality=True)
    if role in MUNICIPAL_ROLES:
        user_org = home
    else:
        user_org = OrganisationFactory(kind=OrganisationKind.REINTEGRATION)
        user_org.works_for.add(home)
    user = UserFactory(role=role, organisation=user_org)
    outsider_org = OrganisationFactory()
    participant = ParticipantFactory(municipality=home if organisation == OWN else elsewhere)
    if organisation == OWN:
        TeamAssignmentFactory(participant=participant, member=UserFactory(organisation=user_org, role=Role.COACH))
    else:
        TeamAssignmentFactory(participant=participant, member=UserFactory(organisation=outsider_org))
    if involved:
        if role == Role.PARTICIPANT:
            participant.account = user
            participant.save()
        else:
            TeamAssignmentFactory(
                participant=participant,
                member=user,
                role=TeamRole.DIRECTOR if role == Role.DIRECTOR else TeamRole.COACH,
            )
    return user, participant


@pytest.mark.django_db
@pytest.mark.parametrize("role, organisation, involved, action", CASES)
def test_policy_matrix(role, organisation, involved, action):
    user, participant = build_case(role, organisation, involved)
    expected = (organisation, involved, action) in ORACLE[role]
    assert access.can(user, participant, action) is expected
    scope = access.participants_visible_to(user) if action == V else access.participants_changeable_by(user)
    assert scope.filter(pk=participant.pk).exists() is expected


@pytest.mark.django_db
def test_an_ended_team_assignment_no_longer_grants_access():
    user = UserFactory(role=Role.COACH)
    participant = ParticipantFactory()
    assignment = TeamAssignmentFactory(participant=participant, member=user)
    assert access.can(user, participant, V)
    assignment.ends_on = date(2021, 1, 1)
    assignment.save()
    assert not access.can(user, participant, V)
    assert not access.participants_visible_to(user).exists()


@pytest.mark.django_db
def test_a_centre_municipality_sees_only_the_municipalities_it_executes_for():
    region = RegionFactory()
    executed = OrganisationFactory(municipality=True)
    member_only = OrganisationFactory(municipality=True)
    region.members.set([region.centre, executed, member_only])
    region.executes_for.set([executed])
    centre_director = UserFactory(role=Role.DIRECTOR, organisation=region.centre)
    member_director = UserFactory(role=Role.DIRECTOR, organisation=executed)
    in_executed = ParticipantFactory(municipality=executed)
    in_member_only = ParticipantFactory(municipality=member_only)
    in_centre = ParticipantFactory(municipality=region.centre)
    visible = set(access.participants_visible_to(centre_director))
    assert visible == {in_executed, in_centre}
    assert in_member_only not in visible
    assert set(access.participants_visible_to(member_director)) == {in_executed}


@pytest.mark.django_db
def test_a_superuser_without_a_case_role_sees_no_case_content():
    admin = UserFactory(role=Role.ADMINISTRATOR, is_superuser=True, is_staff=True)
    TeamAssignmentFactory(member=UserFactory())
    assert not access.participants_visible_to(admin).exists()
    assert not access.enrollments_visible_to(admin).exists()


@pytest.mark.django_db
def test_an_inactive_user_sees_nothing():
    user = UserFactory(role=Role.COACH, is_active=False)
    TeamAssignmentFactory(member=user)
    assert not access.participants_visible_to(user).exists()
