"""The participant's own view speaks to them, shows their plan, appointments and progress, and
lets them agree to their plan themselves (recorded on that version, audited)."""

from datetime import timedelta

from django.urls import reverse

import pytest

from doorstroom.access.models import AuditAction, AuditEvent
from doorstroom.contacts import services as contact_services
from doorstroom.core import clock
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import services as plan_services
from doorstroom.plans.models import PlanVersion

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality, first_name="Rik", last_name="Regie")
    account = UserFactory(role=Role.PARTICIPANT, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, account=account)
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    plan_services.plan_save(
        participant=participant,
        actor=director,
        expected_version=0,
        goals=[{"life_domain": "werk", "description": "Een baan in de zorg", "status": "open"}],
        agreements=[],
    )
    contact_services.contact_record(
        participant=participant,
        actor=director,
        kind="huisbezoek",
        status="gepland",
        occurred_on=TODAY + timedelta(days=3),
    )
    return {"account": account, "participant": participant, "director": director}


def test_the_own_view_speaks_to_the_participant(client, world):
    client.force_login(world["account"])
    response = client.get("/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("participants:own_file")
    assert "Dit ziet u over uzelf" in page and "Een baan in de zorg" in page
    assert "huisbezoek" in page and "Rik Regie" in page
    assert "Ik ga akkoord met dit plan" in page
    assert "Gegevens wijzigen" not in page and "BSN" not in page  # no staff tables


def test_the_participant_agrees_to_their_plan_version(client, world):
    client.force_login(world["account"])
    response = client.post(reverse("participants:own_plan_agree"), {"version": "1"})
    assert response.status_code == 302
    version = PlanVersion.objects.get()
    assert (version.agreed_on, version.agreed_how) == (TODAY, "digitaal")
    row = AuditEvent.objects.filter(object_type="plan_agreement").get()
    assert row.action == AuditAction.CHANGE and row.actor_role == "deelnemer"
    page = client.get(reverse("participants:own_file")).content.decode()
    assert "U ging akkoord met deze versie" in page and "Ik ga akkoord met dit plan" not in page
    # a stale version (the plan changed meanwhile) is not agreed to
    plan_services.plan_save(
        participant=world["participant"],
        actor=world["director"],
        expected_version=1,
        goals=[{"life_domain": "werk", "description": "Een baan in de zorg, 24 uur", "status": "open"}],
        agreements=[],
    )
    client.post(reverse("participants:own_plan_agree"), {"version": "1"})
    assert PlanVersion.objects.get(number=2).agreed_on is None


def test_only_the_participant_has_an_own_view(client, world):
    client.force_login(world["director"])
    assert client.get(reverse("participants:own_file")).status_code == 404
    assert client.post(reverse("participants:own_plan_agree"), {"version": "1"}).status_code == 404
