"""Schemathesis against our own OpenAPI schema, in process (WSGI), as four identities (assurance C4).

Every operation gets its schema examples, the coverage phase (boundary and invalid values) and
generated cases; each response must be a documented status with a body matching the schema, never
a server error, and an operation that declares authentication must refuse the request without it.
Runs once, on PostgreSQL (the `fuzz` marker); `make fuzz-deep` raises the examples per operation.
"""

import os

from django.core import signals
from django.db import close_old_connections

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import positive_data_acceptance

from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.services import api_token_issue
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

#: examples per operation per identity: 50 in `make test`, 500 in `make fuzz-deep`
EXAMPLES = int(os.environ.get("DOORSTROOM_FUZZ_EXAMPLES", "50"))


@pytest.fixture
def api_world():
    """A municipality with a director, a partner coach and an intermediary, each with real files in
    scope, so generated requests reach the access door and the serializers, not only 404s."""
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory()
    users = {
        "regisseur": UserFactory(role=Role.DIRECTOR, organisation=municipality),
        "coach": UserFactory(role=Role.COACH, organisation=partner),
        "intermediair": UserFactory(role=Role.INTERMEDIARY, organisation=partner),
    }
    programme = ProgrammeFactory()
    for number in range(3):
        participant = ParticipantFactory(municipality=municipality, family_name=f"Fuzz {number}")
        for name, role in (("regisseur", TeamRole.DIRECTOR), ("coach", TeamRole.COACH)):
            TeamAssignmentFactory(participant=participant, member=users[name], role=role)
        TeamAssignmentFactory(participant=participant, member=users["intermediair"], role=TeamRole.COACH)
        enrollment_services.enrollment_enrol(
            participant=participant,
            programme=programme,
            actor=users["regisseur"],
            referred_by=municipality,
            on=clock.today(),
        )
    return {name: f"Bearer {api_token_issue(user=user, name='test')[1]}" for name, user in users.items()}


@pytest.fixture
def api_schema(api_world):
    """The real WSGI application. Like Django's test client, it must not close the database
    connection at the end of each request: the test runs inside one transaction."""
    from config.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("identity", ["regisseur", "coach", "intermediair", "anoniem"])
def test_every_operation_conforms_to_its_schema(identity, api_world, api_schema, assurance):
    """Examples, coverage and fuzzing phases per operation (schemathesis builds the Hypothesis test;
    its pytest plugin does not run under pytest 9, so the operations are driven here)."""
    headers = {"Authorization": api_world[identity]} if identity in api_world else {}

    def check(case):
        response = case.call(headers=headers)
        assurance.add("C4 generated requests")
        if response.status_code >= 500:
            assurance.add("C4 server errors")
        # A schema-valid body can still name a municipality or programme that does not exist or is out
        # of the caller's scope; that is a 400 naming the field, which the positive-data check would
        # call a failure. Every other check, including ignored authentication, stays on.
        case.validate_response(response, headers=headers, excluded_checks=[positive_data_acceptance])

    fuzz_settings = settings(
        max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
    )
    failures, operations = [], 0
    for result in get_all_tests(schema=api_schema, test_func=check, settings=fuzz_settings, given_kwargs=None):
        operation, run = result.ok()
        operations += 1
        try:
            run()
        except Exception as failure:  # noqa: BLE001 - every operation runs; the failures are listed together
            failures.append(f"{operation.label}: {failure}")
    assurance.add("C4 operations x identities", operations)
    assert operations >= 12
    assert not failures, "\n\n".join(failures)
