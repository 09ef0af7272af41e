"""C1: every input of the bad-input corpus through the form and the API: no server error, no partial
write, and every rejection names the field."""

from pathlib import Path

from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import EnrollmentEvent
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

CORPUS = Path(__file__).parent / "corpus" / "bad_inputs.txt"


def corpus() -> list[str]:
    lines = CORPUS.read_text(encoding="ascii").splitlines()
    return [line.encode("ascii").decode("unicode_escape") for line in lines if not line.startswith("#")]


@pytest.mark.django_db
def test_the_corpus_goes_through_every_channel_without_errors_or_partial_writes(client, assurance):
    inputs = corpus()
    assert len(inputs) >= 300
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    api = APIClient()
    api.force_authenticate(director)
    client.force_login(director)
    participant = ParticipantFactory(municipality=municipality)
    enrollment = enrollment_services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(),
        actor=director,
        referred_by=municipality,
        on=clock.today(),
    )
    base = {
        "municipality": str(municipality.uuid),
        "given_name": "Test",
        "family_name": "Persoon",
        "date_of_birth": "1990-01-01",
    }
    attempts = server_errors = partial = unnamed = 0

    def check(response, created_before: int, created_after: int, *, api_call: bool) -> None:
        nonlocal attempts, server_errors, partial, unnamed
        attempts += 1
        if response.status_code >= 500:
            server_errors += 1
        grew = created_after - created_before
        accepted = response.status_code in (200, 201, 302)
        if grew not in ((1,) if accepted and response.status_code != 200 else (0,)):
            partial += 1
        if (
            api_call
            and response.status_code == 400
            and any(not error.get("field") for error in response.json()["errors"])
        ):
            unnamed += 1

    for value in inputs:
        for field in ("given_name", "bsn", "date_of_birth", "residence_status"):
            before = Participant.objects.count()
            response = api.post(
                "/api/v1/deelnemers/", {**base, field: value, "confirm_not_duplicate": True}, format="json"
            )
            check(response, before, Participant.objects.count(), api_call=True)
        before = Participant.objects.count()
        response = client.post(
            reverse("participants:create"),
            {
                **base,
                "municipality": municipality.pk,
                "family_name": value,
                "residence_status": "onbekend",
                "benefit_status": "onbekend",
                "confirm_not_duplicate": "on",
            },
        )
        check(response, before, Participant.objects.count(), api_call=False)
        before = EnrollmentEvent.objects.count()
        response = api.post(
            f"/api/v1/inschrijvingen/{enrollment.uuid}/gebeurtenissen/",
            {"event_type": "niet_gestart", "reason_code": value, "note": value},
            format="json",
        )
        check(response, before, EnrollmentEvent.objects.count(), api_call=True)
    assurance.add("C1 corpus inputs", len(inputs))
    assurance.add("C1 attempts", attempts)
    assurance.add("C1 server errors", server_errors)
    assurance.add("C1 partial writes", partial)
    assurance.add("C1 rejections without a field", unnamed)
    assert (server_errors, partial, unnamed) == (0, 0, 0)
