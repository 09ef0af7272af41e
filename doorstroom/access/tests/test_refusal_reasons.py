"""A refusal names the real cause and whom to ask, on the page and as a stable code in the API,
and never blames the role when the cause is that data was not shared with the organisation."""

from django.urls import reverse

import pytest
from rest_framework.test import APIClient

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
