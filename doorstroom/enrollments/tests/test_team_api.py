"""The team API: role and period per member; exactly one director, refused naming the field; only
the director composes the team."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from doorstroom.core import clock
from doorstroom.enrollments.models import TeamAssignment, TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def test_the_director_adds_team_members_and_a_second_director_is_refused():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    other_director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    buddy = UserFactory(role=Role.INTERMEDIARY, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    api = APIClient()
    api.force_authenticate(director)
    url = f"/api/v1/deelnemers/{participant.uuid}/team/"
    added = api.post(
        url,
        {"member": buddy.username, "role": "maatje", "starts_on": TODAY.isoformat(), "ends_on": None},
        format="json",
    )
    assert added.status_code == 201 and added.json()["role"] == "maatje"
    second = api.post(url, {"member": other_director.username, "role": "regisseur", "starts_on": TODAY.isoformat()})
    assert second.status_code == 400 and second.json()["errors"][0]["field"] == "starts_on"  # the overlapping period
    assert "al een regisseur" in second.json()["errors"][0]["message"]
    unknown = api.post(url, {"member": "niemand", "role": "coach", "starts_on": TODAY.isoformat()})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "member"
    backwards = api.post(
        url,
        {
            "member": buddy.username,
            "role": "coach",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY - timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["field"] == "ends_on"
    assert {m["member"] for m in api.get(url).json()} == {director.username, buddy.username}
    api.force_authenticate(buddy)
    refused = api.post(url, {"member": other_director.username, "role": "coach", "starts_on": TODAY.isoformat()})
    assert refused.status_code == 403
    assert TeamAssignment.objects.filter(participant=participant).count() == 2
