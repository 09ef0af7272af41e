"""The issue's acceptance scenario in one browser session: a coach records an intake with a language
baseline per skill, draws up a plan with two goals and a four-window agreement, logs a home visit
and a no-show, and prints the plan; with the clock moved forward a "no contact for too long"
signal appears, and it goes away when a contact is logged."""

from datetime import timedelta
from io import BytesIO

from django.apps import apps

import pytest
from pypdf import PdfReader

from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import TeamRole
from doorstroom.measurements import catalogue
from doorstroom.measurements.models import Measurement
from doorstroom.organisations.models import OrganisationKind, Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.services import sharing_grant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.signalering import services as signal_services
from doorstroom.signalering.models import Signal

from .test_coach_flow import login_with_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coach_works_through_intake_plan_contacts_and_a_signal(page, axe, monkeypatch):
    catalogue.load(apps)  # a transactional test starts from an emptied database
    real_today = clock.today()
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory(kind=OrganisationKind.REINTEGRATION)
    partner.works_for.add(municipality)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    coach = UserFactory(username="coach.done", role=Role.COACH, organisation=partner)
    participant = ParticipantFactory(municipality=municipality, given_name="Samira", family_name="Idrissi")
    for category in ("metingen", "plan", "notities"):
        sharing_grant(
            participant=participant,
            organisation=partner,
            category=category,
            legal_basis="toestemming",
            on=real_today - timedelta(days=30),
            recorded_by=director,
        )
    enrollment_services.team_assign(
        participant=participant, member=coach, role=TeamRole.COACH, starts_on=real_today - timedelta(days=30)
    )
    enrollment_services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(),
        actor=director,
        referred_by=municipality,
        on=real_today - timedelta(days=30),
    )
    login_with_keyboard(page, "coach.done")

    # the broad intake: a language baseline for each of the four skills
    page.goto(f"/deelnemers/{participant.uuid}/intake/")
    page.get_by_label("Datum van de intake").fill((real_today - timedelta(days=2)).isoformat())
    language = page.get_by_role("group", name="Taalniveau Nederlands (ERK)")
    for skill, level in (("Lezen", "A2"), ("Luisteren", "A2"), ("Schrijven", "A1"), ("Spreken", "A1")):
        language.get_by_label(skill, exact=True).select_option(label=level)
    axe.check(page)
    page.get_by_role("button", name="Intake opslaan").click()
    page.get_by_text("opgeslagen").first.wait_for()
    baseline = Measurement.objects.get(participant=participant, scale__measurement_type__code="taalniveau")
    assert baseline.moment == "nulmeting" and baseline.scores.filter(value__isnull=False).count() == 4

    # the plan: a first goal with a four-window agreement, then a second goal as the next version
    page.goto(f"/deelnemers/{participant.uuid}/plan/wijzigen/")
    goal = page.get_by_role("group", name="Nieuw doel")
    goal.get_by_label("Leefgebied").select_option(label="Taal")
    goal.get_by_label("Doel").fill("Op A2 kunnen bellen met de huisarts")
    agreement = page.get_by_role("group", name="Nieuwe afspraak")
    agreement.get_by_label("Wie doet wat?").fill("Samira oefent elke week een telefoongesprek")
    agreement.get_by_label("Klaar op").fill((real_today + timedelta(days=28)).isoformat())
    agreement.get_by_label("Wie bewaakt de afspraak?").fill("De coach")
    agreement.get_by_label("Wat gebeurt er als het niet lukt?").fill("We oefenen samen in het gesprek")
    agreement.get_by_label("Wanneer kijken we terug?").fill((real_today + timedelta(days=35)).isoformat())
    page.get_by_role("button", name="Plan opslaan").click()
    page.get_by_text("Het plan is opgeslagen als nieuwe versie.").wait_for()
    page.get_by_role("link", name="Plan wijzigen").click()
    second = page.get_by_role("group", name="Nieuw doel")
    second.get_by_label("Leefgebied").select_option(label="Werk")
    second.get_by_label("Doel").fill("Vrijwilligerswerk in de bibliotheek")
    page.get_by_role("button", name="Plan opslaan").click()
    page.get_by_text("Het plan is opgeslagen als nieuwe versie.").wait_for()
    goals = page.get_by_role("table").first.inner_text()
    assert "Op A2 kunnen bellen" in goals and "Vrijwilligerswerk" in goals

    # contacts: a home visit and a no-show
    page.goto(f"/deelnemers/{participant.uuid}/contacten/")
    page.get_by_label("Soort contact").select_option(label="Huisbezoek")
    page.get_by_label("Datum").fill((real_today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Contact opslaan").click()
    page.get_by_text("opgeslagen").first.wait_for()
    page.goto(f"/deelnemers/{participant.uuid}/contacten/")
    page.get_by_label("Datum").fill(real_today.isoformat())
    page.get_by_label("Was de deelnemer er?").select_option(label="Niet verschenen: afspraak gemist")
    page.get_by_role("button", name="Contact opslaan").click()
    page.get_by_text("opgeslagen").first.wait_for()
    page.goto(f"/deelnemers/{participant.uuid}/contacten/")
    listed = page.locator("main").inner_text()
    assert "Huisbezoek" in listed and "Niet verschenen" in listed
    axe.check(page)

    # print the plan: the PDF behind the link, for this coach's session
    page.goto(f"/deelnemers/{participant.uuid}/plan/")
    href = page.get_by_role("link", name="Plan als PDF (om mee te geven)").get_attribute("href")
    pdf = page.request.get(href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.body())).pages).split())
    assert "Vrijwilligerswerk in de bibliotheek" in text and "We oefenen samen in het gesprek" in text

    # move the clock forward four weeks: the home visit is now too long ago
    later = real_today + timedelta(days=28)
    monkeypatch.setattr(clock, "today", lambda: later)
    signal_services.signals_refresh(today=later)
    page.goto("/signalen/")
    assert [row for row in page.locator("main table tbody tr").all_inner_texts() if "Lang geen contact" in row]
    axe.check(page)
    # a contact logged (today, on the moved clock) closes it
    page.goto(f"/deelnemers/{participant.uuid}/contacten/")
    assert page.get_by_label("Datum").input_value() == later.isoformat()
    page.get_by_role("button", name="Contact opslaan").click()
    page.get_by_text("opgeslagen").first.wait_for()
    # at once, in the same request (no scheduled refresh in between)
    latest = Signal.objects.filter(participant=participant, rule="geen_contact").latest("id")
    assert latest.state == "gesloten" and latest.closed_on == later
    page.goto("/signalen/")
    assert not [row for row in page.locator("main table tbody tr").all_inner_texts() if "Lang geen contact" in row]
