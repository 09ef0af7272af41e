"""The plan page adds goal and agreement rows without saving a version per row, and the
participant's agreement belongs to the version agreed to."""

from datetime import timedelta

from django.urls import reverse

import pytest

from doorstroom.core import clock
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import services
from doorstroom.plans.models import PlanVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    return {"director": director, "participant": participant}


def test_adding_rows_saves_nothing_until_the_plan_is_saved(client, world):
    client.force_login(world["director"])
    url = reverse("plans:edit", args=[world["participant"].uuid])
    page = client.get(url).content.decode()
    assert page.count('name="doelen-0-description"') == 1 and 'name="doelen-1-description"' not in page
    base = {
        "version": "0",
        "doelen-TOTAL_FORMS": "1",
        "doelen-INITIAL_FORMS": "0",
        "doelen-0-life_domain": "werk",
        "doelen-0-description": "Eerste doel",
        "doelen-0-status": "open",
        "afspraken-TOTAL_FORMS": "0",
        "afspraken-INITIAL_FORMS": "0",
    }
    response = client.post(url, {**base, "add_goal": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="doelen-1-description"' in page and "Eerste doel" in page
    assert not PlanVersion.objects.exists()  # nothing saved by adding a row
    saved = client.post(
        url,
        {
            **base,
            "doelen-TOTAL_FORMS": "2",
            "doelen-1-life_domain": "taal",
            "doelen-1-description": "Tweede doel",
            "doelen-1-status": "open",
        },
    )
    assert saved.status_code == 302, [line for line in saved.content.decode().splitlines() if "error" in line][:5]
    version = PlanVersion.objects.get()
    assert sorted(g.description for g in version.goals.all()) == ["Eerste doel", "Tweede doel"]


def test_the_participants_agreement_is_not_carried_to_a_new_version(client, world):
    services.plan_save(
        participant=world["participant"],
        actor=world["director"],
        expected_version=0,
        goals=[{"life_domain": "werk", "description": "Doel", "status": "open"}],
        agreements=[],
        agreed_on=clock.today() - timedelta(days=1),
        agreed_how="getekend",
    )
    client.force_login(world["director"])
    page = client.get(reverse("plans:edit", args=[world["participant"].uuid])).content.decode()
    field = page.split('name="agreed_on"')[1].split(">")[0]
    assert "value=" not in field or 'value=""' in field


def test_every_problem_of_a_plan_is_reported_at_once(world):
    from doorstroom.core.errors import DomainErrors

    with pytest.raises(DomainErrors) as refused:
        services.plan_save(
            participant=world["participant"],
            actor=world["director"],
            expected_version=0,
            goals=[
                {"life_domain": "werk", "description": "", "status": "open"},
                {"life_domain": "taal", "description": "Goed", "status": "onbekend"},
            ],
            agreements=[],
            agreed_on=clock.today() + timedelta(days=5),
            agreed_how="getekend",
            change_note="x" * 301,
        )
    fields = {e.field for e in refused.value.errors}
    assert {"goals[0].description", "goals[1].status", "agreed_on", "change_note"} <= fields, fields
    assert not PlanVersion.objects.exists()
