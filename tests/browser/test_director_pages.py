"""A case director's pages and the participant's own view, each checked with axe (WCAG 2.1 A/AA)."""

from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.enrollments import services
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

from .test_coach_flow import login_with_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def director_world():
    municipality = OrganisationFactory(municipality=True, name="Gemeente Teststad")
    partner = OrganisationFactory(name="Re-integratie Test")
    partner.works_for.add(municipality)
    director = UserFactory(username="regisseur.test", role=Role.DIRECTOR, organisation=municipality)
    coach = UserFactory(role=Role.COACH, organisation=partner, first_name="Kees", last_name="Coach")
    account = UserFactory(username="deelnemer.test", role=Role.PARTICIPANT, organisation=municipality)
    participant = ParticipantFactory(
        municipality=municipality, given_name="Helen", family_name="Kidane", account=account, bsn="123456782"
    )
    programme = ProgrammeFactory(name="Taal en werk", code="taal-en-werk")
    enrollment = services.enrollment_enrol(
        participant=participant,
        programme=programme,
        actor=director,
        referred_by=municipality,
        on=clock.today() - timedelta(days=50),
    )
    services.enrollment_record(
        enrollment=enrollment, actor=director, event_type="gestart", on=clock.today() - timedelta(days=45)
    )
    return {"participant": participant, "coach": coach, "enrollment": enrollment}


def test_director_pages_pass_axe(page, axe, director_world):
    participant = director_world["participant"]
    login_with_keyboard(page, "regisseur.test")
    axe.check(page)
    page.get_by_role("link", name="Zoeken").click()
    page.get_by_label("Naam of BSN").fill("123456782")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Helen Kidane").click()
    page.wait_for_url(f"**/deelnemers/{participant.uuid}/")
    assert "123456782" in page.content()  # a director may see the BSN
    axe.check(page)

    page.get_by_role("link", name="Teamlid toevoegen").click()
    axe.check(page)
    page.get_by_label("Medewerker").select_option(label="Kees Coach (Re-integratie Test, Coach / trajectbegeleider)")
    assert page.get_by_label("Rol in het team").input_value() == "coach"
    page.get_by_role("button", name="Toevoegen").click()
    page.get_by_text("Het teamlid is toegevoegd.").wait_for()
    team = page.locator("section", has=page.get_by_role("heading", name="Team")).inner_text()
    assert "Kees Coach – Coach / begeleider" in team, team

    page.get_by_role("link", name="Huishouden vastleggen").click()
    axe.check(page)
    page.get_by_label("Relatie in het huishouden").select_option("ouder")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Huishouden Kidane").wait_for()

    page.get_by_role("link", name="Gegevens wijzigen").click()
    axe.check(page)
    page.get_by_label("Telefoonnummer").fill("0612345678")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("De gegevens zijn opgeslagen.").wait_for()

    enrollment = director_world["enrollment"]
    page.goto(f"/inschrijvingen/{enrollment.uuid}/stap/afgerond/")  # the full page, without HTMX
    axe.check(page)
    page.get_by_label("Stage").check()
    page.get_by_label("Betaald werk").check()
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(f"**/deelnemers/{participant.uuid}/")
    assert "Stage, Betaald werk" in page.content()
    axe.check(page)

    timeline_event = page.locator("ol.timeline li").nth(2)
    timeline_event.get_by_text("Corrigeren").click()
    timeline_event.get_by_label("Waarom klopt deze gebeurtenis niet?").fill("Nog niet afgerond, verkeerd geklikt")
    timeline_event.get_by_role("button", name="Correctie opslaan").click()
    page.get_by_text("De gebeurtenis is gecorrigeerd.").wait_for()
    assert "Corrigeert: Afgerond" in page.content()
    axe.check(page)

    page.get_by_role("link", name="Gegevens delen met een organisatie").click()
    axe.check(page)
    page.get_by_label("Organisatie").select_option(label="Re-integratie Test")
    sharing = page.get_by_role("group", name="Soort gegevens")
    sharing.get_by_label("Contactgegevens").check()
    sharing.get_by_label("Plan en doelen").check()
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("2 gegevensdelingen zijn vastgelegd.").wait_for()
    shared = page.locator("#sharing-title + .table-wrap").inner_text()
    assert "Contactgegevens" in shared and "Plan en doelen" in shared
    axe.check(page)

    page.get_by_role("link", name="Wie heeft dit dossier bekeken").click()
    rows = page.locator("#audit-trail tbody tr")
    rows.first.wait_for()  # the new page, not the one being left (count() does not wait)
    assert rows.count() >= 5
    from doorstroom.organisations.models import User

    first = rows.first.inner_text()
    assert User.objects.get(username="regisseur.test").get_full_name() in first  # staff see who looked
    assert "Klantregisseur" in first and "regie over uw traject" in first  # roles and purposes in words
    axe.check(page)

    page.get_by_role("link", name="Programma's").click()
    axe.check(page)
    page.goto("/deelnemers/00000000-0000-0000-0000-000000000000/")
    assert page.get_by_role("heading", name="Deze pagina bestaat niet of u mag haar niet zien").is_visible()
    axe.check(page)


def test_a_participant_sees_their_own_file_in_plain_dutch(page, axe, director_world):
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("deelnemer.test")
    page.get_by_label("Wachtwoord").fill("Wachtwoord-voor-tests-1")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Helen Kidane").wait_for()
    assert page.get_by_role("link", name="Zoeken").count() == 0
    assert page.get_by_role("link", name="Gegevens wijzigen").count() == 0
    axe.check(page)
