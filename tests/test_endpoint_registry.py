"""B1 and H3 over the endpoint registry: every route and API operation is registered; every
personal-data endpoint writes exactly one complete audit row per call; under a processing
restriction every write is refused except the controller's own answers to data-subject requests."""

import re
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver, reverse

import pytest
import yaml
from rest_framework.test import APIClient

from doorstroom.access.models import AuditEvent
from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import services as plan_services
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.referrals.models import Referral
from doorstroom.signalering.models import Signal

from .endpoints import NOT_PERSONAL, PERSONAL

REQUIRED = ("occurred_at", "actor_username", "actor_role", "action", "result", "object_type", "channel", "origin")


def named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin shows no case content (assurance A7, tests/test_admin)
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def test_every_route_and_api_operation_is_registered(client, assurance):
    registered = {e.name for e in PERSONAL} | NOT_PERSONAL
    routes = dict(named_routes())
    unregistered = sorted(set(routes) - registered)
    assert not unregistered, f"routes missing from tests/endpoints.py: {unregistered}"
    assert not sorted(registered - set(routes)), "tests/endpoints.py names routes that do not exist"
    schema = yaml.safe_load(client.get("/api/schema/").content)
    registered_calls = {(e.name, e.method) for e in PERSONAL}
    for path, operations in schema["paths"].items():
        name = next(n for n, p in routes.items() if "/" + re.sub(r"<\w+:(\w+)>", r"{\1}", str(p.pattern)) in path)
        for method in operations:
            assert name in NOT_PERSONAL or (name, method) in registered_calls, (method, path)
    assurance.add("B1 endpoints registered", len(routes))


@pytest.fixture
def world(db):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    account = UserFactory(role=Role.PARTICIPANT, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, bsn="123456782", account=account)
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    coach_assignment = TeamAssignmentFactory(participant=participant, member=UserFactory(role=Role.COACH))
    programme = ProgrammeFactory()
    enrollment = enrollment_services.enrollment_enrol(
        participant=participant,
        programme=programme,
        actor=director,
        referred_by=municipality,
        on=clock.today() - timedelta(days=3),
    )
    grant = participant_services.sharing_grant(
        participant=participant,
        organisation=coach_assignment.organisation,
        category="contact",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=director,
    )
    plan_services.plan_save(
        participant=participant,
        actor=director,
        expected_version=0,
        goals=[{"life_domain": "werk", "description": "Werk vinden", "status": "open"}],
        agreements=[],
    )
    signal = Signal.objects.create(
        participant=participant, rule="geen_contact", category="notities", opened_on=clock.today()
    )
    household = participant_services.household_add_member(participant=participant, relation="ouder").household
    plan_services.plan_save(
        household=household,
        actor=director,
        expected_version=0,
        goals=[
            {"member": str(participant.uuid), "life_domain": "gezin", "description": "Rust thuis", "status": "open"}
        ],
        agreements=[],
    )
    targets = [OrganisationFactory(), OrganisationFactory()]
    for target in targets:  # the participant agreed to share programme and phase with both
        participant_services.sharing_grant(
            participant=participant,
            organisation=target,
            category="traject",
            legal_basis="toestemming",
            on=clock.today(),
            recorded_by=director,
        )
    referral = Referral.objects.create(
        participant=participant,
        from_organisation=municipality,
        to_organisation=targets[0],
        reason="Vraagt om begeleiding naar werk",
        created_by=director,
    )
    return {
        "referral": referral,
        "referral_receiver": UserFactory(role=Role.TEAM_LEAD, organisation=targets[0]),
        "second_target": targets[1],
        "household": household,
        "signal": signal,
        "municipality": municipality,
        "director": director,
        "participant": participant,
        "enrollment": enrollment,
        "programme": programme,
        "assignment": coach_assignment,
        "grant": grant,
        "colleague": UserFactory(role=Role.COACH, organisation=municipality),  # not in the team
        "privacy_officer": UserFactory(role=Role.PRIVACY_OFFICER, organisation=municipality),
    }


def url_for(name, world):
    p, e = world["participant"], world["enrollment"]
    api = {
        "api-participants": "/api/v1/deelnemers/",
        "api-participant": f"/api/v1/deelnemers/{p.uuid}/",
        "api-enrollments": "/api/v1/inschrijvingen/",
        "api-enrollment": f"/api/v1/inschrijvingen/{e.uuid}/",
        "api-enrollment-events": f"/api/v1/inschrijvingen/{e.uuid}/gebeurtenissen/",
        "api-participant-measurements": f"/api/v1/deelnemers/{p.uuid}/metingen/",
        "api-participant-plan": f"/api/v1/deelnemers/{p.uuid}/plan/",
        "api-participant-contacts": f"/api/v1/deelnemers/{p.uuid}/contacten/",
        "api-participant-team": f"/api/v1/deelnemers/{p.uuid}/team/",
        "api-referrals": "/api/v1/aanmeldingen/",
        "api-participant-referrals": f"/api/v1/deelnemers/{p.uuid}/aanmeldingen/",
        "api-referral-answer": f"/api/v1/aanmeldingen/{world['referral'].uuid}/antwoord/",
        "api-report-drilldown": "/api/v1/rapportages/deelnemers/",
    }
    if name in api:
        return api[name]
    pattern = dict(named_routes())[name].pattern
    values = {
        "participant_uuid": p.uuid,
        "enrollment_uuid": e.uuid,
        "assignment_uuid": world["assignment"].uuid,
        "grant_uuid": world["grant"].uuid,
        "event_type": "gestart",
        "signal_uuid": world["signal"].uuid,
        "household_uuid": world["household"].uuid,
        "referral_uuid": world["referral"].uuid,
        "code": world["programme"].code if name.startswith("programmes") else "zrm",
    }
    return reverse(
        name, kwargs={k: v for k, v in values.items() if f"<{k}>" in str(pattern) or f":{k}>" in str(pattern)}
    )


def caller_and_data(endpoint, world):
    """Who makes the call (someone allowed to) and with which data."""
    p = world["participant"]
    user = world["director"]
    data = {}
    query = ""
    if endpoint.name == "participants:break_glass":
        user, data = world["colleague"], {"bsn": p.bsn, "reason": "Acute crisis: hulpverlening belt, dossier nodig."}
    elif endpoint.name in {"participants:own_file", "participants:own_plan_agree"}:
        user, data = p.account, {"version": "1"} if endpoint.method == "post" else {}
    elif endpoint.name == "participants:break_glass_review":
        user = world["privacy_officer"]
    elif endpoint.name == "participants:written_access_request":
        user, data = world["privacy_officer"], {"bsn": p.bsn, "reference": "SCHR-1", "output": "json"}
    elif endpoint.name in {"participants:create", "api-participants"} and endpoint.method == "post":
        data = {
            "municipality": str(
                world["municipality"].pk if endpoint.name == "participants:create" else world["municipality"].uuid
            ),
            "given_name": "Nieuwe",
            "family_name": "Aanmelding",
            "date_of_birth": "1990-01-02",
            "residence_status": "nederlander",
            "benefit_status": "geen",
            "languages": "nl" if endpoint.name == "participants:create" else ["nl"],
        }
    elif endpoint.name == "enrollments:caseload_reassign":
        coach = world["assignment"].member
        user = UserFactory(role=Role.TEAM_LEAD, organisation=coach.organisation)
        query = f"?leaving={coach.pk}" if endpoint.method == "get" else ""
        data = {"leaving": coach.pk} if endpoint.method == "post" else {}
    elif endpoint.name == "api-participant-contacts" and endpoint.method == "post":
        data = {"kind": "gesprek", "status": "gehouden", "occurred_on": clock.today().isoformat(), "minutes": 30}
        data["attendance"] = "verschenen"
    elif endpoint.name == "api-participant-team" and endpoint.method == "post":
        data = {"member": world["colleague"].username, "role": "coach", "starts_on": clock.today().isoformat()}
    elif endpoint.name == "api-participant-referrals":
        data = {"to_organisation": str(world["second_target"].uuid), "reason": "Wil graag een opleiding"}
    elif endpoint.name == "api-referral-answer":
        user, data = world["referral_receiver"], {"accept": True}
    elif endpoint.name == "referrals:decide":
        user = world["referral_receiver"]
        data = {"decision": "accepteren"} if endpoint.method == "post" else {}
    elif endpoint.name == "referrals:create" and endpoint.method == "post":
        data = {"to_organisation": world["second_target"].pk, "reason": "Wil graag een opleiding"}
    elif endpoint.name == "signalering:handle":
        data = {"action": "gezien"}
    elif endpoint.name == "participants:search":
        query, data = ("", {"q": p.bsn}) if endpoint.method == "post" else (f"?q={p.family_name}", {})
    elif endpoint.name == "api-participant-search":
        data = {"q": p.bsn}
    elif endpoint.name == "participants:edit" and endpoint.method == "post":
        data = {
            "given_name": p.given_name,
            "family_name": "Gewijzigd",
            "date_of_birth": p.date_of_birth.isoformat(),
            "bsn": p.bsn,
            "residence_status": p.residence_status,
            "benefit_status": p.benefit_status,
            "languages": "nl",
            "version": p.version,
        }
    elif endpoint.name == "api-participant" and endpoint.method == "patch":
        data = {"version": p.version, "family_name": "Gewijzigd"}
    elif endpoint.name == "api-enrollments" and endpoint.method == "post":
        data = {"participant": str(p.uuid), "programme": ProgrammeFactory().code}
    elif endpoint.name in {"monitoring:report_people", "api-report-drilldown"}:
        query = f"?programma={world['enrollment'].programme.code}&deel=geheel&tabel=trechter&rij=aangemeld&kolom=count"
    elif endpoint.name == "api-enrollment-events" and endpoint.method == "post":
        data = {"event_type": "gestart", "occurred_on": clock.today().isoformat()}
    return user, data, query


def call(endpoint, world, client):
    user, data, query = caller_and_data(endpoint, world)
    url = url_for(endpoint.name, world) + query
    if endpoint.name.startswith("api-"):
        api = APIClient()
        api.force_authenticate(user)
        return getattr(api, endpoint.method)(url, data, format="json")
    client.force_login(user)
    return getattr(client, endpoint.method)(url, data)


@pytest.mark.parametrize("endpoint", PERSONAL, ids=lambda e: f"{e.method} {e.name}")
def test_each_personal_data_endpoint_writes_exactly_one_complete_audit_row(endpoint, world, client, assurance):
    before = AuditEvent.objects.count()
    response = call(endpoint, world, client)
    assert response.status_code < 500
    assert response.status_code not in (401, 403, 404, 405), (response.status_code, endpoint)
    written = AuditEvent.objects.filter(id__gt=AuditEvent.objects.order_by("id")[before - 1].id if before else 0)
    assert written.count() == 1, [(r.action, r.object_type, r.route) for r in written]
    row = written.get()
    missing = [name for name in REQUIRED if getattr(row, name) in ("", None)]
    assurance.add("B1 personal-data endpoints audited")
    assurance.add("B1 rows missing fields", 1 if missing else 0)
    assert not missing, missing


WRITES = [e for e in PERSONAL if e.kind == "write" and e.name not in {"participants:create", "api-participants"}]


@pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: f"{e.method} {e.name}")
def test_a_restriction_refuses_every_write_but_the_controllers_answers(endpoint, world, client, assurance):
    participant_services.participant_restrict(participant=world["participant"], reason="De deelnemer betwist")
    version = Participant.objects.get(pk=world["participant"].pk).version
    response = call(endpoint, world, client)
    if endpoint.allowed_under_restriction:
        assert response.status_code != 403
        return
    assert response.status_code == 403, (response.status_code, endpoint)
    assert Participant.objects.get(pk=world["participant"].pk).version == version
    assurance.add("H3 write endpoints refused")
