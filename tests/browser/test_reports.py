"""The report page in a real browser: a project leader chooses a programme with the keyboard, reads
the tables (small counts hidden), and the page passes axe; a director follows a count to names."""

from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.enrollments import services
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

from .test_coach_flow import login_with_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def report_world():
    municipality = OrganisationFactory(municipality=True, name="Gemeente Rapportstad")
    director = UserFactory(username="regisseur.rapport", role=Role.DIRECTOR, organisation=municipality)
    UserFactory(username="projectleider.rapport", role=Role.PROJECT_LEADER, organisation=municipality)
    programme = ProgrammeFactory(name="Werkroute", code="werkroute")
    for n in range(9):
        participant = ParticipantFactory(municipality=municipality, given_name=f"Lid{n}", family_name="Werkroute")
        TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
        enrollment = services.enrollment_enrol(
            participant=participant,
            programme=programme,
            actor=director,
            referred_by=municipality,
            on=clock.today() - timedelta(days=80),
        )
        services.enrollment_record(
            enrollment=enrollment, actor=director, event_type="gestart", on=clock.today() - timedelta(days=70)
        )
        if n < 2:
            services.enrollment_record(
                enrollment=enrollment,
                actor=director,
                event_type="uitgevallen",
                on=clock.today() - timedelta(days=20),
                reason_code="motivatie",
            )
    return {"programme": programme}


def test_a_project_leader_reads_a_programme_report_with_the_keyboard(page, axe, report_world):
    login_with_keyboard(page, "projectleider.rapport", lands_on="**/rapportages/")
    page.get_by_role("heading", name="Rapportages").wait_for()  # the project leader starts on the reports
    axe.check(page)
    page.get_by_label("Programma's").select_option(label="Werkroute")
    page.get_by_role("button", name="Toon de cijfers").press("Enter")
    funnel = page.get_by_role("table", name="Trechter")
    funnel.wait_for(timeout=60_000)
    assert funnel.get_by_role("row", name="Aangemeld").get_by_role("cell").first.inner_text() == "9"
    assert funnel.get_by_role("row", name="Uitgevallen").get_by_role("cell").first.inner_text() == "<5"
    assert "Lid0" not in page.locator("main").inner_text()  # no names
    axe.check(page)


def test_a_director_follows_a_count_to_the_people_behind_it(page, axe, report_world):
    login_with_keyboard(page, "regisseur.rapport")
    page.goto("/rapportages/?programma=werkroute")
    page.wait_for_load_state("networkidle")  # the charts are loaded: the next request is not queued behind them
    funnel = page.get_by_role("table", name="Trechter")
    funnel.get_by_role("row", name="Uitgevallen").get_by_role("link", name="2").click()
    page.get_by_role("heading", name="Deelnemers achter dit cijfer").wait_for(timeout=60_000)
    names = page.locator("main li").all_inner_texts()
    assert names == ["Lid0 Werkroute", "Lid1 Werkroute"]
    axe.check(page)
