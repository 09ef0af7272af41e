"""The first day of a new partner-organisation coach on the demo: register a participant, enrol
them, and open their plan, contacts and intake without anyone else acting (the programme's
approved data needs share what the coach's work needs); a category the work does not need is
refused with the reason and whom to ask."""

from datetime import date

from django.apps import apps

import pytest

from doorstroom.demo.generator import DEMO_PASSWORD, generate
from doorstroom.measurements import catalogue
from doorstroom.participants.models import Participant, SharingGrant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username: str) -> None:
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/mijn-deelnemers/")


@pytest.fixture
def demo():
    catalogue.load(apps)  # a transactional test starts from an emptied database
    generate(participants=12, seed=7, today=date.today())


def test_a_partner_coach_registers_enrols_and_opens_plan_contacts_and_intake(page, axe, demo):
    login(page, "coach.5050")
    page.get_by_role("link", name="Nieuwe deelnemer").click()
    page.get_by_label("Voornaam").fill("Nadia")
    page.get_by_label("Achternaam").fill("Haddou")
    page.get_by_label("Geboortedatum").fill("1994-05-17")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("heading", name="Nadia Haddou").wait_for()
    participant = Participant.objects.get(given_name="Nadia", family_name="Haddou")

    page.get_by_role("link", name="Aanmelden voor een programma").click()
    page.get_by_label("Programma").select_option(label="Werkproces complexe gezinnen (Enschede)")
    page.get_by_role("button", name="Aanmelden").click()
    page.get_by_role("heading", name="Nadia Haddou").wait_for()
    # the approved needs of the programme became ordinary grants for 50|50 Workcenter
    shared = set(
        SharingGrant.objects.filter(participant=participant, withdrawn_on__isnull=True, origin="werk").values_list(
            "category", flat=True
        )
    )
    assert shared == {"contact", "plan", "metingen", "notities"}
    file_page = page.locator("main").inner_text()
    assert "Niet gedeeld met uw organisatie: Werk en opleiding" in file_page
    axe.check(page)

    for path, heading in (("plan/", "Plan van aanpak"), ("contacten/", "Contacten"), ("intake/", "Brede intake")):
        response = page.goto(f"/deelnemers/{participant.uuid}/{path}")
        assert response is not None and response.status == 200, path
        assert heading.lower() in page.locator("h1").inner_text().lower(), path
        axe.check(page)

    # school and work are not what the coach's work in this programme needs: the refusal says what
    # is not shared with which organisation, and whom to ask
    response = page.goto(f"/deelnemers/{participant.uuid}/school/")
    assert response is not None and response.status == 403
    reason = page.locator("main").inner_text()
    assert "‘Werk en opleiding’" in reason and "(50|50 Workcenter)" in reason and "Gemeente Enschede" in reason
    assert "rol" not in reason.lower()
    axe.check(page)
