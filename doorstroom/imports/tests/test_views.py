"""The upload page: check first (what would happen, every problem in a table), then write with one
more click; one audit row for the import; only directors and team leads."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from doorstroom.access.models import AuditEvent
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.models import Participant

from .test_import import ROUTES, director, files  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def uploads(**replaced):
    return [SimpleUploadedFile(name, data, content_type="text/csv") for name, data in files(**replaced)]


def test_check_then_import_with_one_audit_row(client, director):  # noqa: F811
    client.force_login(director)
    page = client.get("/inlezen/")
    assert page.status_code == 200 and "Controleren" in page.content.decode()
    checked = client.post("/inlezen/", {"bestanden": uploads()})
    html = checked.content.decode()
    assert checked.status_code == 200 and "Wat er zou gebeuren" in html
    assert Participant.objects.count() == 0  # the check wrote nothing
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = client.post("/inlezen/", {"token": token}, follow=True)
    assert "De bestanden zijn ingelezen: 2 deelnemers." in done.content.decode()
    assert Participant.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="import", action="change").count() == 1
    stale = client.post("/inlezen/", {"token": token}, follow=True)
    assert "verlopen" in stale.content.decode()


def test_problems_are_listed_by_file_row_and_column(client, director):  # noqa: F811
    client.force_login(director)
    wrong = ROUTES.replace("dordrecht-participatie;15", "x;15")
    bad = client.post("/inlezen/", {"bestanden": uploads(trajecten=wrong)})
    html = bad.content.decode()
    assert bad.status_code == 400
    assert re.search(r"<td>trajecten.csv</td><td>3</td><td>programma</td><td>Onbekend programma", html)
    assert 'name="token"' not in html and Participant.objects.count() == 0


def test_too_large_and_wrong_roles_are_refused(client, director):  # noqa: F811
    client.force_login(director)
    big = SimpleUploadedFile("deelnemers.csv", b"x" * (5 * 1024 * 1024 + 1))
    refused = client.post("/inlezen/", {"bestanden": [big]})
    assert refused.status_code == 400 and "groter dan 5 MB" in refused.content.decode()
    client.force_login(UserFactory(role=Role.COACH, organisation=director.organisation))
    assert client.get("/inlezen/").status_code == 403
