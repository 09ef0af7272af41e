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


def _import_files(channel: str, header: list[str], row: list[str]) -> list[tuple[str, bytes]]:
    import csv
    import io

    from openpyxl import Workbook

    if channel == "csv":
        text = io.StringIO()
        csv.writer(text, delimiter=";").writerows([header, row])
        return [("deelnemers.csv", text.getvalue().encode("utf-8"))]
    book = Workbook()
    sheet = book.active
    sheet.title = "deelnemers"
    sheet.append(header)
    sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return [("deelnemers.xlsx", out.getvalue())]


@pytest.mark.django_db
@pytest.mark.generated  # runs once per `make test` (on PostgreSQL), like the other generated suites
def test_the_corpus_goes_through_the_csv_and_excel_import(assurance):
    """C1/C3 through the import channels: each corpus input in a cell of a CSV file and of an Excel
    workbook: no exception, a rejection names file, row and column and stores nothing, an accepted
    row stores exactly one participant."""
    from openpyxl.utils.exceptions import IllegalCharacterError

    from doorstroom.imports import services as import_services

    inputs = corpus()
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    header = ["extern_id", "gemeente", "voornaam", "achternaam", "geboortedatum", "bsn", "verblijfsstatus"]
    columns = ["voornaam", "achternaam", "geboortedatum", "bsn", "verblijfsstatus", "extern_id"]
    attempts = errors = partial = unnamed = 0
    for index, value in enumerate(inputs):
        for channel in ("csv", "xlsx"):
            column = columns[(index + (channel == "xlsx")) % len(columns)]
            row = [f"X{index}{channel}", municipality.name, "Corpus", f"Persoon{index}{channel}", "01-01-1990", "", ""]
            row[header.index(column)] = value
            try:
                files = _import_files(channel, header, row)
            except IllegalCharacterError:  # a control character Excel cannot hold: no such workbook exists
                continue
            before = Participant.objects.count()
            attempts += 1
            try:
                outcome = import_services.import_files(user=director, files=files, write=True)
            except Exception:  # noqa: BLE001 - any exception here is the "server error" this test counts
                errors += 1
                continue
            grew = Participant.objects.count() - before
            if grew != (0 if outcome.problems else 1):
                partial += 1
            if any(not (p.file and (p.column or p.row == 0)) for p in outcome.problems):
                unnamed += 1
    assurance.add("C1 attempts", attempts)
    assurance.add("C1 server errors", errors)
    assurance.add("C1 partial writes", partial)
    assurance.add("C1 rejections without a field", unnamed)
    assert (errors, partial, unnamed) == (0, 0, 0)
