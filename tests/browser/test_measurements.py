"""Recording measurements in the browser, and the progress page (chart and table) under axe."""

import base64
from datetime import timedelta

from django.apps import apps

import pytest

from doorstroom.core import clock
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.measurements import catalogue, services
from doorstroom.measurements.models import MeasurementType
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

from .test_coach_flow import login_with_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_director_records_language_levels_and_reads_the_progress(page, axe, tmp_path):
    catalogue.load(apps)  # a transactional test starts from an emptied database: load the instruments again
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(username="regisseur.test", role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, given_name="Amal", family_name="Yusuf")
    TeamAssignmentFactory(participant=participant, member=director)
    services.measurement_record(
        participant=participant,
        measurement_type=MeasurementType.objects.get(code="taalniveau"),
        moment="nulmeting",
        measured_on=clock.today() - timedelta(days=120),
        scores={"lezen": 1, "luisteren": 2, "schrijven": 0, "spreken": 1},
        actor=director,
    )
    services.measurement_record(
        participant=participant,
        measurement_type=MeasurementType.objects.get(code="zrm"),
        moment="nulmeting",
        measured_on=clock.today() - timedelta(days=120),
        scores={"FIN": 2, "WRK": 1, "HUI": 3, "NET": 2, "GGZ": 3},
        actor=director,
    )
    login_with_keyboard(page, "regisseur.test")
    page.goto(f"/deelnemers/{participant.uuid}/")
    page.get_by_role("link", name="Metingen en voortgang").click()
    page.get_by_role("link", name="Taalniveau Nederlands (ERK) vastleggen").click()
    axe.check(page)
    page.get_by_label("Lezen").select_option(label="B1")
    page.get_by_label("Luisteren").select_option(label="A2")
    page.get_by_label("Spreken").select_option(label="A2")
    page.get_by_label("Bron").select_option(label="Taaltoets")
    page.get_by_role("button", name="Meting opslaan").click()
    page.get_by_text("De meting is opgeslagen.").wait_for()
    table = page.get_by_role("table", name="Taalniveau Nederlands (ERK): nulmeting en laatste meting per onderdeel")
    assert "Lezen A1 B1 +2" in " ".join(table.inner_text().split())
    chart = page.locator("img.chart__image").first
    assert chart.evaluate("image => image.complete && image.naturalWidth > 0")  # the picture loads under the CSP
    drawn = base64.b64decode(chart.get_attribute("src").split(",", 1)[1]).decode()
    # eight bars (four skills at two moments) besides the figure's and the axes' own patches
    assert "Lezen" in drawn and drawn.count('id="patch_') >= 10
    axe.check(page)
    page.screenshot(path=str(tmp_path / "metingen.png"), full_page=True)
