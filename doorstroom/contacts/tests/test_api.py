"""The contacts API: the same rules as the page (a contact longer than 24 hours is refused, naming
the field), paged lists, and only with the notes category shared."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from doorstroom.contacts.models import ContactMoment
from doorstroom.core import clock
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def api_world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director)
    api = APIClient()
    api.force_authenticate(director)
    return api, participant


def test_recording_and_listing_contacts(api_world):
    api, participant = api_world
    url = f"/api/v1/deelnemers/{participant.uuid}/contacten/"
    body = {"kind": "huisbezoek", "status": "gehouden", "occurred_on": TODAY.isoformat(), "attendance": "verschenen"}
    for days in range(3):
        day = (TODAY - timedelta(days=days)).isoformat()
        assert api.post(url, {**body, "occurred_on": day, "minutes": 45}, format="json").status_code == 201
    page = api.get(url + "?limit=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2
    assert page["results"][0]["occurred_on"] == TODAY.isoformat() and page["results"][0]["kind"] == "huisbezoek"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"minutes": 1441}, "minutes"),
        ({"kind": "telepathie"}, "kind"),
        ({"occurred_on": (TODAY + timedelta(days=3)).isoformat()}, "occurred_on"),
        ({"occurred_on": "2026-02-30"}, "occurred_on"),
    ],
)
def test_bad_contacts_are_refused_naming_the_field(api_world, change, field):
    api, participant = api_world
    body = {"kind": "gesprek", "status": "gehouden", "occurred_on": TODAY.isoformat(), "attendance": "verschenen"}
    body |= {"minutes": 30, **change}
    response = api.post(f"/api/v1/deelnemers/{participant.uuid}/contacten/", body, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == field
    assert not ContactMoment.objects.exists()
