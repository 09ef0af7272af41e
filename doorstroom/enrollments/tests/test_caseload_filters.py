"""The caseload filters by programme, phase, signal and colleague, searches by name and sorts, in
the database with a bounded number of queries, and never reveals membership of a sensitive
programme through a filter."""

from datetime import timedelta

from django.urls import reverse

import pytest

from doorstroom.core import clock
from doorstroom.enrollments import services
from doorstroom.enrollments.models import Enrollment, EventType, TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.signalering import services as signal_services

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    language = ProgrammeFactory(name="Taalroute")
    work = ProgrammeFactory(name="Werkroute")
    people = {}
    for name, programme, days in (
        ("Ahmadi", language, 40),
        ("Bakker", work, 5),
        ("Chaouch", language, 3),
        ("Dijkstra", None, 0),
    ):
        person = ParticipantFactory(municipality=municipality, family_name=name)
        TeamAssignmentFactory(participant=person, member=director, role=TeamRole.DIRECTOR)
        if programme is not None:
            services.enrollment_enrol(
                participant=person,
                programme=programme,
                actor=director,
                referred_by=municipality,
                on=TODAY - timedelta(days=days),
            )
        people[name] = person
    signal_services.signals_refresh(today=TODAY)  # Ahmadi: no contact for 40 days
    return {"director": director, "language": language, "work": work, "people": people}


def names(client, **query):
    page = client.get(reverse("enrollments:caseload"), query).content.decode()
    table = page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""
    return [name for name in ("Ahmadi", "Bakker", "Chaouch", "Dijkstra") if name in table]


def test_filter_by_programme_and_by_signal(client, world):
    client.force_login(world["director"])
    assert names(client) == ["Ahmadi", "Bakker", "Chaouch", "Dijkstra"]
    assert names(client, programma=world["language"].pk) == ["Ahmadi", "Chaouch"]
    assert names(client, signaal="geen_contact") == ["Ahmadi"]
    assert names(client, programma=world["work"].pk, signaal="geen_contact") == []


def test_search_and_sort(client, world):
    client.force_login(world["director"])
    assert names(client, zoek="chao") == ["Chaouch"]
    page = client.get(reverse("enrollments:caseload"), {"sorteer": "-naam"}).content.decode()
    assert page.index("Dijkstra") < page.index("Chaouch") < page.index("Ahmadi")


def test_sort_by_time_in_phase_and_since_the_last_step(client, world):
    for name, days in (("Chaouch", 2), ("Ahmadi", 0)):  # both start their first phase
        services.enrollment_record(
            enrollment=Enrollment.objects.get(participant=world["people"][name]),
            actor=world["director"],
            event_type=EventType.STARTED,
            on=TODAY - timedelta(days=days),
        )
    client.force_login(world["director"])
    # the longest in their phase first; those without a phase last, by name
    assert names_in_order(client, sorteer="langst_in_fase") == ["Chaouch", "Ahmadi", "Bakker", "Dijkstra"]
    # the longest since their last step first (Bakker's referral, five days ago)
    assert names_in_order(client, sorteer="langst_geen_stap") == ["Bakker", "Chaouch", "Ahmadi", "Dijkstra"]


def names_in_order(client, **query):
    page = client.get(reverse("enrollments:caseload"), query).content.decode()
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    return sorted(("Ahmadi", "Bakker", "Chaouch", "Dijkstra"), key=table.index)


def test_filters_keep_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world["director"])
    client.get(reverse("enrollments:caseload"))  # warm the session
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("enrollments:caseload"), {"programma": world["language"].pk, "signaal": "geen_contact"})
    for index in range(12):
        person = ParticipantFactory(municipality=world["director"].organisation, family_name=f"Extra{index}")
        TeamAssignmentFactory(participant=person, member=world["director"], role=TeamRole.DIRECTOR)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("enrollments:caseload"), {"programma": world["language"].pk, "signaal": "geen_contact"})


def test_a_sensitive_programme_cannot_be_found_through_the_filter(client, world):
    sensitive = ProgrammeFactory(name="Gevoelig", is_sensitive=True)
    person = world["people"]["Dijkstra"]
    coach = UserFactory(role=Role.COACH, organisation=world["director"].organisation)
    TeamAssignmentFactory(participant=person, member=coach)
    services.enrollment_enrol(
        participant=person, programme=sensitive, actor=coach, referred_by=coach.organisation, on=TODAY
    )
    lead = UserFactory(role=Role.TEAM_LEAD, organisation=world["director"].organisation)
    client.force_login(lead)
    unfiltered = names(client)
    page = client.get(reverse("enrollments:caseload")).content.decode()
    assert "Gevoelig" not in page  # not even offered as a filter
    # asking for it anyway narrows nothing: the answer cannot tell who is in it
    assert names(client, programma=sensitive.pk) == unfiltered


def test_the_board_and_the_signals_page_narrow_too(client, world):
    client.force_login(world["director"])
    board = reverse("programmes:board", args=[world["language"].code])
    everyone = client.get(board).content.decode()
    assert "Ahmadi" in everyone and "Chaouch" in everyone
    searched = client.get(board, {"zoek": "chaouch"}).content.decode()
    assert "Chaouch" in searched and "Ahmadi" not in searched
    flagged = client.get(board, {"signaal": "geen_contact"}).content.decode()
    assert "Ahmadi" in flagged and "Chaouch" not in flagged
    signals = reverse("signalering:dashboard")
    assert "Ahmadi" in client.get(signals, {"signaal": "geen_contact"}).content.decode()
    assert "Ahmadi" not in client.get(signals, {"signaal": "niet_verschenen"}).content.decode().split("<tbody>")[-1]
