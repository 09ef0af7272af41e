"""Membership of a sensitive programme is visible only to the participant's team and the participant."""

from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.enrollments import services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.models import Programme
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_sensitive_membership_is_hidden_from_those_not_on_the_team(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)  # sees the file, not on the team
    coach = UserFactory(role=Role.COACH)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=coach)
    sensitive = ProgrammeFactory(name="Programma voor één gemeenschap", is_sensitive=True)
    ordinary = ProgrammeFactory(name="Gewoon programma")
    hidden = services.enrollment_enrol(
        participant=participant, programme=sensitive, actor=coach, referred_by=coach.organisation, on=clock.today()
    )
    services.enrollment_enrol(
        participant=participant, programme=ordinary, actor=coach, referred_by=coach.organisation, on=clock.today()
    )

    assert set(access.enrollments_visible_to(coach).values_list("programme__name", flat=True)) == {
        sensitive.name,
        ordinary.name,
    }
    assert list(access.enrollments_visible_to(director).values_list("programme__name", flat=True)) == [ordinary.name]
    client.force_login(director)
    page = client.get(reverse("participants:detail", args=[participant.uuid])).content.decode()
    assert ordinary.name in page and sensitive.name not in page
    assert client.get(reverse("programmes:board", args=[sensitive.code])).content.decode().count(">0<") >= 1
    assert client.get(reverse("enrollments:card", args=[hidden.uuid])).status_code == 404
    api = APIClient()
    api.force_authenticate(director)
    assert api.get(f"/api/v1/inschrijvingen/{hidden.uuid}/").status_code == 404
    assert sensitive.code not in api.get("/api/v1/inschrijvingen/").content.decode()


def test_the_shipped_community_programmes_are_sensitive():
    assert set(Programme.objects.filter(is_sensitive=True).values_list("code", flat=True)) == {
        "vip-educatie",
        "enschede-complexe-gezinnen",
    }
