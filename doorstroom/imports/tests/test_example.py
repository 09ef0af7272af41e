"""The example in docs/import-voorbeeld/ imports on the demo's municipality and reproduces the
figures the Dordrecht pilot reported: 54 participants, 25 doorgestroomd, 40 outcome mentions."""

from pathlib import Path

from django.conf import settings

import pytest

from doorstroom.imports import services
from doorstroom.monitoring import services as report_services
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "import-voorbeeld"


def example_files() -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in sorted(EXAMPLE.glob("*.csv"))]


def table(report, code, part="geheel"):
    found = next(p for p in report["parts"] if p["key"] == part)
    shown = next(t for t in found["tables"] if t["code"] == code)
    return {row["key"]: {k: v["value"] for k, v in row["cells"].items() if k != "label"} for row in shown["rows"]}


@pytest.fixture
def enschede_director():
    enschede = OrganisationFactory(name="Gemeente Enschede", municipality=True)
    return UserFactory(username="regisseur.import", role=Role.DIRECTOR, organisation=enschede)


def test_the_example_imports_and_reproduces_the_reported_figures(enschede_director):
    outcome = services.import_files(user=enschede_director, files=example_files(), write=True)
    assert outcome.problems == []
    assert outcome.written and outcome.participants == 54
    assert outcome.counts["deelnemers"]["nieuw"] == 54
    assert outcome.counts["trajecten"]["nieuw"] == 56  # two moved on to the stabilisation route
    p = report_services.parameters_from(
        enschede_director,
        {"programma": ["dordrecht-onderwijs", "dordrecht-participatie", "dordrecht-stabilisatie"]},
    )
    report, _members = report_services.report_compute(enschede_director, p)
    funnel = {key: cells["count"] for key, cells in table(report, "trechter").items()}
    assert funnel["aangemeld"] == 54  # the pilot as one whole: a transfer stays one trajectory
    assert funnel["doorgestroomd"] == 25
    outcomes = table(report, "resultaten")
    assert {key: cells["mentions"] for key, cells in outcomes.items()} == {
        "certificaat": 15,
        "stage": 8,
        "vrijwilligerswerk": 8,
        "betaald_werk": 6,
        "opleiding_gestart": 3,
        "totaal": 40,
    }
    assert outcomes["totaal"]["persons"] == 25  # 40 mentions over 25 people


def test_the_same_files_again_change_nothing(enschede_director):
    first = services.import_files(user=enschede_director, files=example_files(), write=True)
    assert first.written
    again = services.import_files(user=enschede_director, files=example_files(), write=True)
    assert again.problems == [] and not again.written
    assert all(counts["nieuw"] == 0 and counts["gewijzigd"] == 0 for counts in again.counts.values())
    assert again.counts["deelnemers"]["ongewijzigd"] == 54
