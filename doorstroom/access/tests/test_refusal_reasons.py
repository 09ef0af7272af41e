"""A refusal names the real cause and whom to ask, on the page and as a stable code in the API,
and never blames the role when the cause is that data was not shared with the organisation."""

from datetime import date, timedelta

from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True, name="Gemeente Proefstad")
    partner = OrganisationFactory(name="Werkplaats Oost")
    partner.works_for.add(municipality)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality, first_name="Rana", last_name="Dekker")
    coach = UserFactory(role=Role.COACH, organisation=partner)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    TeamAssignmentFactory(participant=participant, member=coach)
    return {"director": director, "coach": coach, "participant": participant, "partner": partner}


def test_a_coach_without_a_grant_is_told_what_is_not_shared_and_whom_to_ask(client, world):
    client.force_login(world["coach"])
    for name in ("plans:detail", "contacts:overview", "measurements:intake"):
        response = client.get(reverse(name, args=[world["participant"].uuid]))
        page = response.content.decode()
        assert response.status_code == 403, name
        assert "niet gedeeld met uw organisatie (Werkplaats Oost)" in page, name
        assert "Rana Dekker (Gemeente Proefstad)" in page, name
        assert "rol" not in page.split("<main")[1].split("</main>")[0].lower(), name  # never blames the role


def test_the_api_gives_the_same_reason_as_a_stable_code(world):
    api = APIClient()
    api.force_authenticate(world["coach"])
    response = api.get(f"/api/v1/deelnemers/{world['participant'].uuid}/plan/")
    assert response.status_code == 403
    (error,) = response.json()["errors"]
    assert error["code"] == "not_shared"
    assert "Rana Dekker" in error["message"]


def test_a_grant_lifts_the_refusal(client, world):
    participant_services.sharing_grant(
        participant=world["participant"],
        organisation=world["partner"],
        category="plan",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=world["director"],
    )
    client.force_login(world["coach"])
    assert client.get(reverse("plans:detail", args=[world["participant"].uuid])).status_code == 200


def test_a_role_ceiling_is_named_as_such(world):
    go_between = UserFactory(role=Role.INTERMEDIARY, organisation=OrganisationFactory())
    TeamAssignmentFactory(participant=world["participant"], member=go_between, role=TeamRole.INTERMEDIARY)
    api = APIClient()
    api.force_authenticate(go_between)
    response = api.get(f"/api/v1/deelnemers/{world['participant'].uuid}/metingen/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "role_ceiling"


def test_a_team_lead_off_the_team_is_told_so(world):
    lead = UserFactory(role=Role.TEAM_LEAD, organisation=world["partner"])
    api = APIClient()
    api.force_authenticate(lead)
    response = api.get(f"/api/v1/deelnemers/{world['participant'].uuid}/plan/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "not_on_team"


def test_the_reason_follows_the_language(client, world):
    client.force_login(world["coach"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("plans:detail", args=[world["participant"].uuid]), HTTP_ACCEPT_LANGUAGE="en").content
    assert "is not shared with your organisation" in page.decode()


def test_the_director_read_from_the_files_team_is_the_one_the_database_names(world):
    """The file page finds the director in the team it has already read; it must name the same
    person as the query does: the one running today, never an ended or a future one."""
    today = clock.today()
    municipality = world["director"].organisation
    participant = world["participant"]
    ended = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    future = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    TeamAssignmentFactory(
        participant=participant,
        member=ended,
        role=TeamRole.DIRECTOR,
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
    )
    TeamAssignmentFactory(
        participant=participant,
        member=future,
        role=TeamRole.DIRECTOR,
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=365),
    )

    def team() -> list:
        return list(participant.team.select_related("member", "member__organisation", "organisation"))

    assert access._director_of(participant, team()) == access._director_of(participant) == world["director"]
    world["director"].assignments.update(ends_on=today - timedelta(days=1))  # handed over; the next starts tomorrow
    assert access._director_of(participant, team()) is access._director_of(participant) is None
