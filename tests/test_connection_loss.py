"""F3: the database connection is cut in the middle of a write (the server terminates the backend, as
a restart or a failover would). The request ends in a clean 503 in the API's error format, nothing of
it is stored, the audit chain still verifies, and the next request succeeds. The cut happens for real:
a second connection calls `pg_terminate_backend` on the request's own backend just before its n-th
query, for every n the request makes."""

from urllib.parse import quote

from django.db import connection

import psycopg
import pytest
from rest_framework.test import APIClient

from doorstroom.access import audit
from doorstroom.contacts.models import ContactMoment
from doorstroom.core import clock
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

BODY = {"kind": "gesprek", "status": "gehouden", "attendance": "verschenen", "minutes": 30}


def server_url() -> str:
    s = connection.settings_dict
    who = f"{quote(s['USER'] or 'postgres')}:{quote(s['PASSWORD'] or '')}"
    return f"postgresql://{who}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/postgres"


def terminate_own_backend(context) -> None:  # type: ignore[no-untyped-def]
    """What a server restart does to the connection about to run a query: from a second connection."""
    pid = context["connection"].connection.info.backend_pid
    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


class CutBefore:
    """An execute wrapper that terminates its own connection's backend just before query n."""

    def __init__(self, n: int) -> None:
        self.n, self.seen, self.cut = n, 0, False

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.seen += 1
        if self.seen == self.n:
            terminate_own_backend(context)
            self.cut = True
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_f3_a_cut_connection_ends_in_a_clean_503_and_the_next_request_succeeds(assurance):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL (make test runs this there)")
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    api = APIClient(raise_request_exception=False)  # answer as a server would, not re-raise (a test-client habit)
    api.force_authenticate(director)
    url = f"/api/v1/deelnemers/{participant.uuid}/contacten/"
    stored = ContactMoment.objects.filter(participant=participant).count()
    n, cuts = 1, 0
    while True:
        cutter = CutBefore(n)
        with connection.execute_wrapper(cutter):
            answer = api.post(url, {**BODY, "occurred_on": clock.today().isoformat()}, format="json")
        connection.close()  # what Django does at the end of a request whose connection broke
        if not cutter.cut:  # the request made fewer than n queries: every point has been cut
            assert answer.status_code == 201
            stored += 1
            break
        cuts += 1
        assurance.add("F3 terminations")
        if answer.status_code == 500:
            assurance.add("F3 server errors")
        assert answer.status_code in (201, 503), (n, answer.status_code, answer.content[:300])
        if answer.status_code == 503:
            code = answer.json()["errors"][0]["code"]
            assert code in ("database_unavailable", "audit_unavailable", "saved_answer_withheld"), (n, code)
            if code == "saved_answer_withheld":  # cut after the commit: stored once, and the reader is told so
                stored += 1
                assurance.add("F3 cuts after the commit, reported as stored")
        else:  # cut where nothing depended on it (the signals catch up on their next refresh)
            stored += 1
        now = ContactMoment.objects.filter(participant=participant).count()
        if now != stored:
            assurance.add("F3 partial writes")
        assert now == stored, (n, answer.status_code, answer.content[:200])
        after = api.post(url, {**BODY, "occurred_on": clock.today().isoformat()}, format="json")
        assert after.status_code == 201, (n, after.content[:300])  # the next request gets a new connection
        stored += 1
        n += 1
    assert cuts >= 5
    assert audit.verify_chain().intact


class CutBeforeSessionSave:
    """Terminates the connection's backend just before the session's UPDATE (the idle renewal)."""

    def __init__(self) -> None:
        self.cut = False

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if not self.cut and sql.startswith('UPDATE "django_session"'):
            terminate_own_backend(context)
            self.cut = True
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_f3_a_cut_connection_during_the_session_renewal_still_answers_the_page(client, assurance):
    """Found by the 50-user load run: the connection cut while the idle timeout was being renewed
    turned a page already audited and rendered into a 400 "session interrupted"."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL (make test runs this there)")
    from doorstroom.web.middleware import SessionRenewalMiddleware

    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, family_name="Verbroken")
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    client.raise_request_exception = False
    client.force_login(director)
    url = f"/deelnemers/{participant.uuid}/"
    assert client.get(url).status_code == 200
    session = client.session
    session[SessionRenewalMiddleware.KEY] -= SessionRenewalMiddleware.RENEW_AFTER_SECONDS + 1  # due again
    session.save()
    cutter = CutBeforeSessionSave()
    with connection.execute_wrapper(cutter):
        answer = client.get(url)
    connection.close()
    assert cutter.cut
    assurance.add("F3 terminations")
    assert answer.status_code == 200 and "Verbroken" in answer.content.decode()
    again = client.get(url)  # a fresh connection; the renewal is done now
    assert again.status_code == 200
    assert audit.verify_chain().intact
