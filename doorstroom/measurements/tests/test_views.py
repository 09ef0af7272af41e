import base64
import re
from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.measurements.models import Measurement
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.services import sharing_grant
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director)
    coach = UserFactory(role=Role.COACH)
    TeamAssignmentFactory(participant=participant, member=coach)
    return {"director": director, "coach": coach, "participant": participant, "municipality": municipality}


def zrm_post(days_ago, moment, **scores):
    data = {"moment": moment, "measured_on": (clock.today() - timedelta(days=days_ago)).isoformat()}
    data.update({f"score_{code}": str(value) for code, value in scores.items()})
    return data


def test_a_director_records_a_baseline_and_a_follow_up_and_sees_the_progress(client, world):
    p = world["participant"]
    client.force_login(world["director"])
    url = f"/deelnemers/{p.uuid}/metingen/nieuw/zrm/"
    assert client.post(url, zrm_post(60, "nulmeting", FIN=2, GGZ=1)).status_code == 302
    assert client.post(url, zrm_post(5, "vervolgmeting", FIN=4, GGZ=3)).status_code == 302
    page = client.get(f"/deelnemers/{p.uuid}/metingen/").content.decode()
    assert "2 Niet zelfredzaam" in page and "4 Voldoende zelfredzaam" in page and "+2" in page
    assert "Geestelijke gezondheid" in page  # the municipality's statutory task covers health
    assert "<table" in page
    chart = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)).decode()
    assert chart.startswith("<?xml") and "<svg" in chart
    assert "Geestelijke gezondheid" in chart  # drawn by matplotlib, text kept as text


def test_bad_input_is_refused_naming_the_field(client, world):
    p = world["participant"]
    client.force_login(world["director"])
    url = f"/deelnemers/{p.uuid}/metingen/nieuw/zrm/"
    response = client.post(url, zrm_post(5, "vervolgmeting", FIN=3))  # no baseline yet
    assert response.status_code == 400 and "moment" in response.context["form"].errors
    response = client.post(url, zrm_post(5, "nulmeting", FIN=9))
    assert response.status_code == 400 and "score_FIN" in response.context["form"].errors
    response = client.post(url, zrm_post(-2, "nulmeting", FIN=3))
    assert response.status_code == 400 and "measured_on" in response.context["form"].errors
    assert not Measurement.objects.exists()


def test_a_partner_coach_needs_consent_for_measurements_and_never_sees_health_without_it(client, world):
    p, coach = world["participant"], world["coach"]
    client.force_login(world["director"])
    client.post(f"/deelnemers/{p.uuid}/metingen/nieuw/zrm/", zrm_post(30, "nulmeting", FIN=2, GGZ=1, JUS=3))
    client.force_login(coach)
    assert client.get(f"/deelnemers/{p.uuid}/metingen/").status_code == 403
    sharing_grant(
        participant=p,
        organisation=coach.organisation,
        category="metingen",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=world["director"],
    )
    page = client.get(f"/deelnemers/{p.uuid}/metingen/").content.decode()
    assert "Financiën" in page and "Geestelijke gezondheid" not in page and "Justitie" not in page
    assert "4 onderdelen vallen onder gegevens die niet met u gedeeld zijn" in page
    form = client.get(f"/deelnemers/{p.uuid}/metingen/nieuw/zrm/").context["form"]
    assert "score_FIN" in form.fields and "score_GGZ" not in form.fields and "score_JUS" not in form.fields


def test_the_ladder_form_derives_the_rung(client, world):
    p = world["participant"]
    client.force_login(world["director"])
    answers = {
        "score_betaald_werk": "0",
        "score_ondersteuning_bij_werk": "0",
        "score_onbetaald_werk": "1",
        "score_georganiseerde_activiteit": "1",
        "score_sociaal_contact": "1",
    }
    data = {"moment": "nulmeting", "measured_on": clock.today().isoformat(), **answers}
    assert client.post(f"/deelnemers/{p.uuid}/metingen/nieuw/participatieladder/", data).status_code == 302
    assert "4 Onbetaald werk" in client.get(f"/deelnemers/{p.uuid}/metingen/").content.decode()


def test_a_screening_is_kept_apart_from_language_levels(client, world):
    p = world["participant"]
    client.force_login(world["director"])
    data = {"instrument": "taalmeter_1f", "screened_on": clock.today().isoformat(), "outcome": "mogelijk_probleem"}
    assert client.post(f"/deelnemers/{p.uuid}/taalscreening/", data).status_code == 302
    page = client.get(f"/deelnemers/{p.uuid}/metingen/").content.decode()
    assert "Taalmeter 1F" in page and "Mogelijk een leesprobleem" in page
    assert not Measurement.objects.exists()


def test_the_api_records_and_lists_measurements_within_the_callers_categories(world):
    from rest_framework.test import APIClient

    p, director, coach = world["participant"], world["director"], world["coach"]
    api = APIClient()
    api.force_authenticate(director)
    url = f"/api/v1/deelnemers/{p.uuid}/metingen/"
    body = {
        "measurement_type": "zrm",
        "moment": "nulmeting",
        "measured_on": clock.today().isoformat(),
        "scores": {"FIN": 2, "GGZ": 1},
    }
    created = api.post(url, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["scores"] == {"FIN": 2, "GGZ": 1}
    refused = api.post(url, {**body, "moment": "vervolgmeting", "scores": {"FIN": 7}}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "scores.FIN"
    sharing_grant(
        participant=p,
        organisation=coach.organisation,
        category="metingen",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=director,
    )
    api.force_authenticate(coach)
    assert api.get(url).json()[0]["scores"] == {"FIN": 2}  # health stays with those it is shared with
    assert api.post(url, {**body, "moment": "vervolgmeting"}, format="json").status_code == 403


def test_the_broad_intake_saves_several_baselines_together_or_nothing(client, world):
    p = world["participant"]
    client.force_login(world["director"])
    url = f"/deelnemers/{p.uuid}/intake/"
    page = client.get(url)
    assert page.status_code == 200 and "Zelfredzaamheid-Matrix" in page.content.decode()
    day = clock.today().isoformat()
    partial_ladder = {
        "measured_on": day,
        "taalniveau-score_lezen": "2",
        "participatieladder-score_betaald_werk": "0",
        "zrm-score_FIN": "3",
    }
    refused = client.post(url, partial_ladder)
    assert refused.status_code == 400 and not Measurement.objects.exists()  # the ladder misses answers
    good = {
        "measured_on": day,
        "taalniveau-score_lezen": "2",
        "zrm-score_FIN": "3",
        "belemmeringen-score_kinderopvang": "1",
    }
    assert client.post(url, good).status_code == 302
    assert sorted(Measurement.objects.values_list("scale__measurement_type__code", flat=True)) == [
        "belemmeringen",
        "taalniveau",
        "zrm",
    ]
    assert "Taalniveau" not in client.get(url).content.decode().split("<form")[-1]  # has a baseline now
