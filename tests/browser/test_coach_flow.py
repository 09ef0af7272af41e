"""A coach logs in with the keyboard, registers and enrols a participant, moves them through phases,
and sees the timeline and the board; every page passes axe (WCAG 2.1 A/AA)."""

from datetime import timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError

from doorstroom.core import clock
from doorstroom.enrollments import services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Wachtwoord-voor-tests-1"


@pytest.fixture
def coach_world():
    municipality = OrganisationFactory(municipality=True, name="Gemeente Teststad")
    partner = OrganisationFactory(name="Re-integratie Test")
    partner.works_for.add(municipality)
    coach = UserFactory(username="coach.test", role=Role.COACH, organisation=partner, first_name="Carla")
    programme = ProgrammeFactory(name="Taal en werk", code="taal-en-werk")
    existing = ParticipantFactory(municipality=municipality, given_name="Bestaand", family_name="Persoon")
    TeamAssignmentFactory(participant=existing, member=coach)
    enrollment = services.enrollment_enrol(
        participant=existing,
        programme=programme,
        actor=coach,
        referred_by=partner,
        on=clock.today() - timedelta(days=40),
    )
    services.enrollment_record(
        enrollment=enrollment, actor=coach, event_type="gestart", on=clock.today() - timedelta(days=35)
    )
    return {"coach": coach, "programme": programme, "municipality": municipality}


def wait_until(page, expression: str, timeout_ms: int = 10_000) -> None:
    """Poll a condition with page.evaluate: Playwright's wait_for_function needs eval, which our CSP
    rightly forbids."""
    for _ in range(timeout_ms // 50):
        try:
            if page.evaluate(expression):
                return
        except PlaywrightError as error:  # a navigation replaced the page between two polls: poll again
            if "Execution context was destroyed" not in str(error):
                raise
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {expression}")


def login_with_keyboard(page, username, lands_on="**/mijn-deelnemers/"):
    page.goto("/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # logo
    page.get_by_label("Gebruikersnaam").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lands_on)


def test_coach_registers_enrols_and_moves_a_participant(page, axe, coach_world):
    page.goto("/inloggen/")
    axe.check(page)
    login_with_keyboard(page, "coach.test")
    assert page.get_by_role("heading", name="Mijn deelnemers").is_visible()
    assert page.get_by_role("link", name="Bestaand Persoon").is_visible()
    axe.check(page)

    page.get_by_role("link", name="Nieuwe deelnemer").click()
    axe.check(page)
    page.get_by_label("Voornaam").fill("Yonas")
    page.get_by_label("Achternaam").fill("Berhane")
    page.get_by_label("Geboortedatum").fill("1998-03-04")
    page.get_by_label("BSN").fill("123456789")
    page.get_by_role("button", name="Opslaan").click()
    error = page.locator("#id_bsn-error")
    assert "elfproef" in error.inner_text()
    assert page.get_by_label("BSN").get_attribute("aria-invalid") == "true"
    axe.check(page)
    page.get_by_label("BSN").fill("123456782")
    page.get_by_label("Verblijfsstatus").select_option("asiel")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("heading", name="Yonas Berhane").wait_for()
    axe.check(page)

    page.get_by_role("link", name="Aanmelden voor een programma").click()
    axe.check(page)
    page.get_by_label("Programma").select_option(label="Taal en werk")
    page.get_by_role("button", name="Aanmelden").click()
    card = page.locator("section.card").first
    card.get_by_role("link", name="Start registreren").click()  # HTMX loads the form in place
    page.get_by_role("button", name="Opslaan").wait_for()
    axe.check(page)
    page.get_by_role("button", name="Opslaan").click()
    card.locator("ol.timeline").get_by_text("Gestart: Taal").wait_for()
    assert "Actief" in card.inner_text()

    card.get_by_role("link", name="Naar andere fase").click()
    page.get_by_role("button", name="Opslaan").click()
    card.locator("ol.timeline").get_by_text("Naar andere fase: Werk").wait_for()
    timeline = card.locator("ol.timeline").inner_text()
    assert "Aangemeld" in timeline and "Gestart" in timeline and "Naar andere fase" in timeline
    axe.check(page)

    card.get_by_role("link", name="Pauzeren").click()
    page.get_by_role("button", name="Opslaan").click()
    page.locator("#id_reason_code-error").wait_for()
    assert "Kies een reden" in page.locator("#id_reason_code-error").inner_text()
    axe.check(page)

    page.get_by_role("link", name="Programma's").click()
    page.get_by_role("link", name="Taal en werk", exact=True).click()
    board = page.locator(".board")
    assert "Yonas Berhane" in board.locator("section", has_text="Werk").inner_text()
    assert "Bestaand Persoon" in board.locator("section", has_text="Taal").inner_text()
    axe.check(page)

    page.get_by_role("link", name="Zoeken").click()
    page.get_by_label("Naam of BSN").fill("Berhane")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Yonas Berhane").wait_for()
    axe.check(page)

    page.get_by_role("link", name="Mijn deelnemers").click()
    assert page.get_by_role("link", name="Yonas Berhane").is_visible()
    assert len(axe.pages) >= 11


def test_the_interface_switches_to_english(page, axe, coach_world):
    login_with_keyboard(page, "coach.test")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="My participants").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    axe.check(page)


def test_a_stranger_sees_no_trace_of_another_file(page, coach_world):
    other_municipality = OrganisationFactory(municipality=True)
    stranger = UserFactory(username="vreemde", role=Role.DIRECTOR, organisation=other_municipality)
    hidden = ParticipantFactory(municipality=coach_world["municipality"], given_name="Geheim")
    login_with_keyboard(page, stranger.username)
    response = page.goto(f"/deelnemers/{hidden.uuid}/")
    assert response.status == 404
    assert "Geheim" not in page.content()


def test_a_lifecycle_step_can_be_recorded_with_the_keyboard_alone(page, axe, coach_world):
    login_with_keyboard(page, "coach.test")
    page.get_by_role("link", name="Bestaand Persoon").focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Pauzeren").focus()
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement && document.activeElement.name === 'occurred_on'")
    page.wait_for_timeout(300)  # let htmx finish settling (it sets the autofocus once more)
    page.wait_for_load_state("load")
    for _ in range(12):  # through the date's day, month and year segments to the reason
        page.keyboard.press("Tab")
        page.wait_for_timeout(30)
        if page.evaluate("document.activeElement.name") == "reason_code":
            break
    assert page.evaluate("document.activeElement.name") == "reason_code"
    page.keyboard.press("ArrowDown")  # first reason
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Opslaan":
            break
    page.keyboard.press("Enter")
    page.get_by_text("De stap is opgeslagen.").wait_for()
    # htmx moves focus to the autofocus element after it settles the swap
    wait_until(page, "document.activeElement && document.activeElement.getAttribute('role') === 'status'")
    assert "Gepauzeerd" in page.locator("section.card").first.inner_text()
    axe.check(page)
