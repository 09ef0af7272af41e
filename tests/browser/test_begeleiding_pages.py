"""The begeleiding pages under axe: caseload with the contact column and signal badges, recording a
contact in place (HTMX), the contacts page, the signals dashboard, the broad intake and the
handover of direction."""

from datetime import timedelta

from django.apps import apps

import pytest

from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import TeamRole
from doorstroom.measurements import catalogue
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.signalering import services as signal_services

from .test_coach_flow import login_with_keyboard, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_begeleiding_pages_pass_axe(page, axe):
    catalogue.load(apps)  # a transactional test starts from an emptied database
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(username="regisseur.test", role=Role.DIRECTOR, organisation=municipality)
    UserFactory(role=Role.DIRECTOR, organisation=municipality, first_name="Bram", last_name="Tweede")
    participant = ParticipantFactory(municipality=municipality, given_name="Amal", family_name="Yusuf")
    enrollment_services.team_assign(
        participant=participant, member=director, role=TeamRole.DIRECTOR, starts_on=clock.today() - timedelta(days=40)
    )
    enrollment_services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(),
        actor=director,
        referred_by=municipality,
        on=clock.today() - timedelta(days=40),
    )
    signal_services.signals_refresh(today=clock.today())
    login_with_keyboard(page, "regisseur.test")
    assert page.get_by_role("link", name="1 signaal").count() == 1
    axe.check(page)
    # htmx must have processed the page, or the click follows the link to the full page instead
    wait_until(page, "document.readyState === 'complete' && typeof window.htmx !== 'undefined'")
    page.get_by_role("link", name="Contact vastleggen met Amal Yusuf").click()
    # the swapped-in form must be processed by htmx too, or a quick click posts it as a whole page
    wait_until(page, "!!document.querySelector('form[hx-post]')?.['htmx-internal-data']")
    page.get_by_role("button", name="Contact opslaan").click()
    page.get_by_text("Contact met Amal Yusuf opgeslagen.").wait_for()
    axe.check(page)
    page.goto(f"/deelnemers/{participant.uuid}/contacten/")
    assert "Individueel gesprek" in page.content()
    axe.check(page)
    page.get_by_role("link", name="Signalen").first.click()
    page.wait_for_url("**/signalen/**")
    axe.check(page)
    page.goto(f"/deelnemers/{participant.uuid}/intake/")
    axe.check(page)
    page.goto(f"/deelnemers/{participant.uuid}/regie/")
    axe.check(page)
    page.get_by_label("Nieuwe regisseur").select_option(label=f"Bram Tweede ({municipality.name})")
    page.get_by_role("button", name="Regie overdragen").click()
    page.get_by_text("De regie is overgedragen.").wait_for()
