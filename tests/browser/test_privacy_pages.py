"""The pages of the privacy work in a real browser, under axe and the Content-Security-Policy check
of the `page` fixture: two user administrators change a role (one proposes, the other approves),
a staff member makes a personal API token, the privacy officer answers a written access request,
and the API documentation page runs without a CSP error."""

import pytest

from doorstroom.organisations.models import AccountChange, Role, User
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

from .test_coach_flow import login_with_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill("Wachtwoord-voor-tests-1")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def test_two_user_administrators_change_a_role_under_axe(page, axe):
    municipality = OrganisationFactory(municipality=True, name="Gemeente Rolstad")
    UserFactory(username="beheer.een", role=Role.USER_ADMINISTRATOR, organisation=municipality)
    UserFactory(username="beheer.twee", role=Role.USER_ADMINISTRATOR, organisation=municipality)
    coach = UserFactory(username="coach.rol", role=Role.COACH, organisation=municipality)
    _login(page, "beheer.een")
    page.get_by_role("link", name="Gebruikersbeheer").click()
    axe.check(page)
    page.get_by_role("link", name="coach.rol").click()
    axe.check(page)
    page.locator("#id_rol-role").select_option(Role.TEAM_LEAD)
    page.get_by_role("region", name="Nieuwe rol").get_by_role("button", name="Voorstellen").click()
    page.wait_for_load_state()
    assert "wacht een voorstel op goedkeuring" in page.content()
    assert User.objects.get(pk=coach.pk).role == Role.COACH
    page.get_by_role("button", name="Uitloggen").click()
    _login(page, "beheer.twee")
    page.goto("/gebruikers/")
    axe.check(page)
    page.get_by_role("button", name="Goedkeuren").click()
    page.wait_for_load_state()
    assert "Goedgekeurd en doorgevoerd" in page.content()
    assert User.objects.get(pk=coach.pk).role == Role.TEAM_LEAD
    assert AccountChange.objects.get().decided_by.username == "beheer.twee"


def test_a_personal_token_is_shown_once_and_the_api_docs_say_how(page, axe):
    UserFactory(username="coach.token", role=Role.COACH)
    login_with_keyboard(page, "coach.token")
    page.get_by_role("link", name="API-tokens").click()
    axe.check(page)
    page.get_by_label("Naam van het token").fill("Rapportagekoppeling")
    page.get_by_role("button", name="Token maken").click()
    token = page.locator("code.token").inner_text()
    assert token.startswith("ds_")
    axe.check(page)
    page.goto("/api-tokens/")
    assert token not in page.content() and "Rapportagekoppeling" in page.content()
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=20_000)
    assert "API-tokens" in page.content()  # the docs say how to get a token


def test_the_privacy_officer_answers_a_written_request(page, axe):
    municipality = OrganisationFactory(municipality=True, name="Gemeente Inzagestad")
    ParticipantFactory(municipality=municipality, bsn="999990019", family_name="Aanvrager")
    UserFactory(username="privacy.test", role=Role.PRIVACY_OFFICER, organisation=municipality)
    _login(page, "privacy.test")
    page.get_by_role("link", name="Inzageverzoeken").click()
    axe.check(page)
    page.get_by_label("BSN van de aanvrager").fill("999990020")
    page.get_by_label("Kenmerk van het schriftelijke verzoek").fill("SCHR-2026-4")
    page.get_by_role("button", name="Overzicht maken").click()
    page.wait_for_load_state()
    assert "Geen dossier met dit BSN" in page.content()
    axe.check(page)
    page.get_by_label("BSN van de aanvrager").fill("999990019")
    page.get_by_label("Als").select_option("pdf")
    with page.expect_download() as download:
        page.get_by_role("button", name="Overzicht maken").click()
    assert download.value.suggested_filename.endswith(".pdf")
