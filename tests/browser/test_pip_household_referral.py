"""In the browser, under axe: a PIP adopted as a decision, a household plan, and a referral that
the receiving organisation accepts."""

from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import OrganisationKind, Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.services import household_add_member, sharing_grant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import services as plan_services

from .test_coach_flow import login_with_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_director_adopts_a_pip_and_sees_the_integration_term(page, axe):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(username="regisseur.pip", role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, given_name="Noor", civic_integration_duty=True)
    TeamAssignmentFactory(participant=participant, member=director)
    login_with_keyboard(page, "regisseur.pip")
    page.goto(f"/deelnemers/{participant.uuid}/plan/wijzigen/")
    pip = page.get_by_role("group", name="PIP (Wet inburgering)")
    decided = clock.today() - timedelta(days=2)
    pip.get_by_label("Datum van het PIP-besluit").fill(decided.isoformat())
    pip.get_by_label("Leerroute").select_option(label="Onderwijsroute")
    pip.get_by_label("MAP (Module Arbeidsmarkt en Participatie): hoe intensief?").fill("40 uur")
    pip.get_by_label("PVT (participatieverklaringstraject): hoe intensief?").fill("6 bijeenkomsten")
    page.get_by_role("button", name="Plan opslaan").click()
    error = page.locator("#id_pip-map_intensity-error")
    assert "geen MAP" in error.inner_text()
    axe.check(page)
    pip.get_by_label("MAP (Module Arbeidsmarkt en Participatie): hoe intensief?").fill("")
    page.get_by_role("button", name="Plan opslaan").click()
    page.get_by_text("Het plan is opgeslagen als nieuwe versie.").wait_for()
    assert "Inburgeringstermijn" in page.locator("#pip-title").locator("..").inner_text()
    axe.check(page)


def test_a_household_plan_shows_goals_per_member(page, axe):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(username="regisseur.gezin", role=Role.DIRECTOR, organisation=municipality)
    mother = ParticipantFactory(municipality=municipality, given_name="Fatma", family_name="Kaya")
    son = ParticipantFactory(municipality=municipality, given_name="Emre", family_name="Kaya")
    household = household_add_member(participant=mother, relation="ouder", name="Gezin Kaya").household
    household_add_member(participant=son, relation="kind", household=household)
    for person in (mother, son):
        TeamAssignmentFactory(participant=person, member=director, role=TeamRole.DIRECTOR)
    plan_services.plan_save(
        household=household,
        actor=director,
        expected_version=0,
        goals=[
            {"member": str(mother.uuid), "life_domain": "taal", "description": "Taalles volgen", "status": "open"},
            {"member": str(son.uuid), "life_domain": "gezin", "description": "Naar de voorschool", "status": "open"},
        ],
        agreements=[],
    )
    login_with_keyboard(page, "regisseur.gezin")
    page.goto(f"/deelnemers/{son.uuid}/")
    page.get_by_role("link", name="Gezinsplan").click()
    table = page.get_by_role("table")
    assert "Fatma Kaya" in table.inner_text() and "Naar de voorschool" in table.inner_text()
    axe.check(page)
    page.get_by_role("link", name="Gezinsplan wijzigen").click()
    assert page.get_by_label("Voor wie").first.input_value() == str(mother.uuid)
    axe.check(page)


def test_a_referral_is_made_with_consent_and_accepted_by_the_other_organisation(page, axe):
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory(kind=OrganisationKind.REINTEGRATION, name="Leerwerkbedrijf Noord")
    director = UserFactory(username="regisseur.aanmelding", role=Role.DIRECTOR, organisation=municipality)
    UserFactory(username="teamleider.noord", role=Role.TEAM_LEAD, organisation=partner)
    UserFactory(role=Role.COACH, organisation=partner, first_name="Bas", last_name="Begeleider")
    participant = ParticipantFactory(municipality=municipality, given_name="Lina", family_name="Haddad")
    TeamAssignmentFactory(participant=participant, member=director)
    sharing_grant(
        participant=participant,
        organisation=partner,
        category="traject",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=director,
    )
    login_with_keyboard(page, "regisseur.aanmelding")
    page.goto(f"/deelnemers/{participant.uuid}/")
    page.get_by_role("link", name="Aanmelden bij een andere organisatie").click()
    page.get_by_label("Aanmelden bij").select_option(label="Leerwerkbedrijf Noord")
    page.get_by_label("Waarom meldt u aan, en wat vraagt u?").fill("Zoekt een leerwerkplek in de logistiek")
    axe.check(page)
    page.get_by_role("button", name="Aanmelding versturen").click()
    page.get_by_text("De aanmelding is verstuurd.").wait_for()

    page.context.clear_cookies()
    login_with_keyboard(page, "teamleider.noord")
    page.get_by_role("link", name="Aanmeldingen").click()
    axe.check(page)
    page.get_by_role("link", name="Lina Haddad").click()
    page.get_by_text("Zoekt een leerwerkplek in de logistiek").wait_for()
    page.get_by_label("Accepteren").check()
    page.get_by_label("Wie gaat de deelnemer begeleiden?").select_option(label="Bas Begeleider")
    axe.check(page)
    page.get_by_role("button", name="Antwoord opslaan").click()
    page.get_by_text("Uw antwoord op de aanmelding is opgeslagen.").wait_for()
    assert "Geaccepteerd (Bas Begeleider)" in page.get_by_role("table").first.inner_text()
