"""The audit row says what the request did: the categories it actually showed (as the redaction
reported them before the row was written), a change only when data was written (in the same
transaction), a refused save as "niet opgeslagen", and an edit form looked at as a look."""

from datetime import timedelta

from django.urls import reverse

import pytest

from doorstroom.access.models import AuditAction, AuditEvent, AuditResult
from doorstroom.core import clock
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import services as plan_services

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    return {"director": director, "participant": participant}


def last_row(participant):
    return AuditEvent.objects.filter(subjects__participant_uuid=str(participant.uuid)).order_by("-id").first()


def save_plan(world, domain):
    plan_services.plan_save(
        participant=world["participant"],
        actor=world["director"],
        expected_version=0,
        goals=[{"life_domain": domain, "description": "Een doel", "status": "open"}],
        agreements=[],
    )


def test_the_row_names_what_the_page_showed_not_all_it_could(client, world):
    save_plan(world, "werk")
    client.force_login(world["director"])
    client.get(reverse("plans:detail", args=[world["participant"].uuid]))
    row = last_row(world["participant"])
    assert row.action == AuditAction.READ
    assert "plan" in row.categories and "identiteit" in row.categories
    # the director may see health, debts and justice, but this page showed none of them
    assert not {"gezondheid", "schulden", "justitie"} & set(row.categories)


def test_a_health_goal_shown_makes_the_row_say_health(client, world):
    save_plan(world, "gezondheid")
    client.force_login(world["director"])
    client.get(reverse("plans:detail", args=[world["participant"].uuid]))
    assert "gezondheid" in last_row(world["participant"]).categories


def contact(**overrides):
    return {
        "kind": "gesprek",
        "status": "gehouden",
        "occurred_on": TODAY.isoformat(),
        "attendance": "verschenen",
        "minutes": 30,
        **overrides,
    }


def test_a_saved_change_is_a_change(client, world):
    client.force_login(world["director"])
    response = client.post(reverse("contacts:create", args=[world["participant"].uuid]), contact())
    assert response.status_code == 302
    row = last_row(world["participant"])
    assert (row.action, row.result) == (AuditAction.CHANGE, AuditResult.ALLOWED)


def test_a_refused_save_is_never_logged_as_changed(client, world):
    client.force_login(world["director"])
    before = AuditEvent.objects.count()
    future = (TODAY + timedelta(days=10)).isoformat()
    response = client.post(reverse("contacts:create", args=[world["participant"].uuid]), contact(occurred_on=future))
    assert response.status_code == 400
    rows = AuditEvent.objects.order_by("id")[before:]
    assert [(r.action, r.result) for r in rows] == [(AuditAction.CHANGE, AuditResult.NOT_SAVED)]
    client.force_login(world["director"])
    trail = client.get(reverse("participants:audit_trail", args=[world["participant"].uuid])).content.decode()
    row = trail.split("<tbody>")[1].split("</tr>")[0]
    assert "Wijziging geprobeerd, niet opgeslagen" in row and "Gewijzigd" not in row


def test_opening_an_edit_form_is_a_look(client, world):
    client.force_login(world["director"])
    client.get(reverse("measurements:intake", args=[world["participant"].uuid]))
    assert last_row(world["participant"]).action == AuditAction.READ


def test_the_trail_speaks_in_words_pages_and_filters_by_organisation(client, world):
    participant = world["participant"]
    account = UserFactory(role=Role.PARTICIPANT, organisation=participant.municipality)
    participant.account = account
    participant.save()
    partner = OrganisationFactory(name="Werkplaats Zuid")
    coach = UserFactory(role=Role.COACH, organisation=partner, first_name="Noor", last_name="Coach")
    TeamAssignmentFactory(participant=participant, member=coach)
    client.force_login(coach)
    for _ in range(55):
        client.get(reverse("participants:detail", args=[participant.uuid]))
    client.force_login(world["director"])
    url = reverse("participants:audit_trail", args=[participant.uuid])
    staff_view = client.get(url).content.decode()
    assert "Noor Coach" in staff_view and "Coach / trajectbegeleider" in staff_view
    assert "Pagina 1 van 2" in staff_view and "Identiteit (naam, geboortedatum)" in staff_view
    assert "begeleiding" in staff_view and ">coach<" not in staff_view  # purpose and role in words
    only_partner = client.get(url, {"organisation": "Werkplaats Zuid"}).content.decode()
    assert (
        "Pagina 1 van 2" in only_partner and world["director"].organisation.name not in only_partner.split("<tbody>")[1]
    )
    client.force_login(account)
    own_view = client.get(url).content.decode()
    assert "Werkplaats Zuid" in own_view and "Coach / trajectbegeleider" in own_view
    assert "Noor Coach" not in own_view  # the participant sees organisation and role, not the person
