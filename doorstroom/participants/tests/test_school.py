"""Leerplicht and school registrations: the period as a pure rule, registrations as history, and
the signal for a school-age child in a supported household without a school."""

from datetime import date, timedelta

import pytest

from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import rules, services
from doorstroom.participants.models import SchoolRegistration
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.signalering import services as signal_services
from doorstroom.signalering.models import Signal

TODAY = clock.today()


@pytest.mark.parametrize(
    ("born", "starts", "ends"),
    [
        (date(2020, 3, 15), date(2025, 4, 1), date(2036, 7, 31)),  # turns 16 in March: that school year
        (date(2010, 9, 10), date(2015, 10, 1), date(2027, 7, 31)),  # turns 16 in September: the next one
        (date(2020, 12, 5), date(2026, 1, 1), date(2037, 7, 31)),  # fifth birthday in December
        (date(2016, 2, 29), date(2021, 4, 1), date(2032, 7, 31)),  # a leap day
    ],
)
def test_the_leerplicht_period(born, starts, ends):
    assert rules.compulsory_education_period(born) == (starts, ends)
    assert rules.is_of_compulsory_school_age(born, starts) and not rules.is_of_compulsory_school_age(
        born, starts - timedelta(days=1)
    )
    assert rules.is_of_compulsory_school_age(born, ends) and not rules.is_of_compulsory_school_age(
        born, ends + timedelta(days=1)
    )


@pytest.mark.django_db
def test_a_new_school_ends_the_previous_registration_and_bad_input_names_the_field():
    child = ParticipantFactory(date_of_birth=TODAY - timedelta(days=9 * 365))
    actor = UserFactory(role=Role.DIRECTOR)
    first = services.school_register(
        participant=child, actor=actor, school="De Regenboog", starts_on=TODAY - timedelta(days=400), today=TODAY
    )
    services.school_register(
        participant=child, actor=actor, school="Het Kompas", starts_on=TODAY - timedelta(days=10), today=TODAY
    )
    first.refresh_from_db()
    assert first.ends_on == TODAY - timedelta(days=11)
    for values, field in (
        ({"school": " ", "starts_on": TODAY}, "school"),
        ({"school": "X", "starts_on": TODAY + timedelta(days=1)}, "starts_on"),
        ({"school": "X", "starts_on": TODAY, "ends_on": TODAY - timedelta(days=1)}, "ends_on"),
    ):
        with pytest.raises(DomainError) as refused:
            services.school_register(participant=child, actor=actor, today=TODAY, **values)
        assert refused.value.field == field
    assert SchoolRegistration.objects.filter(participant=child).count() == 2


@pytest.mark.django_db
def test_a_school_age_child_in_a_supported_household_without_school_is_signalled(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    parent = ParticipantFactory(municipality=municipality, date_of_birth=TODAY - timedelta(days=40 * 365))
    child = ParticipantFactory(municipality=municipality, date_of_birth=TODAY - timedelta(days=8 * 365))
    toddler = ParticipantFactory(municipality=municipality, date_of_birth=TODAY - timedelta(days=3 * 365))
    elsewhere = ParticipantFactory(municipality=municipality, date_of_birth=TODAY - timedelta(days=8 * 365))
    household = services.household_add_member(participant=parent, relation="ouder").household
    for person in (child, toddler):
        services.household_add_member(participant=person, relation="kind", household=household)
    services.household_add_member(participant=elsewhere, relation="kind")  # nobody in that household is guided
    enrollment_services.enrollment_enrol(
        participant=parent,
        programme=ProgrammeFactory(),
        actor=director,
        referred_by=municipality,
        on=TODAY - timedelta(days=20),
    )
    signal_services.signals_refresh(today=TODAY)
    flagged = set(Signal.objects.filter(rule="leerplichtig_zonder_school").values_list("participant_id", flat=True))
    assert flagged == {child.pk}

    TeamAssignmentFactory(participant=child, member=director)
    client.force_login(director)
    url = f"/deelnemers/{child.uuid}/school/"
    bad = client.post(url, {"school": "Het Kompas", "starts_on": "31-02-2026"})
    assert bad.status_code == 400 and 'id="id_starts_on-error"' in bad.content.decode()
    assert client.post(url, {"school": "Het Kompas", "starts_on": TODAY.isoformat()}).status_code == 302
    assert "Het Kompas" in client.get(f"/deelnemers/{child.uuid}/").content.decode()
    signal_services.signals_refresh(today=TODAY)
    assert Signal.objects.get(rule="leerplichtig_zonder_school").state == "gesloten"  # closed by the engine
