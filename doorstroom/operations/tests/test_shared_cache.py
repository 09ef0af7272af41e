"""A shared cache (Redis) that cannot be reached: the login throttle and the API's rate limits cannot
count, so the request is refused with a clean 503 that says why, in the page's or the API's form, and
nothing is written. Against a real Redis client and a port where nothing listens."""

from django.conf import settings
from django.test import override_settings

import pytest
from rest_framework.test import APIClient

from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import Participant

pytestmark = pytest.mark.django_db

UNREACHABLE = {
    "default": {
        "BACKEND": "doorstroom.core.shared_cache.SharedRedisCache",  # the production backend
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "KEY_PREFIX": "doorstroom-test-unreachable",
    }
}


def test_a_sign_in_while_the_shared_cache_is_gone_is_refused_cleanly(client):
    user = UserFactory(role=Role.COACH, organisation=OrganisationFactory())
    with override_settings(CACHES=UNREACHABLE):
        response = client.post("/inloggen/", {"username": user.username, "password": "niet-het-wachtwoord"})
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # English is a choice kept in a cookie
        english = client.post("/inloggen/", {"username": user.username, "password": "x"})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    text = response.content.decode()
    assert "niet bereiken" in text and "niets opgeslagen" in text
    assert "Traceback" not in text and "redis" not in text.lower()
    assert english.status_code == 503 and "Nothing was saved" in english.content.decode()


def test_an_api_write_while_the_shared_cache_is_gone_is_refused_and_writes_nothing():
    director = UserFactory(role=Role.DIRECTOR, organisation=OrganisationFactory(municipality=True))
    api = APIClient()
    api.force_authenticate(director)
    before = Participant.objects.count()
    with override_settings(CACHES=UNREACHABLE):
        response = api.post(
            "/api/v1/deelnemers/",
            {"given_name": "Sanne", "family_name": "Jansen", "date_of_birth": "1990-01-01"},
            format="json",
        )
    assert response.status_code == 503
    (error,) = response.json()["errors"]
    assert error["code"] == "cache_unavailable" and "niets opgeslagen" in error["message"]
    assert Participant.objects.count() == before
