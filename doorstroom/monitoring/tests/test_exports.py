"""Reports leave as CSV (semicolon or comma), Excel and JSON, read back here with the csv module,
openpyxl and json; a cell a spreadsheet would run as a formula never does; the command acts as the
user it names and is audited like the page."""

import csv
import io
import json
from datetime import timedelta

from django.core.management import CommandError, call_command

import pytest
from openpyxl import load_workbook

from doorstroom.access.models import AuditEvent
from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.monitoring import exports
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.models import ProgrammeGroup
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality, username="regie")
    # a programme whose name would be a formula in a spreadsheet
    programme = ProgrammeFactory(code="formule", name='=HYPERLINK("http://x")', phases=[("@SUM(1)", 4)])
    ProgrammeGroup.objects.create(programme=programme, name="-1+1")
    for n in range(7):
        participant = ParticipantFactory(municipality=municipality)
        TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
        enrollment = enrollment_services.enrollment_enrol(
            participant=participant,
            programme=programme,
            actor=director,
            referred_by=municipality,
            on=TODAY - timedelta(days=60),
        )
        enrollment_services.enrollment_record(
            enrollment=enrollment, actor=director, event_type="gestart", on=TODAY - timedelta(days=50)
        )
        if n == 0:
            enrollment_services.enrollment_record(
                enrollment=enrollment,
                actor=director,
                event_type="afgerond",
                on=TODAY - timedelta(days=5),
                outcomes=["stage"],
            )
    return {"director": director, "municipality": municipality}


def test_neutralised_prefixes_every_formula_start():
    for text in ("=1+1", "+31", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert exports.neutralised(text) == "'" + text
    assert exports.neutralised("Taal") == "Taal"


def test_the_command_writes_csv_that_reads_back_and_is_audited(world, tmp_path, capsys):
    before = AuditEvent.objects.filter(object_type="report_export").count()
    call_command("report", "--door", "regie", "--programme", "formule", "--format", "csv")
    text = capsys.readouterr().out
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    funnel = {row[0]: row[1] for row in rows if len(row) == 2}
    assert funnel["Aangemeld"] == "7" and funnel["Gestart"] == "7" and funnel["Afgerond met resultaat"] == "1"
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(exports.FORMULA_STARTS) for cell in cells)
    assert "'@SUM(1)" in cells  # the phase name, shown as text
    assert AuditEvent.objects.filter(object_type="report_export").count() == before + 1
    call_command("report", "--door", "regie", "--programme", "formule", "--format", "csv", "--komma")
    comma = list(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff")), delimiter=","))
    assert {row[0]: row[1] for row in comma if len(row) == 2}["Aangemeld"] == "7"


def test_the_command_writes_excel_with_typed_cells_one_sheet_per_table(world, tmp_path):
    target = tmp_path / "rapport.xlsx"
    call_command("report", "--door", "regie", "--programme", "formule", "--format", "xlsx", "--uitvoer", str(target))
    book = load_workbook(target)
    assert len(book.sheetnames) >= 10
    funnel = book[book.sheetnames[1]]
    values = {row[0]: row[1] for row in funnel.iter_rows(values_only=True) if len(row) > 1 and row[0]}
    assert values["Aangemeld"] == 7 and isinstance(values["Aangemeld"], int)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                assert not (isinstance(cell, str) and cell.startswith(exports.FORMULA_STARTS)), cell


def test_the_command_json_is_the_api_answer_and_an_outside_copy_is_suppressed(world, capsys):
    call_command("report", "--door", "regie", "--programme", "formule", "--buiten")
    report = json.loads(capsys.readouterr().out)
    assert report["suppressed"] is True and report["outside"] is True
    funnel = {r["key"]: r["cells"]["count"]["shown"] for r in report["parts"][0]["tables"][0]["rows"]}
    assert funnel["aangemeld"] == "7" and funnel["afgerond_met_resultaat"] == "<5"


def test_the_command_refuses_naming_what_is_wrong(world):
    with pytest.raises(CommandError, match="--door"):
        call_command("report", "--door", "niemand", "--programme", "formule")
    with pytest.raises(CommandError, match="--programme"):
        call_command("report", "--door", "regie", "--programme", "bestaat-niet")
    with pytest.raises(CommandError, match="--tot"):
        call_command("report", "--door", "regie", "--van", "2026-06-01", "--tot", "2026-01-01")
    employer = UserFactory(role=Role.EMPLOYER, username="werkgever-x")
    with pytest.raises(CommandError, match="--door"):
        call_command("report", "--door", employer.username)


def test_the_command_writes_a_pdf_with_the_tables(world, tmp_path):
    from pypdf import PdfReader

    target = tmp_path / "rapport.pdf"
    call_command("report", "--door", "regie", "--programme", "formule", "--format", "pdf", "--uitvoer", str(target))
    text = " ".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Trechter" in text and "Aangemeld 7" in text
