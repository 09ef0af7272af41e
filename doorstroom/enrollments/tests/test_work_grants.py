"""Access that follows the work: a programme's approved data needs become sharing grants for the
organisation of whoever joins a participant's team in that role, and end with that work."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

import pytest

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.models import SharingGrant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.models import ProgrammeDataNeed
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory()
    partner.works_for.add(municipality)
    admin = UserFactory(role=Role.ADMINISTRATOR, organisation=municipality)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    privacy = UserFactory(role=Role.PRIVACY_OFFICER, organisation=municipality)
    coach = UserFactory(role=Role.COACH, organisation=partner)
    teacher = UserFactory(role=Role.TEACHER, organisation=OrganisationFactory())
    programme = ProgrammeFactory()
    participant = ParticipantFactory(municipality=municipality)
    return {
        "municipality": municipality,
        "partner": partner,
        "admin": admin,
        "director": director,
        "privacy": privacy,
        "coach": coach,
        "teacher": teacher,
        "programme": programme,
        "participant": participant,
    }


def approved(world, role="coach", categories=("plan", "notities", "metingen")):
    needs = services.data_need_propose(
        actor=world["admin"],
        programme=world["programme"],
        team_role=role,
        categories=list(categories),
        statute="participatiewet",
        reason="De begeleiding werkt aan het plan en legt contacten vast.",
    )
    for need in needs:
        services.data_need_decide(actor=world["privacy"], need=need, approve=True)
    return needs


def open_grants(participant, organisation):
    return set(
        SharingGrant.objects.filter(
            participant=participant, organisation=organisation, withdrawn_on__isnull=True
        ).values_list("category", flat=True)
    )


def enrol_and_assign(world, member, role="coach", days_ago=0):
    services.enrollment_enrol(
        participant=world["participant"],
        programme=world["programme"],
        actor=world["director"],
        referred_by=world["municipality"],
        on=clock.today(),
    )
    starts_on = clock.today() - timedelta(days=days_ago)
    return services.team_assign(participant=world["participant"], member=member, role=role, starts_on=starts_on)


def test_a_proposal_does_nothing_until_approved(world):
    services.data_need_propose(
        actor=world["admin"],
        programme=world["programme"],
        team_role="coach",
        categories=["plan"],
        statute="participatiewet",
        reason="Werkt aan het plan.",
    )
    enrol_and_assign(world, world["coach"])
    assert open_grants(world["participant"], world["partner"]) == set()
    assert not access.can(world["coach"], world["participant"], access.Action.VIEW, "plan")


def test_joining_the_team_in_the_role_records_ordinary_grants_for_the_organisation(world):
    approved(world)
    enrol_and_assign(world, world["coach"])
    assert open_grants(world["participant"], world["partner"]) == {"plan", "notities", "metingen"}
    grant = SharingGrant.objects.get(participant=world["participant"], category="plan")
    assert (grant.origin, grant.legal_basis, grant.recorded_by) == ("werk", "wettelijke_taak", world["privacy"])
    assert access.can(world["coach"], world["participant"], access.Action.CHANGE, "plan")
    # the rest still needs a decision or consent
    assert not access.can(world["coach"], world["participant"], access.Action.VIEW, "schulden")
    # the municipality sees the grants on the file like any other
    visible = access.sharing_grants_of(world["director"], world["participant"])
    assert {g.category for g in visible} == {"plan", "notities", "metingen"}


def test_the_order_does_not_matter_team_first_then_enrolment(world):
    approved(world)
    services.team_assign(participant=world["participant"], member=world["coach"], role="coach", starts_on=clock.today())
    assert open_grants(world["participant"], world["partner"]) == set()  # no programme yet
    services.enrollment_enrol(
        participant=world["participant"],
        programme=world["programme"],
        actor=world["director"],
        referred_by=world["municipality"],
        on=clock.today(),
    )
    assert open_grants(world["participant"], world["partner"]) == {"plan", "notities", "metingen"}


def test_only_the_role_the_need_names_gets_it(world):
    approved(world, role="coach")
    enrol_and_assign(world, world["teacher"], role="docent")
    assert open_grants(world["participant"], world["teacher"].organisation) == set()


def test_an_approval_reaches_those_already_on_a_team(world):
    enrol_and_assign(world, world["coach"])
    assert open_grants(world["participant"], world["partner"]) == set()
    approved(world, categories=("plan",))
    assert open_grants(world["participant"], world["partner"]) == {"plan"}


def test_the_grants_end_when_the_assignment_ends(world):
    approved(world)
    assignment = enrol_and_assign(world, world["coach"], days_ago=10)
    services.team_assignment_end(assignment=assignment, on=clock.today())
    # ends today: still running today, so the grants stay until the work is over
    assert open_grants(world["participant"], world["partner"]) == {"plan", "notities", "metingen"}
    assignment.refresh_from_db()
    services.team_assignment_end(assignment=assignment, on=clock.today() - timedelta(days=1))
    assert open_grants(world["participant"], world["partner"]) == set()
    ended = SharingGrant.objects.filter(participant=world["participant"], ending="werk_beeindigd")
    assert ended.count() == 3  # history stays


def test_a_withdrawn_grant_is_not_recreated_by_a_later_assignment(world):
    approved(world)
    enrol_and_assign(world, world["coach"])
    plan = SharingGrant.objects.get(participant=world["participant"], category="plan", withdrawn_on__isnull=True)
    participant_services.sharing_withdraw(grant=plan, by=world["director"])
    colleague = UserFactory(role=Role.COACH, organisation=world["partner"])
    services.team_assign(participant=world["participant"], member=colleague, role="coach", starts_on=clock.today())
    services.work_grants_sync([world["participant"].pk])
    assert open_grants(world["participant"], world["partner"]) == {"notities", "metingen"}
    assert not access.can(colleague, world["participant"], access.Action.VIEW, "plan")


def test_withdrawing_a_need_ends_its_grants(world):
    needs = approved(world, categories=("plan",))
    enrol_and_assign(world, world["coach"])
    services.data_need_withdraw(actor=world["director"], need=needs[0], note="Niet meer nodig.")
    assert open_grants(world["participant"], world["partner"]) == set()


def test_health_and_justice_are_never_a_programme_need(world):
    for category in ("gezondheid", "justitie"):
        with pytest.raises(DomainError) as refused:
            services.data_need_propose(
                actor=world["admin"],
                programme=world["programme"],
                team_role="coach",
                categories=["plan", category],
                statute="participatiewet",
                reason="x",
            )
        assert refused.value.field == "categories"
    assert not ProgrammeDataNeed.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database says so too
        ProgrammeDataNeed.objects.create(
            programme=world["programme"],
            municipality=world["municipality"],
            team_role="coach",
            category="gezondheid",
            statute="participatiewet",
            reason="x",
            proposed_by=world["admin"],
            proposed_at=timezone.now(),
        )


def test_who_proposes_and_who_decides(world):
    with pytest.raises(DomainError):
        services.data_need_propose(
            actor=world["director"],
            programme=world["programme"],
            team_role="coach",
            categories=["plan"],
            statute="participatiewet",
            reason="x",
        )
    (need,) = services.data_need_propose(
        actor=world["admin"],
        programme=world["programme"],
        team_role="coach",
        categories=["plan"],
        statute="participatiewet",
        reason="Werkt aan het plan.",
    )
    for not_a_decider in (world["admin"], world["coach"], UserFactory(role=Role.DIRECTOR)):
        with pytest.raises(DomainError):
            services.data_need_decide(actor=not_a_decider, need=need, approve=True)
    with pytest.raises(DomainError) as no_reason:
        services.data_need_decide(actor=world["director"], need=need, approve=False)
    assert no_reason.value.field == "note"
    services.data_need_decide(actor=world["director"], need=need, approve=False, note="Te ruim.")
    with pytest.raises(DomainError) as twice:
        services.data_need_decide(actor=world["privacy"], need=need, approve=True)
    assert twice.value.code == "conflict"


def test_the_sync_takes_the_same_queries_for_one_participant_or_many(world, django_assert_max_num_queries):
    approved(world)
    programme = world["programme"]
    people = [ParticipantFactory(municipality=world["municipality"]) for _ in range(30)]
    for person in people:
        services.enrollment_enrol(
            participant=person,
            programme=programme,
            actor=world["director"],
            referred_by=world["municipality"],
            on=clock.today(),
        )
        services.team_assign(participant=person, member=world["coach"], role="coach", starts_on=clock.today())
    SharingGrant.objects.all().delete()
    with django_assert_max_num_queries(9):
        created, ended = services.work_grants_sync([p.pk for p in people])
    assert (created, ended) == (90, 0)


def test_the_daily_refresh_ends_grants_of_work_ended_in_advance(world):
    from django.core.management import call_command

    approved(world)
    assignment = enrol_and_assign(world, world["coach"], days_ago=10)
    # an end date set in advance that has now passed (no team change since)
    type(assignment).objects.filter(pk=assignment.pk).update(ends_on=clock.today() - timedelta(days=1))
    assert open_grants(world["participant"], world["partner"]) == {"plan", "notities", "metingen"}
    call_command("werkdeling_bijwerken")
    assert open_grants(world["participant"], world["partner"]) == set()


def test_the_sync_of_a_later_day_sees_that_day_s_teams(world, monkeypatch):
    """The sync's queries are compiled once (core.prepared); one compiled yesterday must not
    decide with yesterday's date today."""
    approved(world)
    today = clock.today()
    assignment = enrol_and_assign(world, world["coach"], days_ago=10)
    type(assignment).objects.filter(pk=assignment.pk).update(ends_on=today)
    services.work_grants_sync([world["participant"].pk])  # compiled today: the work still runs
    assert open_grants(world["participant"], world["partner"]) == {"plan", "notities", "metingen"}
    monkeypatch.setattr(clock, "today", lambda: today + timedelta(days=1))
    services.work_grants_sync([world["participant"].pk])
    assert open_grants(world["participant"], world["partner"]) == set()


@pytest.mark.parametrize("actor", ["director", "coach"])
def test_a_new_file_starts_with_its_registrar_on_the_team_and_nothing_for_the_grants_to_do(world, actor):
    """`participant_take_on` skips `team_assign`'s look for overlapping regisseurs and its grant
    sync (a file made a moment ago has neither team nor enrollment): what it leaves must be what
    `team_assign` would have left, so a sync afterwards changes nothing, even with approved needs."""
    approved(world, role="coach")
    member = world[actor]
    participant = services.participant_take_on(
        actor=member,
        municipality=world["municipality"],
        data={"given_name": "Nieuw", "family_name": "Dossier", "date_of_birth": date(1990, 1, 2), "bsn": "111222333"},
    )
    (assignment,) = participant.team.all()
    assert (assignment.member, assignment.organisation, assignment.starts_on, assignment.ends_on) == (
        member,
        member.organisation,
        clock.today(),
        None,
    )
    assert assignment.role == ("regisseur" if actor == "director" else "coach")
    assert services.work_grants_sync([participant.pk]) == (0, 0)
    # the same enrolment then grants what the approved need covers, as for any file
    services.enrollment_enrol(
        participant=participant,
        programme=world["programme"],
        actor=world["director"],
        referred_by=world["municipality"],
        on=clock.today(),
    )
    assert open_grants(participant, member.organisation) == (
        set() if actor == "director" else {"plan", "notities", "metingen"}
    )


def test_taking_on_refuses_a_registrar_without_an_organisation(world):
    loose = UserFactory(role=Role.COACH, organisation=None)
    # a caller that goes on after a refusal gives the take-on its own atomic block, as the views do
    with pytest.raises(DomainError) as refused, transaction.atomic():
        services.participant_take_on(
            actor=loose,
            municipality=world["municipality"],
            data={"given_name": "Nieuw", "family_name": "Dossier", "date_of_birth": date(1990, 1, 2)},
        )
    assert refused.value.field == "member"
    assert not participant_services.Participant.objects.filter(given_name="Nieuw").exists()
