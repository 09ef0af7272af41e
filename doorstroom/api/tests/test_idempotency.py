"""F6: every POST operation in the OpenAPI schema honours an Idempotency-Key. The same key and body
give the first answer again and one record; the same key with another body is refused with 422; the
same key while the first request still runs is refused with 409. A replay passes the access door again:
a reader who lost access gets no stored answer."""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

import pytest
import yaml
from rest_framework.test import APIClient
from stdnum.nl import bsn as bsn_number

from doorstroom.contacts.models import ContactMoment
from doorstroom.core import clock
from doorstroom.core.idempotency import fingerprint, purge
from doorstroom.core.models import IdempotentRequest
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, TeamAssignment, TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.measurements.models import Measurement
from doorstroom.organisations.models import OrganisationKind, Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import Participant
from doorstroom.participants.services import sharing_grant, sharing_withdraw
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.catalogue import load_catalogue
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.referrals import services as referral_services
from doorstroom.referrals.models import Referral

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@dataclass
class Case:
    """One POST: who sends it, where, a body, another body, and what counts its records."""

    api: APIClient
    url: str
    body: dict[str, Any]
    other: dict[str, Any]
    records: Callable[[], int]


@pytest.fixture
def world():
    load_catalogue()
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory(kind=OrganisationKind.REINTEGRATION, name="Werkplaats Idem")
    partner.works_for.add(municipality)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    api = APIClient()
    api.force_authenticate(director)
    intake = UserFactory(role=Role.TEAM_LEAD, organisation=partner)
    intake_api = APIClient()
    intake_api.force_authenticate(intake)
    return {
        "municipality": municipality,
        "partner": partner,
        "director": director,
        "api": api,
        "intake": intake,
        "intake_api": intake_api,
        "programme": ProgrammeFactory(),
        "buddy": UserFactory(role=Role.INTERMEDIARY, organisation=municipality),
    }


def count(model: type[Model], **where: Any) -> Callable[[], int]:
    return lambda: model.objects.filter(**where).count()  # type: ignore[attr-defined]


def own_participant(world: dict[str, Any]) -> Participant:
    participant = ParticipantFactory(municipality=world["municipality"])
    TeamAssignmentFactory(participant=participant, member=world["director"], role=TeamRole.DIRECTOR)
    return participant


def enrolled(world: dict[str, Any]) -> Enrollment:
    return enrollment_services.enrollment_enrol(
        participant=own_participant(world),
        programme=world["programme"],
        actor=world["director"],
        referred_by=world["municipality"],
        on=TODAY - timedelta(days=20),
    )


def consented_participant(world: dict[str, Any]) -> Participant:
    """One of the director's participants who agreed to share their trajectory with the partner."""
    participant = own_participant(world)
    sharing_grant(
        participant=participant,
        organisation=world["partner"],
        category="traject",
        legal_basis="toestemming",
        on=TODAY,
        recorded_by=world["director"],
    )
    return participant


def valid_bsn(n: int) -> str:
    """A number passing the 11-proef (python-stdnum decides), different for each n."""
    base = 100_000_000 + n * 7919
    while not bsn_number.is_valid(f"{base:09d}"):
        base += 1
    return f"{base:09d}"


def make_case(operation: str, world: dict[str, Any], n: int) -> Case:
    """A valid request of each POST operation, on fresh data so that cases do not collide."""
    api, director = world["api"], world["director"]
    if operation == "/api/v1/deelnemers/":
        body = {
            "municipality": str(world["municipality"].uuid),
            "given_name": f"Idem{n}",
            "family_name": "Potent",
            "date_of_birth": "1991-03-04",
            "bsn": valid_bsn(n),
        }
        return Case(api, operation, body, {**body, "given_name": f"Ander{n}"}, count(Participant))
    if operation == "/api/v1/deelnemers/zoeken/":
        body = {"q": f"Idem{n}"}
        return Case(api, operation, body, {"q": f"Ander{n}"}, count(Participant))
    if operation == "/api/v1/inschrijvingen/":
        participant = own_participant(world)
        body = {
            "participant": str(participant.uuid),
            "programme": world["programme"].code,
            "occurred_on": (TODAY - timedelta(days=10)).isoformat(),
        }
        return Case(api, operation, body, {**body, "occurred_on": TODAY.isoformat()}, count(Enrollment))
    if operation == "/api/v1/inschrijvingen/{enrollment_uuid}/gebeurtenissen/":
        enrollment = enrolled(world)
        body = {"event_type": "gestart", "occurred_on": (TODAY - timedelta(days=5)).isoformat()}
        return Case(
            api,
            f"/api/v1/inschrijvingen/{enrollment.uuid}/gebeurtenissen/",
            body,
            {**body, "occurred_on": (TODAY - timedelta(days=4)).isoformat()},
            count(EnrollmentEvent, enrollment=enrollment),
        )
    if operation == "/api/v1/deelnemers/{participant_uuid}/team/":
        participant = own_participant(world)
        body = {"member": world["buddy"].username, "role": "maatje", "starts_on": TODAY.isoformat()}
        return Case(
            api,
            f"/api/v1/deelnemers/{participant.uuid}/team/",
            body,
            {**body, "role": "coach"},
            count(TeamAssignment, participant=participant),
        )
    if operation == "/api/v1/deelnemers/{participant_uuid}/contacten/":
        participant = own_participant(world)
        body = {"kind": "gesprek", "status": "gehouden", "attendance": "verschenen", "occurred_on": TODAY.isoformat()}
        return Case(
            api,
            f"/api/v1/deelnemers/{participant.uuid}/contacten/",
            {**body, "minutes": 30},
            {**body, "minutes": 45},
            count(ContactMoment, participant=participant),
        )
    if operation == "/api/v1/deelnemers/{participant_uuid}/metingen/":
        participant = own_participant(world)
        body = {"measurement_type": "zrm", "moment": "nulmeting", "measured_on": TODAY.isoformat()}
        return Case(
            api,
            f"/api/v1/deelnemers/{participant.uuid}/metingen/",
            {**body, "scores": {"FIN": 2}},
            {**body, "scores": {"FIN": 3}},
            count(Measurement, participant=participant),
        )
    if operation == "/api/v1/deelnemers/{participant_uuid}/aanmeldingen/":
        participant = consented_participant(world)
        body = {"to_organisation": str(world["partner"].uuid), "reason": "Zoekt een werkervaringsplek"}
        return Case(
            api,
            f"/api/v1/deelnemers/{participant.uuid}/aanmeldingen/",
            body,
            {**body, "reason": "Zoekt een opleiding"},
            count(Referral, participant=participant),
        )
    if operation == "/api/v1/aanmeldingen/{referral_uuid}/antwoord/":
        participant = consented_participant(world)
        referral = referral_services.referral_create(
            participant=participant,
            actor=director,
            to_organisation=world["partner"],
            reason="Werkervaring",
            today=TODAY,
        )
        body = {"accept": True}
        return Case(
            world["intake_api"],
            f"/api/v1/aanmeldingen/{referral.uuid}/antwoord/",
            body,
            {"accept": False, "decline_reason": "geen_plek"},
            count(TeamAssignment, participant=participant),
        )
    raise AssertionError(f"no idempotency case for POST {operation}: add one here")


def post(case: Case, body: dict[str, Any], key: str) -> Any:
    return case.api.post(case.url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def post_operations(client: Any) -> list[str]:
    schema = yaml.safe_load(client.get("/api/schema/").content)
    return sorted(path for path, operations in schema["paths"].items() if "post" in operations)


def test_f6_every_post_operation_replays_refuses_a_changed_body_and_a_running_duplicate(client, world, assurance):
    operations = post_operations(client)
    assert len(operations) >= 9
    cases = 0
    for operation in operations:
        for n in range(6):
            case = make_case(operation, world, len(operations) * n + operations.index(operation))
            key = f"sleutel-{uuid.uuid4()}"
            before = case.records()
            first = post(case, case.body, key)
            assert 200 <= first.status_code < 300, (operation, first.status_code, first.content[:300])
            made = case.records() - before
            again = post(case, case.body, key)
            assert again.status_code == first.status_code, (operation, again.content[:300])
            if json.loads(again.content) != json.loads(first.content):
                assurance.add("F6 replays differing")
            if case.records() - before != made:
                assurance.add("F6 doubled records")
            changed = post(case, case.other, key)
            assert changed.status_code == 422, (operation, changed.status_code)
            assert changed.json()["errors"][0]["field"] == "Idempotency-Key"
            assert case.records() - before == made, operation
            # a second request with its own key while the first still runs: 409, nothing done
            busy_key = f"bezig-{uuid.uuid4()}"
            IdempotentRequest.objects.create(
                user=case.api.handler._force_user,
                key=busy_key,
                fingerprint=fingerprint("POST", case.url, case.other),
                started_at=timezone.now(),
            )
            running = post(case, case.other, busy_key)
            assert running.status_code == 409, (operation, running.status_code)
            assert case.records() - before == made, operation
            cases += 1
            assurance.add("F6 idempotency cases")
    assurance.add("F6 POST operations covered", len(operations))
    assert cases == 6 * len(operations)


def test_every_api_post_view_is_wrapped():
    """A new POST view without the wrapper fails here before a client finds out."""

    def views(resolver: Any = None) -> Any:
        for entry in (resolver or get_resolver()).url_patterns:
            if isinstance(entry, URLResolver):
                yield from views(entry)
            elif isinstance(entry, URLPattern) and hasattr(entry.callback, "view_class"):
                yield entry.callback.view_class

    posting = [v for v in views() if v.__module__.endswith(".api.views") and hasattr(v, "post")]
    assert len(posting) >= 9
    assert [v.__name__ for v in posting if not getattr(v.post, "idempotent", False)] == []


def test_a_replay_checks_access_again(world):
    participant = own_participant(world)
    body = {"kind": "gesprek", "status": "gehouden", "attendance": "verschenen", "occurred_on": TODAY.isoformat()}
    url = f"/api/v1/deelnemers/{participant.uuid}/contacten/"
    api = world["api"]
    first = api.post(url, {**body, "minutes": 30}, format="json", HTTP_IDEMPOTENCY_KEY="contact-1")
    assert first.status_code == 201
    again = api.post(url, {**body, "minutes": 30}, format="json", HTTP_IDEMPOTENCY_KEY="contact-1")
    assert again.status_code == 201 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assignment = TeamAssignment.objects.get(participant=participant, member=world["director"])
    TeamAssignment.objects.filter(pk=assignment.pk).update(ends_on=TODAY - timedelta(days=1))  # off the team
    elsewhere = OrganisationFactory(municipality=True)
    Participant.objects.filter(pk=participant.pk).update(municipality=elsewhere)  # and moved to another town
    replay = api.post(url, {**body, "minutes": 30}, format="json", HTTP_IDEMPOTENCY_KEY="contact-1")
    assert replay.status_code in (403, 404)
    assert first.json()["uuid"] not in replay.content.decode()
    assert ContactMoment.objects.filter(participant=participant).count() == 1


def test_a_refused_request_leaves_its_key_free_and_a_stale_one_is_taken_over(world):
    participant = own_participant(world)
    url = f"/api/v1/deelnemers/{participant.uuid}/contacten/"
    body = {"kind": "gesprek", "status": "gehouden", "attendance": "verschenen", "occurred_on": TODAY.isoformat()}
    api = world["api"]
    bad = api.post(url, {**body, "minutes": 5000}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert bad.status_code == 400 and not IdempotentRequest.objects.filter(key="k-1").exists()
    assert api.post(url, {**body, "minutes": 50}, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    IdempotentRequest.objects.create(
        user=world["director"],
        key="k-2",
        fingerprint=fingerprint("POST", url, {**body, "minutes": 20}),
        started_at=timezone.now() - timedelta(minutes=6),  # its worker died long ago
    )
    taken = api.post(url, {**body, "minutes": 20}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert taken.status_code == 201
    assert api.post(url, {**body}, format="json", HTTP_IDEMPOTENCY_KEY="met spatie").status_code == 400


def test_keys_are_forgotten_after_a_day_and_answers_are_stored_encrypted(world):
    participant = own_participant(world)
    url = f"/api/v1/deelnemers/{participant.uuid}/contacten/"
    body = {"kind": "gesprek", "status": "gehouden", "attendance": "verschenen", "occurred_on": TODAY.isoformat()}
    answer = world["api"].post(url, {**body, "minutes": 40}, format="json", HTTP_IDEMPOTENCY_KEY="oud")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT answer FROM core_idempotentrequest WHERE key = %s", ["oud"])
        stored = cursor.fetchone()[0]
    assert answer.json()["uuid"] not in stored  # not in plain text in the database
    assert purge(timezone.now()) == 0
    assert purge(timezone.now() + timedelta(days=1, minutes=1)) == 1


def test_a_replay_is_refused_when_a_category_it_showed_is_no_longer_shared(world):
    """The first answer showed a health reason, shared with the coach's organisation; the municipality
    then withdraws that sharing. The coach still may see the trajectory (the door of the event list),
    but the stored answer says more than that: the replay is refused, and the reason is not in it."""
    enrollment = enrolled(world)
    participant = enrollment.participant
    enrollment_services.enrollment_record(
        enrollment=enrollment, actor=world["director"], event_type="gestart", on=TODAY - timedelta(days=15)
    )
    coach = UserFactory(role=Role.COACH, organisation=world["partner"])
    TeamAssignmentFactory(participant=participant, member=coach, role=TeamRole.COACH)
    health = sharing_grant(
        participant=participant,
        organisation=world["partner"],
        category="gezondheid",
        legal_basis="toestemming",
        on=TODAY,
        recorded_by=world["director"],
    )
    api = APIClient()
    api.force_authenticate(coach)
    url = f"/api/v1/inschrijvingen/{enrollment.uuid}/gebeurtenissen/"
    body = {"event_type": "gepauzeerd", "occurred_on": TODAY.isoformat(), "reason_code": "ziekte"}
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pause-1")
    assert first.status_code == 201, first.content
    assert first.json()["reason_code"] == "ziekte"  # shown: health is shared with the partner
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pause-1")
    assert again.status_code == 201 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    stored = IdempotentRequest.objects.get(user=coach, key="pause-1")
    assert "gezondheid" in stored.shown[str(participant.pk)]
    sharing_withdraw(grant=health, by=world["director"])
    assert api.get(url).status_code == 200  # the trajectory is still theirs to see
    replay = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pause-1")
    assert replay.status_code == 403
    assert replay.json()["errors"][0]["code"] == "idempotency_access_changed"
    assert "ziekte" not in replay.content.decode()
    assert EnrollmentEvent.objects.filter(enrollment=enrollment, event_type="gepauzeerd").count() == 1
