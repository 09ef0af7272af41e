from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.services import sharing_grant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans.models import PlanVersion

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality, first_name="Dana", last_name="Regie")
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director)
    return {"director": director, "participant": participant}


def form_data(version, goals=(), agreements=(), **plan):
    data = {"version": version, **plan}
    for prefix, rows in (("doelen", goals), ("afspraken", agreements)):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{k}": v for k, v in row.items()})
    return data


GOAL = {
    "life_domain": "werk",
    "description": "Een stage in de zorg",
    "target_on": (TODAY + timedelta(days=90)).isoformat(),
    "status": "open",
}
AGREEMENT = {
    "what": "Deelnemer belt twee zorginstellingen",
    "due_on": (TODAY + timedelta(days=14)).isoformat(),
    "monitor": "Coach",
    "if_not_kept": "We bellen samen",
    "look_back_on": (TODAY + timedelta(days=21)).isoformat(),
    "status": "open",
}


def test_a_director_draws_up_a_plan_and_changes_it_as_a_new_version(client, world):
    p = world["participant"]
    client.force_login(world["director"])
    url = f"/deelnemers/{p.uuid}/plan/wijzigen/"
    response = client.post(url, form_data(0, [GOAL], [AGREEMENT], agreed_on=TODAY.isoformat(), agreed_how="mondeling"))
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(f"/deelnemers/{p.uuid}/plan/").content.decode()
    assert "Een stage in de zorg" in page and "We bellen samen" in page and "mondeling, in het gesprek" in page
    version = PlanVersion.objects.get()
    goal_key = str(version.goals.get().key)
    agreement_key = str(version.agreements.get().key)
    changed = form_data(1, [{**GOAL, "key": goal_key, "status": "bezig"}], [{**AGREEMENT, "key": agreement_key}])
    assert client.post(url, changed).status_code == 302
    page = client.get(f"/deelnemers/{p.uuid}/plan/?versie=2").content.decode()
    assert "Doel gewijzigd (Een stage in de zorg): stand Nog niet begonnen → Bezig" in page


def test_a_second_editor_gets_a_conflict_and_loses_nothing(client, world):
    p = world["participant"]
    client.force_login(world["director"])
    url = f"/deelnemers/{p.uuid}/plan/wijzigen/"
    client.post(url, form_data(0, [GOAL]))
    other = UserFactory(role=Role.DIRECTOR, organisation=world["director"].organisation)
    TeamAssignmentFactory(participant=p, member=other)
    client.force_login(other)
    response = client.post(url, form_data(0, [{**GOAL, "description": "Iets anders"}]))
    assert response.status_code == 400
    errors = response.context["plan_form"].non_field_errors()
    assert "Dana Regie" in errors[0] and "Doel toegevoegd: Een stage in de zorg" in errors[0]
    assert PlanVersion.objects.count() == 1


def test_bad_rows_are_marked_on_their_own_field(client, world):
    p = world["participant"]
    client.force_login(world["director"])
    late = {**AGREEMENT, "look_back_on": (TODAY + timedelta(days=1)).isoformat()}
    response = client.post(f"/deelnemers/{p.uuid}/plan/wijzigen/", form_data(0, [GOAL], [late]))
    assert response.status_code == 400
    assert "look_back_on" in response.context["agreement_forms"].forms[0].errors
    assert not PlanVersion.objects.exists()


def test_a_partner_coach_sees_the_plan_only_with_consent(client, world):
    p = world["participant"]
    coach = UserFactory(role=Role.COACH)
    TeamAssignmentFactory(participant=p, member=coach)
    client.force_login(coach)
    assert client.get(f"/deelnemers/{p.uuid}/plan/").status_code == 403
    sharing_grant(
        participant=p,
        organisation=coach.organisation,
        category="plan",
        legal_basis="toestemming",
        on=TODAY,
        recorded_by=world["director"],
    )
    assert client.get(f"/deelnemers/{p.uuid}/plan/").status_code == 200


def test_the_plan_pdf_is_in_plain_dutch(client, world):
    from io import BytesIO

    from pypdf import PdfReader

    p = world["participant"]
    client.force_login(world["director"])
    assert client.get(f"/deelnemers/{p.uuid}/plan/plan-van-aanpak.pdf").status_code == 404  # no plan yet
    client.post(f"/deelnemers/{p.uuid}/plan/wijzigen/", form_data(0, [GOAL], [AGREEMENT]))
    response = client.get(f"/deelnemers/{p.uuid}/plan/plan-van-aanpak.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages).split())
    for expected in (
        "Wat ik wil bereiken",
        "Een stage in de zorg",
        "Als het niet lukt: We bellen samen",
        "Wie let erop: Coach",
    ):
        assert expected in text, expected


def test_the_api_saves_versions_and_refuses_stale_ones_with_409_or_412(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world["director"])
    url = f"/api/v1/deelnemers/{world['participant'].uuid}/plan/"
    assert api.get(url).json()["version"] == 0
    body = {"version": 0, "goals": [GOAL], "agreements": [AGREEMENT]}
    saved = api.put(url, body, format="json")
    assert (
        saved.status_code == 200
        and saved["ETag"] == '"1"'
        and saved.json()["goals"][0]["description"] == GOAL["description"]
    )
    assert api.put(url, body, format="json").status_code == 409
    stale = api.put(url, {**body, "version": 1}, format="json", HTTP_IF_MATCH='"0"')
    assert stale.status_code == 412 and stale.json()["errors"][0]["field"] == "If-Match"
    bad = api.put(url, {"version": 1, "goals": [{**GOAL, "life_domain": "hobby"}], "agreements": []}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "goals[0].life_domain"
    assert PlanVersion.objects.count() == 1


def test_an_untouched_new_goal_row_is_skipped_not_refused(client, world):
    """The edit page always offers one empty goal row; saving without filling it must work."""
    p = world["participant"]
    client.force_login(world["director"])
    page = client.get(f"/deelnemers/{p.uuid}/plan/wijzigen/").content.decode()
    assert '<option value="" selected>—</option>' in page  # the new row starts without a life domain
    untouched = {"life_domain": "", "description": "", "target_on": "", "status": "open"}
    response = client.post(f"/deelnemers/{p.uuid}/plan/wijzigen/", form_data(0, [untouched], [AGREEMENT]))
    assert response.status_code == 302
    assert PlanVersion.objects.get().goals.count() == 0


def test_an_unchanged_existing_goal_stays_when_a_new_one_is_added(client, world):
    """What the browser sends on a second edit: the existing row untouched plus a new row."""
    p = world["participant"]
    client.force_login(world["director"])
    url = f"/deelnemers/{p.uuid}/plan/wijzigen/"
    client.post(url, form_data(0, [GOAL], [AGREEMENT]))
    first = PlanVersion.objects.get()
    kept_goal, kept_agreement = first.goals.get(), first.agreements.get()
    data = form_data(
        1,
        [{**GOAL, "key": str(kept_goal.key)}, {**GOAL, "description": "Een tweede doel"}],
        [{**AGREEMENT, "key": str(kept_agreement.key)}],
    )
    data["doelen-INITIAL_FORMS"] = "1"
    data["afspraken-INITIAL_FORMS"] = "1"
    assert client.post(url, data).status_code == 302
    latest = PlanVersion.objects.get(number=2)
    assert sorted(g.description for g in latest.goals.all()) == ["Een stage in de zorg", "Een tweede doel"]
    assert latest.agreements.count() == 1 and latest.goals.get(key=kept_goal.key)
