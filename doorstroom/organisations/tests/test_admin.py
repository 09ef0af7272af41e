"""Functioneel beheer designs programmes in the admin and sees no case content there."""

import pytest

from doorstroom.demo.generator import ensure_administration_group
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def test_an_application_manager_can_design_programmes_in_the_admin(client):
    manager = UserFactory(role=Role.ADMINISTRATOR, is_staff=True)
    manager.groups.add(ensure_administration_group())
    client.force_login(manager)
    assert client.get("/beheer/programmes/programme/").status_code == 200
    assert client.get("/beheer/programmes/programme/add/").status_code == 200
    assert client.get("/beheer/organisations/organisation/").status_code == 200


def test_the_admin_shows_no_case_content_even_to_a_superuser(client):
    superuser = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    canary = ParticipantFactory(given_name="Kanarie")
    client.force_login(superuser)
    index = client.get("/beheer/").content.decode()
    assert "participants" not in index and "enrollments" not in index
    assert client.get("/beheer/participants/participant/").status_code == 404
    assert "Kanarie" not in client.get("/beheer/organisations/organisation/").content.decode()
    assert str(canary.uuid) not in index
