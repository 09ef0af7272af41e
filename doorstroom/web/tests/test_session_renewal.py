"""The idle timeout is renewed at most once a minute, so a page is not a session write."""

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.web.middleware import SessionRenewalMiddleware

pytestmark = pytest.mark.django_db


def _session_writes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(1 for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"].upper())


def test_a_session_is_renewed_once_a_minute_not_on_every_page(client):
    director = UserFactory(role=Role.DIRECTOR, organisation=OrganisationFactory(municipality=True))
    client.force_login(director)
    url = reverse("enrollments:caseload")
    client.get(url)  # the first page after logging in renews the session
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date

    assert _session_writes(client, url) == 0  # within the minute: no write
    assert Session.objects.get(session_key=key).expire_date == expiry

    session = client.session
    session[SessionRenewalMiddleware.KEY] -= SessionRenewalMiddleware.RENEW_AFTER_SECONDS + 1  # a minute ago
    session.save()
    saved = Session.objects.get(session_key=key).expire_date
    assert _session_writes(client, url) == 1  # renewed: the idle timeout starts again
    assert Session.objects.get(session_key=key).expire_date >= saved
    assert client.session[SessionRenewalMiddleware.KEY] > session[SessionRenewalMiddleware.KEY]
