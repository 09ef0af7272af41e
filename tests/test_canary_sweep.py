"""A5: lists, search (name and BSN), the programme board and the API lists never show a
participant of another organisation. One canary per organisation; every list endpoint of the
registry is called by users of every other organisation, with searches for each canary."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.services import sharing_grant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.referrals.models import Referral
from doorstroom.signalering.models import Signal

from .endpoints import PERSONAL
from .test_endpoint_registry import named_routes

pytestmark = pytest.mark.django_db

BSNS = ["111222333", "123456782", "999990019"]


def list_endpoints():
    """Reads without a participant or enrollment id in the address: the lists and searches."""
    routes = dict(named_routes())
    return sorted(
        {
            e.name
            for e in PERSONAL
            if e.kind == "read"
            and (e.method == "get" or "search" in e.name)
            and "uuid" not in str(routes[e.name].pattern)
        }
    )


def test_no_list_or_search_shows_another_organisations_canary(client, assurance):
    programme = ProgrammeFactory()  # shared: every canary is on the same board
    worlds = []
    for number, bsn in enumerate(BSNS):
        municipality = OrganisationFactory(municipality=True)
        partner = OrganisationFactory()
        canary = ParticipantFactory(
            municipality=municipality, given_name=f"Kanarie{number}", family_name=f"Vogel{number}x", bsn=bsn
        )
        users = [
            UserFactory(role=Role.DIRECTOR, organisation=municipality),
            UserFactory(role=Role.COACH, organisation=partner),
            UserFactory(role=Role.TEAM_LEAD, organisation=partner),
            UserFactory(role=Role.PRIVACY_OFFICER, organisation=municipality),
        ]
        TeamAssignmentFactory(participant=canary, member=users[1])
        enrollment_services.enrollment_enrol(
            participant=canary,
            programme=programme,
            actor=users[0],
            referred_by=municipality,
            on=clock.today() - timedelta(days=2),
        )
        Signal.objects.create(participant=canary, rule="geen_contact", category="traject", opened_on=clock.today())
        sharing_grant(
            participant=canary,
            organisation=partner,
            category="traject",
            legal_basis="toestemming",
            on=clock.today(),
            recorded_by=users[0],
        )
        Referral.objects.create(
            participant=canary,
            from_organisation=municipality,
            to_organisation=partner,
            reason="Kanarie-aanmelding",
            created_by=users[0],
        )
        worlds.append({"canary": canary, "users": users})
    endpoints = list_endpoints()
    assert {"participants:search", "enrollments:caseload", "programmes:board", "api-participants"} <= set(endpoints)
    urls = {
        "participants:search": ["/deelnemers/zoeken/?q={name}", "POST /deelnemers/zoeken/ q={bsn}"],
        "participants:break_glass_review": ["/noodtoegang/beoordelen/"],
        "enrollments:caseload": ["/mijn-deelnemers/", "/mijn-deelnemers/?q={name}"],
        "programmes:board": [f"/programmas/{programme.code}/"],
        "api-participants": ["/api/v1/deelnemers/", "/api/v1/deelnemers/?search={name}"],
        "api-participant-search": [
            "POST /api/v1/deelnemers/zoeken/ q={bsn}",
            "POST /api/v1/deelnemers/zoeken/ q={name}",
        ],
        "api-enrollments": ["/api/v1/inschrijvingen/"],
        "signalering:dashboard": ["/signalen/", "/signalen/?zoek={name}"],
        "participants:own_file": ["/mijn-dossier/"],
        "enrollments:caseload_reassign": ["/team/caseload-overdragen/?leaving={coach}"],
        "referrals:inbox": ["/aanmeldingen/"],
        "api-referrals": ["/api/v1/aanmeldingen/", "/api/v1/aanmeldingen/?richting=verstuurd"],
        # the people behind a report's count: the shared programme holds every canary
        "monitoring:report_people": [
            f"/rapportages/deelnemers/?programma={programme.code}&deel=geheel&tabel=trechter&rij=aangemeld&kolom=count"
        ],
        "api-report-drilldown": [
            f"/api/v1/rapportages/deelnemers/?programma={programme.code}&deel=geheel&tabel=trechter&rij=aangemeld"
            "&kolom=count"
        ],
    }
    assert set(endpoints) <= set(urls), f"list endpoints without a canary check: {set(endpoints) - set(urls)}"
    checks = leaks = 0
    for own_index, own in enumerate(worlds):
        for user in own["users"]:
            client.force_login(user)
            api = APIClient()
            api.force_authenticate(user)
            for other_index, other in enumerate(worlds):
                if other_index == own_index:
                    continue
                canary = other["canary"]
                for name in endpoints:
                    for template in urls[name]:
                        url = template.format(name=canary.family_name, bsn=canary.bsn, coach=other["users"][1].pk)
                        caller = api if name.startswith("api-") else client
                        if url.startswith("POST "):
                            _post, path, body = url.split(" ", 2)
                            key, value = body.split("=", 1)
                            response = caller.post(path, {key: value}, **({"format": "json"} if caller is api else {}))
                        else:
                            response = caller.get(url)
                        assert response.status_code < 500, url
                        body = response.content.decode()
                        checks += 1
                        # what the caller typed is echoed back in the search box: look for the rest
                        needles = [
                            s
                            for s in (canary.family_name, canary.given_name, canary.bsn, str(canary.uuid))
                            if s not in url
                        ]
                        if any(s in body for s in needles):
                            leaks += 1
    assurance.add("A5 leak checks", checks)
    assurance.add("A5 leaks", leaks)
    assert leaks == 0
    # and the sweep can see: each organisation's own director finds its own canary
    client.force_login(worlds[0]["users"][0])
    found = client.post("/deelnemers/zoeken/", {"q": BSNS[0]}).content.decode()
    assert worlds[0]["canary"].family_name in found
