"""F4: the embedded database's disk is full (`PRAGMA max_page_count` holds the file at its size, as a
full disk would). Saves fail cleanly with nothing half written; a page with personal data answers
without data, because its audit row cannot be written (fail closed); and when space returns, the same
requests work again without a restart. SQLite only: it is SQLite's own failure mode."""

from django.db import connection

import pytest
from rest_framework.test import APIClient

from doorstroom.access.models import AuditEvent
from doorstroom.contacts.models import ContactMoment
from doorstroom.core import clock
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)  # SQLITE_FULL can roll back a whole transaction

BODY = {"kind": "gesprek", "status": "gehouden", "attendance": "verschenen", "minutes": 30}


def pragma(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def test_f4_a_full_disk_fails_saves_cleanly_withholds_data_and_recovers(client, assurance):
    if connection.vendor != "sqlite":
        pytest.skip("a full disk is tested on SQLite, whose file it is (PostgreSQL has its own server)")
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, given_name="Schijfvol")
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(director)
    client.raise_request_exception = False
    client.force_login(director)
    url = f"/api/v1/deelnemers/{participant.uuid}/contacten/"
    body = {**BODY, "occurred_on": clock.today().isoformat(), "note": "x" * 1500}
    assert api.post(url, body, format="json").status_code == 201
    contacts, audit_rows = ContactMoment.objects.count(), AuditEvent.objects.count()

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE vulsel (inhoud BLOB)")
    normal = pragma("PRAGMA max_page_count")
    pragma(f"PRAGMA max_page_count = {pragma('PRAGMA page_count') + 8}")  # a few pages left, then none
    filled = 0
    with connection.cursor() as cursor:  # the last free bytes go to filler, as other files would take them
        for size in (4096, 512, 64, 8, 1):
            while True:
                try:
                    cursor.execute("INSERT INTO vulsel VALUES (zeroblob(%s))", [size])
                    filled += 1
                except Exception:  # SQLITE_FULL: not even this much fits
                    break
    assert filled > 0
    try:
        refused = 0
        for _ in range(5):
            saved = api.post(url, body, format="json")
            assert saved.status_code == 503, saved.content[:300]
            assert saved.json()["errors"][0]["code"] in ("database_unavailable", "audit_unavailable")
            refused += 1
        # a read is shown only with its audit row: while the audit table's last page has room the rows
        # still fit (as on a real full disk); once it needs a new page, the file is withheld
        for _ in range(300):
            logged = AuditEvent.objects.count()
            page = client.get(f"/deelnemers/{participant.uuid}/")
            if page.status_code != 200:
                break
            assert AuditEvent.objects.count() > logged  # shown, so its read is in the audit log
            audit_rows = AuditEvent.objects.count()
        assert page.status_code == 503, page.status_code
        assert "Schijfvol" not in page.content.decode()  # no data without its audit row
        partial = (ContactMoment.objects.count() != contacts) + (AuditEvent.objects.count() != audit_rows)
        assurance.add("F4 saves refused on a full disk", refused)
        assurance.add("F4 partial writes", partial)
        assert partial == 0
    finally:
        pragma(f"PRAGMA max_page_count = {normal}")  # space returns
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE vulsel")
    again = api.post(url, body, format="json")
    assert again.status_code == 201, again.content[:300]
    page = client.get(f"/deelnemers/{participant.uuid}/")
    assert page.status_code == 200 and "Schijfvol" in page.content.decode()
    assert ContactMoment.objects.count() == contacts + 1
    assurance.add("F4 recoveries without a restart")
