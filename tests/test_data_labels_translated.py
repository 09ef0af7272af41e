"""Labels that live as data (instrument items, plan domains and statuses, signal rules) follow the
reader's language like the rest of the interface."""

from django.apps import apps
from django.conf import settings

import pytest

from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.measurements import catalogue
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import services as plan_services
from doorstroom.signalering.models import Signal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        (
            "en",
            ["Reading", "Dutch language level (CEFR)", "Work", "In progress", "No contact for a long time"],
            "Lezen",
        ),
        ("nl", ["Lezen", "Taalniveau Nederlands (ERK)", "Werk", "Bezig", "Lang geen contact"], "Reading"),
    ],
)
def test_data_labels_follow_the_language(client, language, expected, absent):
    catalogue.load(apps)
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director)
    plan_services.plan_save(
        participant=participant,
        actor=director,
        expected_version=0,
        goals=[{"life_domain": "werk", "description": "Een baan", "status": "bezig"}],
        agreements=[],
    )
    Signal.objects.create(participant=participant, rule="geen_contact", category="notities", opened_on="2026-01-01")
    client.force_login(director)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = "".join(
        client.get(url).content.decode()
        for url in (
            f"/deelnemers/{participant.uuid}/metingen/nieuw/taalniveau/",
            f"/deelnemers/{participant.uuid}/plan/",
            "/signalen/",
        )
    )
    for text in expected:
        assert text in pages, text
    assert absent not in pages


def test_form_and_api_errors_follow_the_language(client):
    from datetime import timedelta

    from rest_framework.test import APIClient

    from doorstroom.core import clock

    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director)
    client.force_login(director)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    future = (clock.today() + timedelta(days=3)).isoformat()
    body = {"kind": "gesprek", "status": "gehouden", "occurred_on": future, "attendance": "verschenen", "minutes": 30}
    page = client.post(f"/deelnemers/{participant.uuid}/contacten/nieuw/", body)
    assert page.status_code == 400 and "A held contact cannot be in the future." in page.content.decode()
    api = APIClient()
    api.force_authenticate(director)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # Dutch first: English is a choice, not the browser's
    answer = api.put(
        f"/api/v1/deelnemers/{participant.uuid}/plan/",
        {"version": 0, "goals": [], "agreements": [], "agreed_on": clock.today().isoformat()},
        format="json",
    )
    assert answer.status_code == 400 and answer.json()["errors"][0]["message"] == "Say how the participant agreed."
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    dutch = api.put(
        f"/api/v1/deelnemers/{participant.uuid}/plan/",
        {"version": 0, "goals": [], "agreements": [], "agreed_on": clock.today().isoformat()},
        format="json",
    )
    assert dutch.json()["errors"][0]["message"] == "Geef aan hoe de deelnemer akkoord gaf."
