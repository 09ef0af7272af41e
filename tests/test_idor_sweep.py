"""Every route with an identifier answers 404 to a user from an unrelated organisation, without
leaking the canary's name or BSN (a first cut of assurance A3)."""

from django.urls import URLPattern, URLResolver, get_resolver

import pytest
from rest_framework.test import APIClient

from doorstroom.core import clock
from doorstroom.enrollments import services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.monitoring.models import AdoptedReport
from doorstroom.organisations.models import Role
from doorstroom.organisations.services import account_change_propose, api_token_issue
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.services import household_add_member, sharing_grant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.referrals.models import Referral
from doorstroom.signalering.models import Signal


def id_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from id_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and "uuid:" in str(entry.pattern):
            yield prefix + str(entry.pattern)


def fill(route, participant, enrollment, extra=None):
    values = {
        **(extra or {}),
        "<uuid:participant_uuid>": str(participant.uuid),
        "<uuid:enrollment_uuid>": str(enrollment.uuid),
        "<uuid:assignment_uuid>": str(participant.team.first().uuid),
        "<uuid:grant_uuid>": str(participant.sharing_grants.first().uuid),
        "<uuid:signal_uuid>": str(participant.signals.first().uuid),
        "<uuid:household_uuid>": str(participant.household_memberships.first().household.uuid),
        "<uuid:referral_uuid>": str(participant.referrals.first().uuid),
        "<str:event_type>": "gepauzeerd",
        "<slug:code>": "zrm",
    }
    for placeholder, value in values.items():
        route = route.replace(placeholder, value)
    return "/" + route


@pytest.mark.django_db
def test_every_id_route_is_404_for_an_unrelated_user(client, assurance):
    owner = UserFactory(role=Role.COACH)
    canary = ParticipantFactory(given_name="Kanarie", family_name="Geheim", bsn="123456782")
    TeamAssignmentFactory(participant=canary, member=owner)
    sharing_grant(
        participant=canary,
        organisation=owner.organisation,
        category="contact",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=owner,
    )
    enrollment = services.enrollment_enrol(
        participant=canary,
        programme=ProgrammeFactory(),
        actor=owner,
        referred_by=owner.organisation,
        on=clock.today(),
    )
    Signal.objects.create(participant=canary, rule="geen_contact", category="notities", opened_on=clock.today())
    household_add_member(participant=canary, relation="ouder", name="Geheim")
    sharing_grant(
        participant=canary,
        organisation=owner.organisation,
        category="traject",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=owner,
    )
    Referral.objects.create(
        participant=canary,
        from_organisation=canary.municipality,
        to_organisation=owner.organisation,
        reason="Geheim verzoek",
        created_by=owner,
    )
    token, _raw = api_token_issue(user=owner, name="Kanarie-koppeling")
    administrators = [UserFactory(role=Role.USER_ADMINISTRATOR) for _ in range(2)]
    proposal = account_change_propose(
        actor=administrators[0], kind="rol", target=owner, values={"role": Role.TEAM_LEAD}
    )
    adopted = AdoptedReport.objects.create(  # another organisation's adopted report
        title="Kanarie-rapportage",
        parameters={},
        figures={"parts": []},
        definition_version="test",
        adopted_by=owner,
        organisation=owner.organisation,
    )
    from doorstroom.research.models import Study

    study = Study.objects.create(  # another organisation's study
        title="Kanarie-onderzoek",
        purpose="Geheim onderzoeksdoel",
        period_from=clock.today(),
        period_until=clock.today(),
        requested_by=owner,
        organisation=owner.organisation,
        secret="x",
    )
    extra = {
        "<uuid:study_uuid>": str(study.uuid),
        "<uuid:token_uuid>": str(token.uuid),
        "<uuid:change_uuid>": str(proposal.uuid),
        "<uuid:report_uuid>": str(adopted.uuid),
    }
    routes = sorted(set(id_routes()))
    assert len(routes) >= 9, routes
    checked = 0
    for role in (Role.COACH, Role.DIRECTOR, Role.INTERMEDIARY, Role.TEAM_LEAD):
        outsider = UserFactory(role=role)
        client.force_login(outsider)
        api = APIClient()
        api.force_authenticate(outsider)
        for route in routes:
            url = fill(route, canary, enrollment, extra)
            assert "<" not in url, f"route with an unknown identifier kind: {route}"
            caller = api if url.startswith("/api/") else client
            for method in ("get", "post"):
                response = getattr(caller, method)(url)
                if response.status_code == 405:
                    continue
                assert response.status_code == 404, (role, method, url, response.status_code)
                body = response.content.decode()
                assert "Kanarie" not in body and "Geheim" not in body and "123456782" not in body
                checked += 1
    assurance.add("A3 id-bearing routes swept", len(routes))
    assurance.add("A3 requests", checked)
    assert checked >= 40
