"""Referrals between organisations: only with the participant's consent, accepted or declined with
a reason by the receiving organisation, which sees who is referred only while it has to decide."""

from datetime import timedelta

import pytest

from doorstroom.access import policy as access
from doorstroom.access.models import AuditEvent
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments.models import TeamAssignment
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import OrganisationKind, Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.services import sharing_grant, sharing_withdraw
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.referrals import rules, services
from doorstroom.referrals.models import Referral

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def test_the_rules_name_what_is_missing():
    assert rules.reason_problems("  ") == {"reason": "Schrijf op waarom u de deelnemer aanmeldt en wat u vraagt."}
    assert set(rules.reason_problems("x" * 1001)) == {"reason"}
    assert rules.decision_problems(accept=True, decline_reason="", note="") == {}
    assert set(rules.decision_problems(accept=False, decline_reason="", note="")) == {"decline_reason"}
    assert set(rules.decision_problems(accept=False, decline_reason="overig", note=" ")) == {"note"}
    assert rules.decision_problems(accept=False, decline_reason="geen_plek", note="") == {}


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory(kind=OrganisationKind.REINTEGRATION, name="Werkplaats Oost")
    partner.works_for.add(municipality)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    intake = UserFactory(role=Role.TEAM_LEAD, organisation=partner, first_name="Ine", last_name="Intake")
    coach = UserFactory(role=Role.COACH, organisation=partner, first_name="Cas", last_name="Coach")
    participant = ParticipantFactory(municipality=municipality, given_name="Yara", family_name="Referentie")
    TeamAssignmentFactory(participant=participant, member=director)
    return {
        "municipality": municipality,
        "partner": partner,
        "director": director,
        "intake": intake,
        "coach": coach,
        "participant": participant,
    }


def consent(world, on=TODAY):
    return sharing_grant(
        participant=world["participant"],
        organisation=world["partner"],
        category="traject",
        legal_basis="toestemming",
        on=on,
        recorded_by=world["director"],
    )


def refer(world):
    return services.referral_create(
        participant=world["participant"],
        actor=world["director"],
        to_organisation=world["partner"],
        reason="Zoekt een werkervaringsplek",
        today=TODAY,
    )


def test_without_consent_there_is_no_referral_and_the_field_is_named(world):
    with pytest.raises(DomainError) as refused:
        refer(world)
    assert refused.value.field == "to_organisation" and "toestemming" in refused.value.message
    with pytest.raises(DomainError) as own:
        services.referral_create(
            participant=world["participant"],
            actor=world["director"],
            to_organisation=world["municipality"],
            reason="x",
            today=TODAY,
        )
    assert own.value.field == "to_organisation"
    consent(world)
    refer(world)
    with pytest.raises(DomainError) as twice:
        refer(world)
    assert twice.value.field == "to_organisation" and "al een aanmelding" in twice.value.message
    assert Referral.objects.count() == 1


def test_the_receiver_sees_who_is_referred_only_while_deciding_and_only_with_consent(world):
    intake, participant = world["intake"], world["participant"]
    assert not access.participants_visible_to(intake).filter(pk=participant.pk).exists()
    grant = consent(world)
    referral = refer(world)
    visible = access.participants_visible_to(intake)
    assert visible.filter(pk=participant.pk).exists()
    assert access.categories_allowed(intake, participant) == {"identiteit", "traject"}
    assert not access.categories_allowed(intake, participant, access.Action.CHANGE)
    sharing_withdraw(grant=grant)
    assert not access.participants_visible_to(intake).filter(pk=participant.pk).exists()
    assert not access.referrals_received_by(intake).exists()
    with pytest.raises(DomainError):
        services.referral_decide(referral=referral, actor=intake, accept=True, today=TODAY)


def test_declining_needs_a_reason_and_ends_the_receivers_view(world):
    consent(world)
    referral = refer(world)
    with pytest.raises(DomainError) as refused:
        services.referral_decide(referral=referral, actor=world["intake"], accept=False, today=TODAY)
    assert refused.value.field == "decline_reason"
    services.referral_decide(
        referral=referral, actor=world["intake"], accept=False, decline_reason="geen_plek", today=TODAY
    )
    referral.refresh_from_db()
    assert referral.state == rules.DECLINED and referral.decided_by == world["intake"]
    assert not access.participants_visible_to(world["intake"]).filter(pk=world["participant"].pk).exists()


def test_accepting_puts_the_chosen_colleague_on_the_team_and_a_second_answer_is_a_conflict(world):
    consent(world)
    referral = refer(world)
    outsider = UserFactory(role=Role.COACH)
    with pytest.raises(DomainError) as wrong:
        services.referral_decide(referral=referral, actor=world["intake"], accept=True, assignee=outsider, today=TODAY)
    assert wrong.value.field == "assigned_to"
    services.referral_decide(
        referral=referral, actor=world["intake"], accept=True, assignee=world["coach"], today=TODAY
    )
    assert TeamAssignment.objects.get(participant=world["participant"], member=world["coach"]).role == "coach"
    assert access.participants_visible_to(world["coach"]).filter(pk=world["participant"].pk).exists()
    stale = Referral.objects.get(pk=referral.pk)
    stale.state = rules.PENDING  # what a second person still had on screen
    with pytest.raises(DomainError) as conflict:
        services.referral_decide(
            referral=stale, actor=world["intake"], accept=False, decline_reason="geen_plek", today=TODAY
        )
    assert conflict.value.code == "conflict" and "Ine Intake" in conflict.value.message
    assert TeamAssignment.objects.filter(participant=world["participant"], member=world["coach"]).count() == 1


def test_end_to_end_on_the_pages(client, world):
    participant = world["participant"]
    client.force_login(world["director"])
    create = f"/deelnemers/{participant.uuid}/aanmelden/"
    body = {"to_organisation": world["partner"].pk, "reason": "Zoekt een werkervaringsplek"}
    refused = client.post(create, body)
    assert refused.status_code == 400 and 'id="id_to_organisation-error"' in refused.content.decode()
    consent(world, on=TODAY - timedelta(days=1))
    assert client.post(create, body).status_code == 302
    referral = Referral.objects.get()
    assert "Werkplaats Oost" in client.get(f"/deelnemers/{participant.uuid}/").content.decode()

    client.force_login(world["intake"])
    inbox = client.get("/aanmeldingen/").content.decode()
    assert "Yara Referentie" in inbox
    page = f"/aanmeldingen/{referral.uuid}/"
    assert "Zoekt een werkervaringsplek" in client.get(page).content.decode()
    missing = client.post(page, {"decision": "afwijzen"})
    assert missing.status_code == 400 and 'id="id_decline_reason-error"' in missing.content.decode()
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert client.post(page, {"decision": "accepteren", "assigned_to": world["coach"].pk}).status_code == 302
    written = AuditEvent.objects.filter(id__gt=before, object_type="referral")
    assert list(written.values_list("action", flat=True)) == ["change"]
    assert list(written.get().subjects.values_list("participant_uuid", flat=True)) == [str(participant.uuid)]
    assert TeamAssignment.objects.filter(participant=participant, member=world["coach"]).exists()

    client.force_login(UserFactory(role=Role.COACH))  # someone elsewhere: the referral does not exist for them
    assert client.get(page).status_code == 404
    assert "Yara" not in client.get("/aanmeldingen/").content.decode()


def test_the_sender_withdraws_an_open_referral(client, world):
    consent(world)
    referral = refer(world)
    client.force_login(world["intake"])
    assert client.post(f"/aanmeldingen/{referral.uuid}/intrekken/").status_code == 404  # not theirs to withdraw
    client.force_login(world["director"])
    assert client.post(f"/aanmeldingen/{referral.uuid}/intrekken/").status_code == 302
    referral.refresh_from_db()
    assert referral.state == rules.WITHDRAWN
    assert not access.participants_visible_to(world["intake"]).filter(pk=world["participant"].pk).exists()


def test_the_team_role_follows_the_colleagues_own_role(world):
    consent(world)
    referral = refer(world)
    teacher = UserFactory(role=Role.TEACHER, organisation=world["partner"])
    services.referral_decide(referral=referral, actor=world["intake"], accept=True, assignee=teacher, today=TODAY)
    assert TeamAssignment.objects.get(participant=world["participant"], member=teacher).role == "docent"


def test_the_api_refers_lists_and_answers(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world["director"])
    url = f"/api/v1/deelnemers/{world['participant'].uuid}/aanmeldingen/"
    body = {"to_organisation": str(world["partner"].uuid), "reason": "Zoekt een werkervaringsplek"}
    refused = api.post(url, body, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "to_organisation"
    consent(world)
    made = api.post(url, body, format="json")
    assert made.status_code == 201 and made.json()["state"] == "open"
    sent = api.get("/api/v1/aanmeldingen/?richting=verstuurd").json()
    assert sent["count"] == 1 and sent["results"][0]["participant_name"] == "Yara Referentie"
    assert api.get("/api/v1/aanmeldingen/?richting=zijwaarts").json()["errors"][0]["field"] == "richting"

    api.force_authenticate(world["intake"])
    [received] = api.get("/api/v1/aanmeldingen/").json()["results"]
    answer = f"/api/v1/aanmeldingen/{received['uuid']}/antwoord/"
    no_reason = api.post(answer, {"accept": False}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "decline_reason"
    accepted = api.post(answer, {"accept": True, "assigned_to": world["coach"].username}, format="json")
    assert accepted.status_code == 200 and accepted.json()["assigned_to"] == world["coach"].username
    again = api.post(answer, {"accept": False, "decline_reason": "geen_plek"}, format="json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "conflict"
    api.force_authenticate(UserFactory(role=Role.COACH))
    assert api.post(answer, {"accept": True}, format="json").status_code == 404
