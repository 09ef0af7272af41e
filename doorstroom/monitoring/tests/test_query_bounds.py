"""A report issues the same number of queries for a cohort of 3 as for a cohort of 30."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.monitoring import services
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def _add(programme, municipality, director, count):
    for n in range(count):
        participant = ParticipantFactory(municipality=municipality)
        TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
        enrollment = enrollment_services.enrollment_enrol(
            participant=participant,
            programme=programme,
            actor=director,
            referred_by=municipality,
            on=TODAY - timedelta(days=90),
        )
        enrollment_services.enrollment_record(
            enrollment=enrollment, actor=director, event_type="gestart", on=TODAY - timedelta(days=80)
        )
        if n % 3 == 0:
            enrollment_services.enrollment_record(
                enrollment=enrollment,
                actor=director,
                event_type="gepauzeerd",
                on=TODAY - timedelta(days=40),
                reason_code="ziekte",
            )


def _queries(user, programmes):
    parameters = services.parameters_from(user, {"programma": [p.code for p in programmes]})
    with CaptureQueriesContext(connection) as captured:
        services.report_compute(user, parameters)
    return len(captured)


def test_the_query_count_does_not_grow_with_the_cohort():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    small, other = ProgrammeFactory(), ProgrammeFactory()
    _add(small, municipality, director, 3)
    _add(other, municipality, director, 2)
    few = _queries(director, [small, other])
    _add(small, municipality, director, 27)
    _add(other, municipality, director, 10)
    many = _queries(director, [small, other])
    assert many == few, (few, many)
    # three parts (whole and two routes), about eleven queries each (with the context tags); on PostgreSQL
    # four more per part: the sorting memory set and given back (selectors.sorting_memory), and the
    # score changes' grouping told to hash and told back (selectors._grouped_by_hashing)
    assert few <= 45 + (12 if connection.vendor == "postgresql" else 0)
