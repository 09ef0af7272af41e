"""Consent and legal basis: a partner sees a category only while it is shared with its organisation."""

from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import services
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory()
    partner.works_for.add(municipality)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    coach = UserFactory(role=Role.COACH, organisation=partner)
    participant = ParticipantFactory(municipality=municipality, email="geheim@example.org", phone="0611223344")
    TeamAssignmentFactory(participant=participant, member=coach)
    return {"director": director, "coach": coach, "participant": participant, "partner": partner}


def test_without_a_grant_a_coach_sees_no_contact_details_on_the_page_or_the_api(client, world):
    client.force_login(world["coach"])
    page = client.get(reverse("participants:detail", args=[world["participant"].uuid])).content.decode()
    assert "geheim@example.org" not in page and "0611223344" not in page
    assert "niet gedeeld met uw organisatie" in page
    api = APIClient()
    api.force_authenticate(world["coach"])
    data = api.get(f"/api/v1/deelnemers/{world['participant'].uuid}/").json()
    assert data["email"] is None and data["phone"] is None
    assert "contact" not in data["categories"] and "identiteit" in data["categories"]
    assert "geheim@example.org" not in api.get("/api/v1/deelnemers/").content.decode()
    refused = api.patch(
        f"/api/v1/deelnemers/{world['participant'].uuid}/", {"email": "x@example.org", "version": 1}, format="json"
    )
    assert refused.status_code == 403


def test_a_grant_shares_the_category_and_withdrawal_ends_it_on_the_next_request(client, world):
    grant = services.sharing_grant(
        participant=world["participant"],
        organisation=world["partner"],
        category="contact",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=world["director"],
    )
    client.force_login(world["coach"])
    url = reverse("participants:detail", args=[world["participant"].uuid])
    assert "geheim@example.org" in client.get(url).content.decode()
    api = APIClient()
    api.force_authenticate(world["coach"])
    assert api.get(f"/api/v1/deelnemers/{world['participant'].uuid}/").json()["email"] == "geheim@example.org"
    director = client.__class__()
    director.force_login(world["director"])
    response = director.post(reverse("participants:sharing_withdraw", args=[world["participant"].uuid, grant.uuid]))
    assert response.status_code == 302
    assert "geheim@example.org" not in client.get(url).content.decode()
    assert api.get(f"/api/v1/deelnemers/{world['participant'].uuid}/").json()["email"] is None
    grant.refresh_from_db()
    assert grant.withdrawn_on == clock.today()  # kept as history


def test_only_the_municipality_records_grants(client, world):
    client.force_login(world["coach"])
    assert client.get(reverse("participants:sharing_add", args=[world["participant"].uuid])).status_code == 403
    client.force_login(world["director"])
    url = reverse("participants:sharing_add", args=[world["participant"].uuid])
    form = {"organisation": world["partner"].pk, "legal_basis": "toestemming", "granted_on": clock.today().isoformat()}
    response = client.post(url, {**form, "categories": ["gezondheid", "schulden"]})
    assert response.status_code == 302
    assert sorted(world["participant"].sharing_grants.values_list("category", flat=True)) == ["gezondheid", "schulden"]
    # several categories in one step, all or nothing: one already shared is named and nothing is added
    again = client.post(url, {**form, "categories": ["plan", "schulden"]})
    assert again.status_code == 400
    assert "Deze organisatie ontvangt al: Schulden" in again.content.decode()
    assert world["participant"].sharing_grants.count() == 2


def test_a_withdrawal_says_who_withdrew_it(client, world):
    grant = services.sharing_grant(
        participant=world["participant"],
        organisation=world["partner"],
        category="plan",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=world["director"],
    )
    client.force_login(world["director"])
    client.post(reverse("participants:sharing_withdraw", args=[world["participant"].uuid, grant.uuid]))
    grant.refresh_from_db()
    assert (grant.ending, grant.withdrawn_by) == ("ingetrokken", world["director"])


def test_a_grant_is_validated(world):
    with pytest.raises(DomainError) as unknown:
        services.sharing_grant(
            participant=world["participant"],
            organisation=world["partner"],
            category="ras",
            legal_basis="toestemming",
            on=clock.today(),
            recorded_by=world["director"],
        )
    assert unknown.value.field == "category"
    services.sharing_grant(
        participant=world["participant"],
        organisation=world["partner"],
        category="plan",
        legal_basis="wettelijke_taak",
        on=clock.today(),
        recorded_by=world["director"],
    )
    with pytest.raises(DomainError):
        services.sharing_grant(
            participant=world["participant"],
            organisation=world["partner"],
            category="plan",
            legal_basis="toestemming",
            on=clock.today(),
            recorded_by=world["director"],
        )


def test_an_intermediary_never_sees_health_even_with_a_grant(world):
    from doorstroom.access import policy as access

    go_between_org = OrganisationFactory()
    go_between = UserFactory(role=Role.INTERMEDIARY, organisation=go_between_org)
    TeamAssignmentFactory(participant=world["participant"], member=go_between)
    for category in ("gezondheid", "contact"):
        services.sharing_grant(
            participant=world["participant"],
            organisation=go_between_org,
            category=category,
            legal_basis="toestemming",
            on=clock.today(),
            recorded_by=world["director"],
        )
    allowed = access.categories_allowed(go_between, world["participant"])
    assert "contact" in allowed and "gezondheid" not in allowed
