"""A4: pages, the API and the exports give the same answer for every role, situation, object kind
and action: 404 when the object is out of scope, 403 when it is visible but the action is not
allowed, and the action itself otherwise. The expectation comes from the decision table."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from doorstroom.access import policy
from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

SITUATIONS = ("task", "team", "overview", "own", "none")


def outcome(status: int) -> str:
    if status in (403, 404):
        return str(status)
    assert status < 500 and status not in (401, 405), status
    return "allowed"


def expected(user, participant, action, category, *, export=False, visible_as=None) -> str:
    involvement = policy.involvement_of(user, participant)
    if not policy.decide(user.role, involvement, policy.Action.VIEW, visible_as or category):
        return "404"
    allowed = policy.decide(user.role, involvement, action, category)
    if export:  # the access-request export: the controller, or the participant themselves
        allowed = allowed and (policy.can_manage_sharing(user, participant) or participant.account_id == user.pk)
    return "allowed" if allowed else "403"


def situation_world(role, situation):
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory()
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director)
    enrollment = enrollment_services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(),
        actor=director,
        referred_by=municipality,
        on=clock.today() - timedelta(days=3),
    )
    if situation == "task":
        user = UserFactory(role=role, organisation=municipality)
    elif situation == "team":
        user = UserFactory(role=role, organisation=partner)
        TeamAssignmentFactory(participant=participant, member=user)
    elif situation == "overview":
        user = UserFactory(role=role, organisation=partner)
        TeamAssignmentFactory(participant=participant, member=UserFactory(role=Role.COACH, organisation=partner))
    elif situation == "own":
        user = UserFactory(role=role, organisation=municipality)
        participant.account = user
        participant.save(update_fields=["account"])
    else:
        user = UserFactory(role=role, organisation=OrganisationFactory())
    return user, participant, enrollment


@pytest.mark.parametrize("role", list(Role.values))
def test_pages_api_and_exports_agree(role, client, assurance):
    disagreements = []
    cases = 0
    for situation in SITUATIONS:
        user, p, e = situation_world(role, situation)
        client.force_login(user)
        api = APIClient()
        api.force_authenticate(user)
        identity, trajectory = policy.Category.IDENTITY, policy.Category.TRAJECTORY
        checks = [
            (
                "participant view",
                expected(user, p, policy.Action.VIEW, identity),
                [
                    client.get(f"/deelnemers/{p.uuid}/"),
                    api.get(f"/api/v1/deelnemers/{p.uuid}/"),
                ],
            ),
            (
                "participant change",
                expected(user, p, policy.Action.CHANGE, identity),
                [
                    client.post(f"/deelnemers/{p.uuid}/wijzigen/", {}),
                    api.patch(f"/api/v1/deelnemers/{p.uuid}/", {}, format="json"),
                ],
            ),
            (
                "participant contact change",
                expected(user, p, policy.Action.CHANGE, policy.Category.CONTACT, visible_as=identity),
                [
                    client.post(f"/deelnemers/{p.uuid}/wijzigen/", {"phone": "0612345678"}),
                    api.patch(f"/api/v1/deelnemers/{p.uuid}/", {"phone": "0612345678"}, format="json"),
                ],
            ),
            (
                "participant export",
                expected(user, p, policy.Action.EXPORT, identity, export=True),
                [
                    client.get(f"/deelnemers/{p.uuid}/inzageverzoek.json"),
                    client.get(f"/deelnemers/{p.uuid}/inzageverzoek.pdf"),
                ],
            ),
            (
                "enrollment view",
                expected(user, p, policy.Action.VIEW, trajectory),
                [
                    client.get(f"/inschrijvingen/{e.uuid}/"),
                    api.get(f"/api/v1/inschrijvingen/{e.uuid}/"),
                    api.get(f"/api/v1/inschrijvingen/{e.uuid}/gebeurtenissen/"),
                ],
            ),
            (
                "enrollment change",
                expected(user, p, policy.Action.CHANGE, trajectory),
                [
                    client.post(f"/inschrijvingen/{e.uuid}/stap/gestart/", {}),
                    api.post(f"/api/v1/inschrijvingen/{e.uuid}/gebeurtenissen/", {}, format="json"),
                ],
            ),
        ]
        for label, want, responses in checks:
            got = [outcome(r.status_code) for r in responses]
            cases += len(got)
            assurance.add(f"A4 cases answered {want}", len(got))
            if any(g != want for g in got):
                disagreements.append((situation, label, want, got))
    assurance.add("A4 HTTP cases", cases)
    assurance.add("A4 disagreements", len(disagreements))
    assert not disagreements, disagreements
