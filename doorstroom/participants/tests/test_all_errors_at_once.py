"""A submission with several problems gets them all in one answer, on the page and in the API,
each naming its field; nothing is saved."""

from datetime import timedelta

from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from doorstroom.core import clock
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import rules
from doorstroom.participants.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def director():
    return UserFactory(role=Role.DIRECTOR, organisation=OrganisationFactory(municipality=True))


def form(director, **overrides):
    return {
        "municipality": director.organisation_id,
        "given_name": "Amal",
        "family_name": "Yusuf",
        "date_of_birth": "1990-01-01",
        "residence_status": "onbekend",
        "benefit_status": "onbekend",
        **overrides,
    }


def errors_of(page: str) -> dict[str, str]:
    """Field id -> error text, as the page links them (aria-describedby)."""
    found = {}
    for part in page.split('class="form-error"')[1:]:
        field_id = part.split('id="', 1)[1].split('"', 1)[0].removesuffix("-error")
        found[field_id] = part.split(">", 1)[1].split("</", 1)[0]
    return found


def test_three_problems_three_errors_in_one_submit(client, director):
    client.force_login(director)
    future = (clock.today() + timedelta(days=3)).isoformat()
    response = client.post(
        reverse("participants:create"),
        form(director, bsn="123456789", date_of_birth=future, languages=["nl", "xx"]),
    )
    assert response.status_code == 400
    errors = errors_of(response.content.decode())
    assert {"id_bsn", "id_date_of_birth", "id_languages"} <= set(errors), errors
    assert "elfproef" in errors["id_bsn"] and "toekomst" in errors["id_date_of_birth"]
    assert "xx" in errors["id_languages"]
    assert not Participant.objects.exists()


def test_a_missing_name_does_not_hide_an_invalid_bsn(client, director):
    client.force_login(director)
    response = client.post(reverse("participants:create"), form(director, given_name="", bsn="123456789"))
    errors = errors_of(response.content.decode())
    assert {"id_given_name", "id_bsn"} <= set(errors), errors


def test_the_api_reports_every_problem_at_once(director):
    api = APIClient()
    api.force_authenticate(director)
    future = (clock.today() + timedelta(days=3)).isoformat()
    response = api.post(
        "/api/v1/deelnemers/",
        {
            "municipality": str(director.organisation.uuid),
            "given_name": "Amal",
            "family_name": "Yusuf",
            "date_of_birth": future,
            "bsn": "123456789",
            "languages": ["nl", "xx"],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"bsn", "date_of_birth", "languages"} <= fields, response.json()


def test_languages_are_chosen_by_name_with_iso_codes_underneath(client, director):
    choices = dict(rules.language_choices("nl"))
    assert choices["ar"] == "Arabisch" and choices["ti"] == "Tigrinya" and "rom" in choices
    client.force_login(director)
    page = client.get(reverse("participants:create")).content.decode()
    assert '<option value="ar">Arabisch</option>' in page and 'data-filter-label="Zoek een taal"' in page
    client.post(reverse("participants:create"), form(director, languages=["ar", "ti"]))
    assert Participant.objects.get().languages == ["ar", "ti"]


def test_a_hidden_version_field_never_shows_as_version(client, director):
    from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
    from doorstroom.participants.tests.factories import ParticipantFactory

    participant = ParticipantFactory(municipality=director.organisation)
    TeamAssignmentFactory(participant=participant, member=director, role="regisseur")
    client.force_login(director)
    data = form(director)
    data.pop("municipality")
    response = client.post(reverse("participants:edit", args=[participant.uuid]), data)  # no version sent
    page = response.content.decode()
    assert response.status_code == 400
    assert "niet compleet geladen" in page and "Version" not in page and "version:" not in page.lower()
