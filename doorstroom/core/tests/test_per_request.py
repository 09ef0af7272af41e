"""Facts asked for several times in one request are looked up once (`core.per_request`): outside a
request every call looks again, and a change to the fact inside the request is seen at once."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from rest_framework.test import APIClient

from doorstroom.access import policy
from doorstroom.core import clock, per_request
from doorstroom.organisations import services as account_services
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, RegionFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_remembered_once_inside_and_every_time_outside():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert per_request.remembered("k", compute) == 1 and per_request.remembered("k", compute) == 2
    with per_request.remembering():
        assert per_request.remembered("k", compute) == 3 and per_request.remembered("k", compute) == 3
        per_request.forget()
        assert per_request.remembered("k", compute) == 4
    assert per_request.remembered("k", compute) == 5


def region_queries(queries):
    return [q for q in queries if "organisations_region" in q["sql"]]


def test_a_directors_request_asks_for_the_served_municipalities_once():
    centre = OrganisationFactory(municipality=True)
    served = OrganisationFactory(municipality=True)
    region = RegionFactory(centre=centre)
    region.executes_for.add(served)
    director = UserFactory(role=Role.DIRECTOR, organisation=centre)
    resident = ParticipantFactory(municipality=served)
    api = APIClient()
    api.force_authenticate(director)
    programme = ProgrammeFactory()
    with CaptureQueriesContext(connection) as queries:  # the door and the enrolment both ask
        answer = api.post(
            "/api/v1/inschrijvingen/",
            {"participant": str(resident.uuid), "programme": programme.code, "occurred_on": str(clock.today())},
            format="json",
        )
    assert answer.status_code == 201, answer.json()
    assert len(region_queries(queries)) == 1
    # outside a request (a command, this test) each question looks again
    with CaptureQueriesContext(connection) as queries:
        assert policy.served_municipality_ids(director) == policy.served_municipality_ids(director)
    assert len(region_queries(queries)) == 2


def test_a_region_changed_within_the_request_is_seen_at_once():
    centre = OrganisationFactory(municipality=True)
    served = OrganisationFactory(municipality=True)
    region = RegionFactory(centre=centre)
    director = UserFactory(role=Role.DIRECTOR, organisation=centre)
    proposer, decider = (UserFactory(role=Role.USER_ADMINISTRATOR, organisation=centre) for _ in range(2))
    with per_request.remembering():
        assert policy.served_municipality_ids(director) == {centre.pk}
        change = account_services.account_change_propose(
            actor=proposer, kind="regio", region=region, values={"centre": centre.pk, "executes_for": [served.pk]}
        )
        account_services.account_change_decide(actor=decider, change=change, approve=True)
        assert policy.served_municipality_ids(director) == {centre.pk, served.pk}
