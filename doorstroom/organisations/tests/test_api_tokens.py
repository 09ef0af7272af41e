"""Named personal API tokens: made and revoked by their owner on a page of their own, shown once,
stored only as a hash, expiring after the configured term, ended by deactivation or a new role."""

import re
from datetime import timedelta

from django.utils import timezone

import pytest
from rest_framework.test import APIClient

from doorstroom.organisations import services
from doorstroom.organisations.models import ApiToken, Role
from doorstroom.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _api(raw: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_a_token_is_made_on_the_page_shown_once_and_stored_as_a_hash(client, settings):
    settings.DOORSTROOM_API_TOKEN_DAYS = 90
    coach = UserFactory(role=Role.COACH)
    client.force_login(coach)
    made = client.post("/api-tokens/", {"name": "Koppeling met het leerlingvolgsysteem", "days": "30"})
    assert made.status_code == 200
    raw = re.search(r'<code class="token">(ds_[\w-]+)</code>', made.content.decode())[1]
    token = ApiToken.objects.get(user=coach)
    assert raw not in str(ApiToken.objects.values_list()) and token.key_hash != raw  # only the hash is kept
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert _api(raw).get("/api/v1/deelnemers/").status_code == 200
    listed = client.get("/api-tokens/").content.decode()
    assert "Koppeling met het leerlingvolgsysteem" in listed and raw not in listed  # never shown again
    too_long = client.post("/api-tokens/", {"name": "Lang", "days": "365"})
    assert too_long.status_code == 400 and ApiToken.objects.filter(user=coach).count() == 1
    client.post(f"/api-tokens/{token.uuid}/intrekken/")
    assert _api(raw).get("/api/v1/deelnemers/").status_code == 401


def test_an_expired_token_and_one_of_a_deactivated_account_are_refused():
    coach = UserFactory(role=Role.COACH)
    token, raw = services.api_token_issue(user=coach, name="Oud")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(raw).get("/api/v1/deelnemers/").status_code == 401
    _second, fresh = services.api_token_issue(user=coach, name="Nieuw")
    assert _api(fresh).get("/api/v1/deelnemers/").status_code == 200
    services.account_deactivate(actor=UserFactory(role=Role.USER_ADMINISTRATOR), target=coach)
    assert _api(fresh).get("/api/v1/deelnemers/").status_code == 401
    assert _api("ds_" + "x" * 40).get("/api/v1/deelnemers/").status_code == 401


def test_someone_elses_token_cannot_be_revoked_and_a_participant_has_none(client):
    owner, other = UserFactory(role=Role.COACH), UserFactory(role=Role.COACH)
    token, raw = services.api_token_issue(user=owner, name="Van de eigenaar")
    client.force_login(other)
    assert client.post(f"/api-tokens/{token.uuid}/intrekken/").status_code == 404
    assert _api(raw).get("/api/v1/deelnemers/").status_code == 200
    client.force_login(UserFactory(role=Role.PARTICIPANT))
    assert client.get("/api-tokens/").status_code == 403
