"""The PIP of the Wet inburgering: each version a decision, the three-year term from the day after
the first decision, switching route only within 18 months, MAP not in the education route, and
ontzorgen only for status holders on social assistance."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from rest_framework.test import APIClient

from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import BenefitStatus, ResidenceStatus
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import rules, selectors, services
from doorstroom.plans.models import PlanVersion

TODAY = clock.today()
FIRST = {"pip_decided_on": date(2025, 3, 14), "learning_route": "b1", "map_intensity": "40 uur", "pvt_intensity": "6x"}


def problems(pip, previous=None, first=None, **extra):
    kwargs = {"has_duty": True, "may_be_relieved": False, "today": date(2026, 11, 1)} | extra
    return rules.pip_problems(pip, previous=previous, first_decided_on=first, **kwargs)


def test_the_term_starts_the_day_after_the_first_decision_and_lasts_three_years():
    assert rules.integration_term(date(2025, 3, 14)) == {
        "starts_on": date(2025, 3, 15),
        "ends_on": date(2028, 3, 14),
        "switch_until": date(2026, 9, 14),
    }
    # a month without the day: the last day of that month
    assert rules.add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert rules.add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)


def test_a_first_pip_needs_a_route_map_and_pvt_and_a_date_not_in_the_future():
    assert problems(FIRST) == {}
    assert problems({}) == {}  # no PIP yet: a draft plan
    assert set(problems({"learning_route": "b1"})) == {"pip_decided_on", "map_intensity", "pvt_intensity"}
    assert set(problems({**FIRST, "pip_decided_on": date(2026, 12, 1)})) == {"pip_decided_on"}
    assert set(problems({**FIRST, "learning_route": "c1"})) == {"learning_route"}
    assert set(problems({**FIRST, "learning_route": "onderwijs"})) == {"map_intensity"}  # no MAP there
    assert problems({**FIRST, "learning_route": "onderwijs", "map_intensity": ""}) == {}
    assert set(problems({**FIRST, "pip_change_reason": "schakelen"})) == {"pip_change_reason"}


def test_without_a_duty_there_is_no_pip():
    assert set(problems(FIRST, has_duty=False)) == set(FIRST)


def test_every_later_version_is_a_decision_and_switching_is_only_possible_within_18_months():
    later = {**FIRST, "pip_decided_on": date(2026, 9, 14)}
    assert problems(later, previous=FIRST, first=FIRST["pip_decided_on"]) == {}
    assert set(problems({**later, "pip_decided_on": None}, previous=FIRST, first=date(2025, 3, 14))) == {
        "pip_decided_on"
    }
    assert set(problems({**later, "pip_decided_on": date(2025, 1, 1)}, previous=FIRST, first=date(2025, 3, 14))) == {
        "pip_decided_on"
    }
    switch = {**later, "learning_route": "z"}
    assert set(problems(switch, previous=FIRST, first=date(2025, 3, 14))) == {"pip_change_reason"}
    assert problems({**switch, "pip_change_reason": "schakelen"}, previous=FIRST, first=date(2025, 3, 14)) == {}
    too_late = {**switch, "pip_change_reason": "schakelen", "pip_decided_on": date(2026, 9, 15)}
    assert "18 maanden" in problems(too_late, previous=FIRST, first=date(2025, 3, 14))["learning_route"]


def test_ontzorgen_only_for_status_holders_on_social_assistance():
    relieved = {**FIRST, "ontzorgen_until": date(2025, 9, 14)}
    assert set(problems(relieved)) == {"ontzorgen_until"}
    assert problems(relieved, may_be_relieved=True) == {}
    assert set(problems({**relieved, "ontzorgen_until": date(2025, 1, 1)}, may_be_relieved=True)) == {"ontzorgen_until"}


def test_the_difference_names_a_route_switch():
    lines = rules.difference(
        {"learning_route": "b1", "goals": [], "agreements": []}, {"learning_route": "z", "goals": [], "agreements": []}
    )
    assert lines == ["Leerroute: B1-route → Zelfredzaamheidsroute (Z-route)"]


@pytest.mark.django_db
def test_the_service_keeps_the_term_from_the_first_decision_and_refuses_a_late_switch():
    actor = UserFactory(role=Role.DIRECTOR)
    person = ParticipantFactory(civic_integration_duty=True)
    first_day = TODAY - timedelta(days=600)
    services.plan_save(
        participant=person,
        actor=actor,
        expected_version=0,
        goals=[],
        agreements=[],
        pip={**FIRST, "pip_decided_on": first_day},
    )
    services.plan_save(
        participant=person,
        actor=actor,
        expected_version=1,
        goals=[],
        agreements=[],
        pip={**FIRST, "pip_decided_on": TODAY, "pip_change_reason": "overig", "pvt_intensity": "8x"},
    )
    term = selectors.integration_term_of(person)
    assert term is not None and term["starts_on"] == first_day + timedelta(days=1)  # later versions do not move it
    with pytest.raises(DomainError) as refused:
        services.plan_save(
            participant=person,
            actor=actor,
            expected_version=2,
            goals=[],
            agreements=[],
            pip={**FIRST, "pip_decided_on": TODAY, "learning_route": "z", "pip_change_reason": "schakelen"},
        )
    assert refused.value.field == "learning_route"
    assert PlanVersion.objects.filter(plan__participant=person).count() == 2


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(
        municipality=municipality,
        civic_integration_duty=True,
        residence_status=ResidenceStatus.ASYLUM_PERMIT,
        benefit_status=BenefitStatus.SOCIAL_ASSISTANCE,
    )
    TeamAssignmentFactory(participant=participant, member=director)
    return {"director": director, "participant": participant}


def page_data(version, **pip):
    return {
        "version": version,
        "doelen-TOTAL_FORMS": "0",
        "doelen-INITIAL_FORMS": "0",
        "afspraken-TOTAL_FORMS": "0",
        "afspraken-INITIAL_FORMS": "0",
        **{f"pip-{k}": v for k, v in pip.items()},
    }


@pytest.mark.django_db
def test_on_the_page_the_pip_is_a_decision_with_its_term_and_bad_input_is_named(client, world):
    from pypdf import PdfReader

    p = world["participant"]
    client.force_login(world["director"])
    url = f"/deelnemers/{p.uuid}/plan/wijzigen/"
    assert 'name="pip-learning_route"' in client.get(url).content.decode()
    decided = TODAY - timedelta(days=3)
    bad = client.post(
        url,
        page_data(
            0,
            pip_decided_on=decided.isoformat(),
            learning_route="onderwijs",
            map_intensity="40 uur",
            pvt_intensity="6x",
        ),
    )
    assert bad.status_code == 400 and "In de onderwijsroute is er geen MAP" in bad.content.decode()
    assert '<p class="form-error" id="id_pip-map_intensity-error">In de onderwijsroute' in bad.content.decode()
    good = page_data(
        0,
        pip_decided_on=decided.isoformat(),
        learning_route="b1",
        map_intensity="40 uur praktijk",
        pvt_intensity="6 bijeenkomsten",
        ontzorgen_until=(decided + timedelta(days=180)).isoformat(),
    )
    assert client.post(url, good).status_code == 302
    detail = client.get(f"/deelnemers/{p.uuid}/plan/").content.decode()
    end = rules.integration_term(decided)["ends_on"]
    assert "B1-route" in detail and f"{end.day} " in detail and str(end.year) in detail
    # the next version asks for a new decision date
    again = client.post(url, page_data(1, learning_route="b1", map_intensity="40 uur", pvt_intensity="6x"))
    assert again.status_code == 400 and "Elke versie van het PIP is een besluit" in again.content.decode()
    pdf = client.get(f"/deelnemers/{p.uuid}/plan/plan-van-aanpak.pdf")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages).split())
    assert "U volgt de B1-route" in text and "40 uur praktijk" in text


@pytest.mark.django_db
def test_the_api_reads_and_writes_the_pip_and_names_the_field(world):
    api = APIClient()
    api.force_authenticate(world["director"])
    url = f"/api/v1/deelnemers/{world['participant'].uuid}/plan/"
    empty = api.get(url).json()
    assert empty["learning_route"] == "" and empty["integration_term"] is None
    body = {"version": 0, "goals": [], "agreements": [], **FIRST, "pip_decided_on": TODAY.isoformat()}
    saved = api.put(url, body, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["integration_term"]["starts_on"] == (TODAY + timedelta(days=1)).isoformat()
    late = api.put(
        url, {**body, "version": 1, "pip_decided_on": (TODAY + timedelta(days=2)).isoformat()}, format="json"
    )
    assert late.status_code == 400 and late.json()["errors"][0]["field"] == "pip_decided_on"
    other = ParticipantFactory(municipality=world["participant"].municipality, civic_integration_duty=False)
    TeamAssignmentFactory(participant=other, member=world["director"])
    refused = api.put(f"/api/v1/deelnemers/{other.uuid}/plan/", body, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "pip_decided_on"
