"""The edges: Dutch error pages that reveal nothing, the API in the caller's language with parse
errors in words, and each role starting at its own work."""

import pytest
from rest_framework.test import APIClient

from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_bad_request_gets_a_dutch_page_that_reveals_nothing(client):
    response = client.get("/", HTTP_HOST="aanvaller.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dit verzoek kunnen we niet lezen" in page and "aanvaller.example" not in page
    assert "Traceback" not in page and "DisallowedHost" not in page


def test_the_api_answers_a_parse_error_in_dutch_and_follows_accept_language():
    director = UserFactory(role=Role.DIRECTOR, organisation=OrganisationFactory(municipality=True))
    api = APIClient()
    api.force_authenticate(director)
    broken = api.post("/api/v1/deelnemers/", data="{kapot", content_type="application/json")
    assert broken.status_code == 400
    (error,) = broken.json()["errors"]
    assert error["code"] == "parse_error" and "geen geldige JSON" in error["message"]
    assert "Expecting" not in broken.content.decode()
    english = api.post(
        "/api/v1/deelnemers/", data="{kapot", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"
    )
    assert "not valid JSON" in english.json()["errors"][0]["message"]
    missing = api.get("/api/v1/deelnemers/00000000-0000-0000-0000-000000000000/", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.json()["errors"][0]["message"] == "Not found."


def test_the_functional_administrator_starts_at_what_the_role_can_do(client):
    admin = UserFactory(role=Role.ADMINISTRATOR, organisation=OrganisationFactory(municipality=True))
    client.force_login(admin)
    response = client.get("/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/start/beheer/"
    assert "Programma&#x27;s ontwerpen" in page or "Programma's ontwerpen" in page
    assert "/beheer/programmes/programme/" in page
    coach = UserFactory(role=Role.COACH)
    client.force_login(coach)
    assert client.get("/start/beheer/").status_code == 404


def test_the_admin_is_titled_in_dutch(client):
    staff = UserFactory(role=Role.ADMINISTRATOR, organisation=OrganisationFactory(municipality=True), is_staff=True)
    client.force_login(staff)
    page = client.get("/beheer/").content.decode()
    assert "Doorstroom – functioneel beheer" in page and "Django administration" not in page
