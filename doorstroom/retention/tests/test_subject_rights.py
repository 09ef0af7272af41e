"""H2 and H3: the access-request export holds every kind of data kept; a restriction freezes changes."""

import json
from datetime import timedelta

from django.apps import apps
from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.retention.selectors import DERIVED_FROM, EXPORT_SECTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    account = UserFactory(role=Role.PARTICIPANT, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, bsn="123456782", account=account)
    TeamAssignmentFactory(participant=participant, member=director)
    enrollment = enrollment_services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(),
        actor=director,
        referred_by=municipality,
        on=clock.today() - timedelta(days=5),
        note="Eerste gesprek",
    )
    participant_services.household_add_member(participant=participant, relation="ouder")
    participant_services.sharing_grant(
        participant=participant,
        organisation=municipality,
        category="plan",
        legal_basis="wettelijke_taak",
        on=clock.today(),
        recorded_by=director,
    )
    participant_services.participant_update(
        participant=participant,
        data={"family_name": "Gecorrigeerd"},
        expected_version=participant.version,
        actor=director,
        reason="Achternaam verkeerd gespeld",
        is_rectification=True,
    )
    return {"director": director, "account": account, "participant": participant, "enrollment": enrollment}


def test_the_export_holds_every_kind_of_data_kept(client, world, assurance):
    holders = {
        f"{model._meta.app_label}.{model.__name__}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "related_model", None) is Participant and field.concrete and field.many_to_one
    }
    shown = set(EXPORT_SECTIONS) | {cache for cache, source in DERIVED_FROM.items() if source in EXPORT_SECTIONS}
    assert holders <= shown, f"not in the export: {holders - shown}"
    client.force_login(world["director"])  # a look at the file, to appear in "who looked"
    client.get(reverse("participants:detail", args=[world["participant"].uuid]))
    client.force_login(world["account"])  # the participant's own request
    response = client.get(reverse("participants:export", args=[world["participant"].uuid]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    for section in EXPORT_SECTIONS.values():
        assert section in data, section
    for section in ("huishoudens", "gegevensdelingen", "team", "trajecten", "wijzigingen"):
        assert data[section], section
    assert data["deelnemer"]["bsn"] == "123456782"
    assert data["trajecten"][0]["gebeurtenissen"][0]["toelichting"] == "Eerste gesprek"
    assert data["inzage_in_dossier"]
    assert data["wijzigingen"][0]["rectificatie"] is True
    assert data["wijzigingen"][0]["waarden_voor_en_na"]["family_name"][1] == "Gecorrigeerd"
    assurance.add("H2 models covered", len(holders))
    assurance.add("H2 models missing", len(holders - shown))


def test_a_coach_cannot_export(client, world):
    coach = UserFactory(role=Role.COACH)
    TeamAssignmentFactory(participant=world["participant"], member=coach)
    client.force_login(coach)
    assert client.get(reverse("participants:export", args=[world["participant"].uuid])).status_code == 403


def test_a_restriction_refuses_every_change_and_still_logs_reads(client, world, assurance):
    participant, enrollment = world["participant"], world["enrollment"]
    client.force_login(world["director"])
    assert (
        client.post(reverse("participants:restriction", args=[participant.uuid]), {"reason": "Betwist"}).status_code
        == 302
    )
    writes = [
        ("post", reverse("participants:edit", args=[participant.uuid]), {}),
        ("post", reverse("enrollments:create", args=[participant.uuid]), {}),
        ("post", reverse("enrollments:event_create", args=[enrollment.uuid, "gestart"]), {}),
        ("post", reverse("enrollments:correct", args=[enrollment.uuid]), {}),
        ("post", reverse("enrollments:team_add", args=[participant.uuid]), {}),
        ("post", reverse("participants:household_add", args=[participant.uuid]), {}),
    ]
    refused = 0
    for method, url, data in writes:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        refused += 1
    api = APIClient()
    api.force_authenticate(world["director"])
    assert (
        api.patch(f"/api/v1/deelnemers/{participant.uuid}/", {"phone": "06", "version": 1}, format="json").status_code
        == 403
    )
    assert (
        api.post(
            f"/api/v1/inschrijvingen/{enrollment.uuid}/gebeurtenissen/", {"event_type": "gestart"}, format="json"
        ).status_code
        == 403
    )
    assert (
        api.post(
            "/api/v1/inschrijvingen/",
            {"participant": str(participant.uuid), "programme": ProgrammeFactory().code},
            format="json",
        ).status_code
        == 403
    )
    refused += 3
    assert client.get(reverse("participants:detail", args=[participant.uuid])).status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.state == "aangemeld"
    assert client.post(reverse("participants:restriction", args=[participant.uuid])).status_code == 302  # lifted
    assert client.get(reverse("enrollments:event_create", args=[enrollment.uuid, "gestart"])).status_code == 200
    assurance.add("H3 write endpoints refused", refused)


def test_the_pdf_export_is_a_readable_document_with_every_section(client, world, assurance):
    from io import BytesIO

    from pypdf import PdfReader

    client.force_login(world["account"])  # the participant's own request
    response = client.get(reverse("participants:export_pdf", args=[world["participant"].uuid]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for heading in (
        "Uw persoonsgegevens",
        "Uw trajecten",
        "Wie met u werkt",
        "Met wie uw gegevens gedeeld worden",
        "Wijzigingen in uw gegevens",
        "Wie uw dossier heeft bekeken",
    ):
        assert heading in text, heading
    assert "123456782" in text and "Gecorrigeerd" in text and "Eerste gesprek" in text
    assert "Achternaam verkeerd gespeld" in " ".join(text.split()), text[text.find("Rectificatie") - 200 :][:400]
    assurance.add("H2 PDF sections checked", 6)


def test_a_coach_cannot_get_the_pdf(client, world):
    coach = UserFactory(role=Role.COACH)
    TeamAssignmentFactory(participant=world["participant"], member=coach)
    client.force_login(coach)
    assert client.get(reverse("participants:export_pdf", args=[world["participant"].uuid])).status_code == 403


def test_the_recipients_are_the_organisations_that_read_the_file(client, world, assurance):
    """H5: the art. 19 recipients list equals the organisations with allowed reads in the audit log."""
    from doorstroom.access.models import AuditEvent

    partner_coach = UserFactory(role=Role.COACH)
    TeamAssignmentFactory(participant=world["participant"], member=partner_coach)
    outsider = UserFactory(role=Role.COACH)  # refused: not a recipient
    for user in (partner_coach, outsider, world["director"]):
        client.force_login(user)
        client.get(reverse("participants:detail", args=[world["participant"].uuid]))
    client.force_login(world["account"])
    data = json.loads(client.get(reverse("participants:export", args=[world["participant"].uuid])).content)
    from_audit = set(
        AuditEvent.objects.filter(subjects__participant_uuid=str(world["participant"].uuid), result="allowed")
        .exclude(actor_role=Role.PARTICIPANT)
        .values_list("organisation_name", flat=True)
    )
    assert set(data["ontvangers"]) == from_audit
    assert partner_coach.organisation.name in data["ontvangers"]
    assert outsider.organisation.name not in data["ontvangers"]
    assurance.add("H5 recipients mismatches", len(set(data["ontvangers"]) ^ from_audit))
