"""Studies and the way of working in a real browser: an evaluator asks for a study, the privacy
officer approves it, the evaluator downloads the extract; a director notes a buddy on a trajectory.
Every page passes axe."""

from datetime import timedelta
from pathlib import Path

import pytest

from doorstroom.core import clock
from doorstroom.enrollments import services
from doorstroom.enrollments.models import EnrollmentTag, TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.catalogue import load_context_tags
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.research.models import StudyExtract

from .test_coach_flow import login_with_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    load_context_tags()  # a transactional test starts from an emptied database
    municipality = OrganisationFactory(municipality=True, name="Gemeente Onderzoekstad")
    director = UserFactory(username="regisseur.werkwijze", role=Role.DIRECTOR, organisation=municipality)
    UserFactory(username="onderzoeker.browser", role=Role.EVALUATOR, organisation=municipality)
    UserFactory(username="privacy.browser", role=Role.PRIVACY_OFFICER, organisation=municipality)
    programme = ProgrammeFactory(code="onderzoeksroute", name="Onderzoeksroute")
    enrollments = []
    for n in range(6):
        participant = ParticipantFactory(municipality=municipality, given_name=f"Deelnemer{n}")
        TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
        enrollments.append(
            services.enrollment_enrol(
                participant=participant,
                programme=programme,
                actor=director,
                referred_by=municipality,
                on=clock.today() - timedelta(days=60),
            )
        )
    return {"enrollment": enrollments[0]}


def test_a_study_is_asked_approved_and_delivered(page, axe, world):
    login_with_keyboard(page, "onderzoeker.browser", lands_on="**/rapportages/")
    page.get_by_role("link", name="Onderzoek", exact=True).click()
    page.get_by_role("heading", name="Onderzoek en evaluatie").wait_for()
    axe.check(page)
    page.get_by_role("link", name="Onderzoek aanvragen").click()
    page.get_by_label("Titel").fill("Doorstroom in de onderzoeksroute")
    page.get_by_label("Doel en vraag van het onderzoek").fill("Hoe vaak en hoe snel stromen deelnemers door?")
    page.get_by_label("Onderzoeksroute").check()
    page.get_by_label("Aangemeld vanaf").fill((clock.today() - timedelta(days=365)).isoformat())
    page.get_by_label("Aangemeld tot en met").fill(clock.today().isoformat())
    axe.check(page)
    page.get_by_role("button", name="Aanvragen").click()
    page.get_by_text("de privacyfunctionaris besluit erover").wait_for()
    study_url = page.url
    assert page.get_by_role("button", name="Levering als Excel (met codeboek)").count() == 0
    axe.check(page)
    page.context.clear_cookies()

    login_with_keyboard(page, "privacy.browser", lands_on="**/inzageverzoeken/**")
    page.goto(study_url)
    page.get_by_label("Goedkeuren").check()
    axe.check(page)
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.get_by_text("Het besluit is vastgelegd.").wait_for()
    page.context.clear_cookies()

    login_with_keyboard(page, "onderzoeker.browser", lands_on="**/rapportages/")
    page.goto(study_url)
    with page.expect_download() as download:
        page.get_by_role("button", name="Levering als CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.startswith("deelnemer;traject;geboortejaar") and "Deelnemer0" not in content
    assert StudyExtract.objects.count() == 1
    axe.check(page)


def test_a_director_notes_the_way_of_working(page, axe, world):
    login_with_keyboard(page, "regisseur.werkwijze")
    page.goto(f"/deelnemers/{world['enrollment'].participant.uuid}/")
    page.get_by_role("link", name="Werkwijze vastleggen").first.click()
    page.get_by_role("heading", name="Werkwijze: Onderzoeksroute").wait_for()
    axe.check(page)
    page.get_by_label("Maatje").check()
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("De werkwijze van dit traject is opgeslagen.").wait_for()
    assert page.get_by_text("Maatje").count() >= 1
    assert EnrollmentTag.objects.filter(enrollment=world["enrollment"], tag__code="maatje").count() == 1
    axe.check(page)
