"""Exactly one director (regisseur) at a time, per participant and per household; handing over
direction keeps history."""

from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services
from doorstroom.enrollments.models import TeamAssignment, TeamRole
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    anna = UserFactory(role=Role.DIRECTOR, organisation=municipality, first_name="Anna", last_name="Regie")
    bram = UserFactory(role=Role.DIRECTOR, organisation=municipality, first_name="Bram", last_name="Regie")
    mother = ParticipantFactory(municipality=municipality)
    child = ParticipantFactory(municipality=municipality)
    member = participant_services.household_add_member(participant=mother, relation="ouder")
    participant_services.household_add_member(participant=child, relation="kind", household=member.household)
    services.team_assign(participant=mother, member=anna, role=TeamRole.DIRECTOR, starts_on=TODAY - timedelta(days=100))
    return {"anna": anna, "bram": bram, "mother": mother, "child": child}


def test_a_second_director_in_the_same_period_is_refused(world):
    with pytest.raises(DomainError) as error:
        services.team_assign(participant=world["mother"], member=world["bram"], role=TeamRole.DIRECTOR, starts_on=TODAY)
    assert error.value.field == "starts_on"
    later = services.team_assign(
        participant=world["mother"], member=world["anna"], role=TeamRole.COACH, starts_on=TODAY
    )
    assert later.role == TeamRole.COACH  # coaches are not limited


def test_one_family_one_director(world):
    with pytest.raises(DomainError) as error:
        services.team_assign(participant=world["child"], member=world["bram"], role=TeamRole.DIRECTOR, starts_on=TODAY)
    assert error.value.field == "member" and "Anna Regie" in error.value.message
    services.team_assign(participant=world["child"], member=world["anna"], role=TeamRole.DIRECTOR, starts_on=TODAY)


def test_a_handover_moves_the_whole_household_and_keeps_history(world):
    services.team_assign(
        participant=world["child"], member=world["anna"], role=TeamRole.DIRECTOR, starts_on=TODAY - timedelta(days=10)
    )
    services.director_handover(participant=world["mother"], new_director=world["bram"], on=TODAY)
    for person in (world["mother"], world["child"]):
        rows = list(TeamAssignment.objects.filter(participant=person, role=TeamRole.DIRECTOR).order_by("starts_on"))
        assert [(r.member, r.ends_on) for r in rows] == [
            (world["anna"], TODAY - timedelta(days=1)),
            (world["bram"], None),
        ]
    with pytest.raises(DomainError) as error:
        services.director_handover(participant=world["child"], new_director=world["bram"], on=TODAY)
    assert error.value.field == "new_director"


def test_the_database_refuses_two_open_ended_directors(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        TeamAssignment.objects.create(
            participant=world["mother"],
            member=world["bram"],
            organisation=world["bram"].organisation,
            role=TeamRole.DIRECTOR,
            starts_on=TODAY,
        )


def test_the_handover_page(client, world):
    client.force_login(world["anna"])
    url = f"/deelnemers/{world['mother'].uuid}/regie/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"new_director": world["bram"].pk, "on": TODAY.isoformat()})
    assert response.status_code == 302
    assert TeamAssignment.objects.filter(participant=world["child"], member=world["bram"], ends_on=None).exists()
    client.force_login(UserFactory(role=Role.COACH))
    assert client.get(url).status_code == 404


def test_a_team_lead_moves_a_leaving_coachs_caseload_in_one_action(client):
    partner = OrganisationFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, organisation=partner)
    leaving = UserFactory(role=Role.COACH, organisation=partner)
    taking = UserFactory(role=Role.COACH, organisation=partner)
    people = [ParticipantFactory() for _ in range(3)]
    for person in people:
        services.team_assign(
            participant=person, member=leaving, role=TeamRole.COACH, starts_on=TODAY - timedelta(days=50)
        )
    client.force_login(lead)
    page = client.get(f"/team/caseload-overdragen/?leaving={leaving.pk}").content.decode()
    assert all(p.family_name in page for p in people)
    response = client.post(
        "/team/caseload-overdragen/",
        {
            "leaving": leaving.pk,
            "taking_over": taking.pk,
            "on": TODAY.isoformat(),
            "participants": [people[0].pk, people[1].pk],
        },
    )
    assert response.status_code == 302
    assert TeamAssignment.objects.filter(member=taking, ends_on=None).count() == 2
    assert TeamAssignment.objects.filter(member=leaving, ends_on=TODAY - timedelta(days=1)).count() == 2
    assert TeamAssignment.objects.filter(member=leaving, participant=people[2], ends_on=None).exists()
    with pytest.raises(DomainError) as error:
        services.caseload_reassign(actor=lead, leaving=leaving, taking_over=UserFactory(role=Role.COACH), on=TODAY)
    assert error.value.field == "taking_over"
    participant_services.participant_restrict(participant=people[2], reason="Betwist")
    assert (
        services.caseload_reassign(actor=lead, leaving=leaving, taking_over=taking, on=TODAY + timedelta(days=1)) == 0
    )
    assert TeamAssignment.objects.filter(member=leaving, participant=people[2], ends_on=None).exists()
    client.force_login(leaving)
    assert client.get("/team/caseload-overdragen/").status_code == 403


def test_a_malformed_colleague_id_is_ignored_not_a_server_error(client):
    lead = UserFactory(role=Role.TEAM_LEAD, organisation=OrganisationFactory())
    client.force_login(lead)
    assert client.get("/team/caseload-overdragen/?leaving=abc").status_code == 200
