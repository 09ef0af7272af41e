"""Signals keep up with the work (ADR 0012): recording a contact, an event, a plan or a measurement
re-evaluates that participant's signals in the same request, through the page and the API, with a
number of queries that does not depend on how many participants there are."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.signalering import services
from doorstroom.signalering.models import Signal, SignalState

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    programme = ProgrammeFactory()
    people = []
    for _ in range(3):
        participant = ParticipantFactory(municipality=municipality)
        TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
        enrollment_services.enrollment_enrol(
            participant=participant,
            programme=programme,
            actor=director,
            referred_by=municipality,
            on=TODAY - timedelta(days=40),
        )
        people.append(participant)
    services.signals_refresh(today=TODAY)
    return {"director": director, "people": people, "programme": programme}


def open_no_contact(participant):
    return Signal.objects.filter(participant=participant, rule="geen_contact", state__in=["open", "gezien"])


def contact(**overrides):
    return {
        "kind": "gesprek",
        "status": "gehouden",
        "occurred_on": TODAY.isoformat(),
        "attendance": "verschenen",
        "minutes": 30,
        **overrides,
    }


def test_logging_a_contact_on_the_page_closes_the_signal_at_once(client, world):
    first, second = world["people"][:2]
    assert open_no_contact(first).exists() and open_no_contact(second).exists()
    client.force_login(world["director"])
    response = client.post(reverse("contacts:create", args=[first.uuid]), contact())
    assert response.status_code == 302
    assert not open_no_contact(first).exists()
    closed = Signal.objects.get(participant=first, rule="geen_contact")
    assert closed.state == SignalState.CLOSED and closed.closed_on == TODAY
    assert open_no_contact(second).exists()  # the others are untouched until the scheduled refresh
    dashboard = client.get(reverse("signalering:dashboard")).content.decode()
    assert first.full_name not in dashboard and second.full_name in dashboard


def test_logging_a_contact_through_the_api_closes_it_too(world):
    first = world["people"][0]
    api = APIClient()
    api.force_authenticate(world["director"])
    response = api.post(f"/api/v1/deelnemers/{first.uuid}/contacten/", contact(), format="json")
    assert response.status_code == 201, response.content
    assert not open_no_contact(first).exists()


def test_a_refused_contact_changes_no_signal(client, world):
    first = world["people"][0]
    client.force_login(world["director"])
    response = client.post(reverse("contacts:create", args=[first.uuid]), contact(minutes=5000))
    assert response.status_code == 400
    assert open_no_contact(first).exists()


def test_a_pause_closes_the_no_contact_signal_at_once(client, world):
    first = world["people"][0]
    enrollment = first.enrollments.get()
    enrollment_services.enrollment_record(
        enrollment=enrollment, actor=world["director"], event_type="gestart", on=TODAY - timedelta(days=35)
    )
    services.signals_refresh(today=TODAY)
    enrollment.refresh_from_db()
    assert open_no_contact(first).exists()
    client.force_login(world["director"])
    url = reverse("enrollments:event_create", args=[enrollment.uuid, "gepauzeerd"])
    response = client.post(
        url, {"occurred_on": TODAY.isoformat(), "reason_code": "ziekte", "version": enrollment.version}
    )
    assert response.status_code in (200, 302), response.content.decode()[:500]
    enrollment.refresh_from_db()
    assert enrollment.state == "gepauzeerd"
    assert not open_no_contact(first).exists()


def test_re_evaluating_some_takes_as_many_queries_as_re_evaluating_one(world):
    def queries(ids):
        with CaptureQueriesContext(connection) as captured:
            services.signals_refresh(today=TODAY, among=ids)
        return len(captured)

    ids = [p.pk for p in world["people"]]
    assert queries(ids[:1]) == queries(ids)


def test_a_team_lead_sees_the_open_signals_per_coach_and_opens_a_coach_list(client):
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory()
    partner.works_for.add(municipality)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    lead = UserFactory(role=Role.TEAM_LEAD, organisation=partner)
    busy = UserFactory(role=Role.COACH, organisation=partner, first_name="Bram", last_name="Bezig")
    calm = UserFactory(role=Role.COACH, organisation=partner, first_name="Cato", last_name="Kalm")
    outsider = UserFactory(role=Role.COACH, organisation=OrganisationFactory())
    programme = ProgrammeFactory()
    for coach, count in ((busy, 3), (calm, 1), (outsider, 2)):
        for _ in range(count):
            participant = ParticipantFactory(municipality=municipality)
            TeamAssignmentFactory(participant=participant, member=coach)
            enrollment_services.enrollment_enrol(
                participant=participant,
                programme=programme,
                actor=director,
                referred_by=municipality,
                on=TODAY - timedelta(days=40),
            )
    services.signals_refresh(today=TODAY)
    client.force_login(lead)
    page = client.get(reverse("signalering:dashboard")).content.decode()
    overview = page.split('id="per-colleague-title"')[1].split("</section>")[0]
    bram = overview.split("Bram Bezig")[1].split("</tr>")[0]
    cato = overview.split("Cato Kalm")[1].split("</tr>")[0]
    assert "<strong>3</strong>" in bram and "<strong>1</strong>" in cato
    assert outsider.get_full_name() not in overview  # another organisation's coach is not theirs
    # the coach's list: "no contact" is contacts-and-notes data the lead does not hold for these
    # files, so the signals are counted, not shown
    coach_list = client.get(reverse("signalering:dashboard"), {"medewerker": busy.pk}).content.decode()
    assert "3 signalen gaan over gegevens die niet met u gedeeld zijn" in coach_list
    assert client.get(reverse("signalering:dashboard"), {"medewerker": outsider.pk}).status_code == 404
