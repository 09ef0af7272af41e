from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doorstroom.contacts import rules, selectors, services
from doorstroom.contacts.models import ContactMoment
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.services import sharing_grant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

TODAY = clock.today()


@given(minutes=st.integers(-100, 5000))
def test_a_contact_lasts_at_most_a_day(minutes):
    problem = rules.contact_problem(
        status="gehouden",
        attendance="verschenen",
        minutes=minutes,
        on=date(2026, 1, 5),
        today=date(2026, 1, 6),
        started_on=None,
    )
    assert (problem is None) == (1 <= minutes <= 1440)


def test_planned_and_held_contacts_have_their_own_rules():
    day, today = date(2026, 1, 5), date(2026, 1, 6)
    assert (
        rules.contact_problem(
            status="gepland", attendance="verschenen", minutes=30, on=today, today=today, started_on=None
        )[0]
        == "attendance"
    )
    assert (
        rules.contact_problem(status="gepland", attendance="", minutes=30, on=day, today=today, started_on=None)[0]
        == "occurred_on"
    )
    assert (
        rules.contact_problem(status="gehouden", attendance="", minutes=30, on=day, today=today, started_on=None)[0]
        == "attendance"
    )
    assert (
        rules.contact_problem(
            status="gehouden", attendance="niet_verschenen", minutes=None, on=day, today=today, started_on=None
        )
        is None
    )
    assert (
        rules.contact_problem(
            status="gehouden", attendance="verschenen", minutes=30, on=day, today=today, started_on=today
        )[0]
        == "occurred_on"
    )


@pytest.mark.django_db
def test_weekly_hours_count_only_attended_contacts_against_the_norm():
    participant = ParticipantFactory()
    coach = UserFactory(role=Role.COACH)
    programme = ProgrammeFactory(coaching_hours_per_week=Decimal("2.0"))
    enrollment_services.enrollment_enrol(
        participant=participant,
        programme=programme,
        actor=coach,
        referred_by=coach.organisation,
        on=TODAY - timedelta(days=60),
    )
    monday = rules.week_start(TODAY)
    for minutes, attendance in ((60, "verschenen"), (30, "verschenen"), (45, "niet_verschenen")):
        services.contact_record(
            participant=participant,
            actor=coach,
            kind="gesprek",
            status="gehouden",
            occurred_on=monday,
            attendance=attendance,
            minutes=minutes,
        )
    hours = selectors.weekly_hours(participant=participant, today=TODAY)
    assert hours.norm == Decimal("2.0")
    assert hours.weeks[-1] == (monday, Decimal("1.5"), Decimal("75"))
    assert hours.weeks[0][1] == Decimal("0.0") and len(hours.weeks) == selectors.WEEKS_SHOWN
    assert selectors.coach_weekly_hours(coach_id=coach.pk, today=TODAY)[-1][1] == Decimal("1.5")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "telefoon"}, "kind"),
        ({"minutes": 1441}, "minutes"),
        ({"occurred_on": TODAY + timedelta(days=1)}, "occurred_on"),
        ({"attendance": "misschien"}, "attendance"),
    ],
)
def test_bad_contacts_are_refused_naming_the_field(values, field):
    base = {"kind": "gesprek", "status": "gehouden", "occurred_on": TODAY, "attendance": "verschenen", "minutes": 30}
    with pytest.raises(DomainError) as error:
        services.contact_record(participant=ParticipantFactory(), actor=UserFactory(), **{**base, **values})
    assert error.value.field == field
    assert not ContactMoment.objects.exists()


@pytest.mark.django_db
def test_two_clicks_from_the_caseload_with_htmx(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director)
    client.force_login(director)
    caseload = client.get("/mijn-deelnemers/").content.decode()
    assert f'hx-get="/deelnemers/{participant.uuid}/contacten/nieuw/"' in caseload
    form = client.get(f"/deelnemers/{participant.uuid}/contacten/nieuw/", HTTP_HX_REQUEST="true")  # click 1
    assert "hx-post" in form.content.decode() and "<html" not in form.content.decode()
    defaults = form.context["form"]
    data = {name: field.initial for name, field in defaults.fields.items() if field.initial is not None}
    data["occurred_on"] = TODAY.isoformat()
    saved = client.post(f"/deelnemers/{participant.uuid}/contacten/nieuw/", data, HTTP_HX_REQUEST="true")  # click 2
    assert "opgeslagen" in saved.content.decode()
    contact = ContactMoment.objects.get()
    assert (contact.kind, contact.status, contact.attendance, contact.minutes) == (
        "gesprek",
        "gehouden",
        "verschenen",
        30,
    )


@pytest.mark.django_db
def test_a_partner_coach_needs_consent_for_contacts_and_notes(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    coach = UserFactory(role=Role.COACH)
    TeamAssignmentFactory(participant=participant, member=coach)
    client.force_login(coach)
    assert client.get(f"/deelnemers/{participant.uuid}/contacten/").status_code == 403
    assert "contacten/nieuw" not in client.get("/mijn-deelnemers/").content.decode()
    sharing_grant(
        participant=participant,
        organisation=coach.organisation,
        category="notities",
        legal_basis="toestemming",
        on=TODAY,
        recorded_by=director,
    )
    assert client.get(f"/deelnemers/{participant.uuid}/contacten/").status_code == 200
    assert "contacten/nieuw" in client.get("/mijn-deelnemers/").content.decode()
