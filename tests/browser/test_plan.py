"""Drawing up a plan with a goal and a four-window agreement in the browser, under axe."""

from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

from .test_coach_flow import login_with_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_director_draws_up_a_plan(page, axe):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(username="regisseur.test", role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, given_name="Amal", family_name="Yusuf")
    TeamAssignmentFactory(participant=participant, member=director)
    login_with_keyboard(page, "regisseur.test")
    page.goto(f"/deelnemers/{participant.uuid}/")
    page.get_by_role("link", name="Plan van aanpak").click()
    page.get_by_role("link", name="Plan opstellen").click()
    axe.check(page)
    goal = page.get_by_role("group", name="Nieuw doel")
    goal.get_by_label("Leefgebied").select_option(label="Werk")
    goal.get_by_label("Doel").fill("Een stage in de zorg vinden")
    agreement = page.get_by_role("group", name="Nieuwe afspraak")
    agreement.get_by_label("Wie doet wat?").fill("Amal belt twee zorginstellingen")
    agreement.get_by_label("Klaar op").fill((clock.today() + timedelta(days=14)).isoformat())
    agreement.get_by_label("Wie bewaakt de afspraak?").fill("De coach")
    agreement.get_by_label("Wat gebeurt er als het niet lukt?").fill("We bellen samen")
    agreement.get_by_label("Wanneer kijken we terug?").fill((clock.today() + timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Plan opslaan").click()
    page.get_by_text("Het plan is opgeslagen als nieuwe versie.").wait_for()
    assert "Een stage in de zorg vinden" in page.content()
    assert "We bellen samen" in page.locator(".four-windows").inner_text()
    axe.check(page)
