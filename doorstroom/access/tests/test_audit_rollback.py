"""B5: the audit row of a write that fails survives the rollback of that write. Real commits
(transaction=True): the write's own transaction rolls back, the audit row stays."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from rest_framework.test import APIClient

from doorstroom.access.models import AuditAction, AuditEvent, AuditResult
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.models import Participant, ParticipantChange
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, family_name="Origineel")
    TeamAssignmentFactory(participant=participant, member=director)
    api = APIClient()
    api.force_authenticate(director)
    return {"api": api, "participant": participant}


def rows_about(participant, **filters):
    return AuditEvent.objects.filter(subjects__participant_uuid=str(participant.uuid), **filters)


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"version": 0, "family_name": "Verloren"}, 409),  # stale version: the update rolls back
        ({"version": 1, "bsn": "123456789"}, 400),  # fails the 11-proef inside the service
        ({"version": 1, "date_of_birth": "2999-01-01"}, 400),
    ],
)
def test_a_failed_change_keeps_its_audit_row(world, payload, status, assurance):
    participant = world["participant"]
    response = world["api"].patch(f"/api/v1/deelnemers/{participant.uuid}/", payload, format="json")
    assert response.status_code == status, response.json()
    assert Participant.objects.get(pk=participant.pk).family_name == "Origineel"
    assert not ParticipantChange.objects.exists()
    # the attempt is kept, and not as a change that happened
    assert rows_about(participant, action=AuditAction.CHANGE, result=AuditResult.NOT_SAVED).count() == 1
    assert not rows_about(participant, action=AuditAction.CHANGE, result=AuditResult.ALLOWED).exists()
    assurance.add("B5 failed writes with their audit row kept")


def test_a_refused_change_under_restriction_keeps_its_denied_row(world, assurance):
    participant = world["participant"]
    participant_services.participant_restrict(participant=participant, reason="Betwist")
    response = world["api"].patch(
        f"/api/v1/deelnemers/{participant.uuid}/", {"version": 2, "family_name": "X"}, format="json"
    )
    assert response.status_code == 403
    denied = AuditEvent.objects.filter(result=AuditResult.DENIED, object_id=str(participant.uuid))
    assert denied.count() == 1
    assurance.add("B5 failed writes with their audit row kept")


def test_a_saved_change_has_one_row_with_its_subject_and_is_looked_up_once(world):
    """The change row and its subject go in with the change (one statement on PostgreSQL), and the
    request asks once whether it was committed: once committed, a later look would find the same."""
    participant = world["participant"]
    with CaptureQueriesContext(connection) as queries:
        response = world["api"].patch(
            f"/api/v1/deelnemers/{participant.uuid}/", {"version": 1, "family_name": "Nieuw"}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert Participant.objects.get(pk=participant.pk).family_name == "Nieuw"
    (row,) = rows_about(participant, action=AuditAction.CHANGE)
    assert row.result == AuditResult.ALLOWED and row.subject_count == 1
    committed_checks = [
        q for q in queries if q["sql"].startswith('SELECT "access_auditevent"."id"') and " IN (" in q["sql"]
    ]
    assert len(committed_checks) == 1, [q["sql"] for q in committed_checks]
