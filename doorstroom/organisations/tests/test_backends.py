"""The user of a session is found with their organisation in one query; an inactive, unknown or
malformed one is nobody."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from doorstroom.organisations.backends import AccountBackend
from doorstroom.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_session_user_comes_with_their_organisation_in_one_query():
    user = UserFactory(role="coach")
    assert user.organisation is not None
    backend = AccountBackend()
    for _ in range(2):  # compiled on the first, bound on the second
        with CaptureQueriesContext(connection) as captured:
            found = backend.get_user(str(user.pk))
            assert found is not None
            assert (found.pk, found.username, found.role) == (user.pk, user.username, "coach")
            assert found.organisation.name == user.organisation.name
        assert len(captured) == 1


def test_inactive_unknown_and_malformed_users_are_nobody():
    backend = AccountBackend()
    inactive = UserFactory(is_active=False)
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(inactive.pk + 1000) is None
    assert backend.get_user("abc") is None and backend.get_user(None) is None
    assert backend.get_user(UserFactory().pk) is not None
