"""The import page in a real browser: a director chooses the example files, checks them (a preview,
nothing stored), imports them, and the pages pass axe; a bad file shows its problems in a table."""

from pathlib import Path

from django.apps import apps
from django.conf import settings

import pytest

from doorstroom.measurements import catalogue as measurement_catalogue
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import Participant
from doorstroom.programmes.catalogue import load_catalogue

from .test_coach_flow import login_with_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "import-voorbeeld"


def test_check_then_import_the_example(page, axe, tmp_path):
    load_catalogue()  # a transactional test starts from an emptied database
    measurement_catalogue.load(apps)
    enschede = OrganisationFactory(name="Gemeente Enschede", municipality=True)
    UserFactory(username="regisseur.inlezen", role=Role.DIRECTOR, organisation=enschede)
    login_with_keyboard(page, "regisseur.inlezen")
    page.get_by_role("link", name="Inlezen").click()
    page.get_by_role("heading", name="Trajecten inlezen").wait_for()
    axe.check(page)

    bad = tmp_path / "trajecten.csv"
    bad.write_text("extern_id;deelnemer;programma;aangemeld_op\nT1;K1;bestaat-niet;01-02-2022\n", encoding="utf-8")
    page.get_by_label("Bestanden").set_input_files([str(bad)])
    page.get_by_role("button", name="Controleren").click()
    page.get_by_text("er is niets opgeslagen").wait_for()
    problems = page.get_by_role("table", name="Problemen")
    assert "trajecten.csv" in problems.inner_text() and "Onbekend programma" in problems.inner_text()
    assert problems.get_by_role("row").filter(has_text="programma").count() == 1
    axe.check(page)

    page.get_by_label("Bestanden").set_input_files(sorted(str(p) for p in EXAMPLE.glob("*.csv")))
    page.get_by_role("button", name="Controleren").click()
    page.get_by_role("heading", name="Wat er zou gebeuren").wait_for()
    summary = page.get_by_role("table", name="Rijen per tabel")
    assert summary.get_by_role("row").filter(has_text="deelnemers").inner_text().split()[:2] == ["deelnemers", "54"]
    assert Participant.objects.count() == 0  # checked, not stored
    axe.check(page)
    page.get_by_role("button", name="Inlezen").click()
    page.get_by_text("De bestanden zijn ingelezen: 54 deelnemers.").wait_for()
    assert Participant.objects.count() == 54
    axe.check(page)
