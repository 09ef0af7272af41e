"""The report page, its drill-down, adoption and the API: the same figures for the same reader, every
shown report audited, bad parameters answered naming the parameter."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from doorstroom.access.models import AuditEvent
from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import EnrollmentEvent, TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.monitoring.models import AdoptedReport
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    programme = ProgrammeFactory(code="taalroute", name="Taalroute")
    people = []
    for n in range(8):
        participant = ParticipantFactory(municipality=municipality, given_name=f"Persoon{n}", family_name="Kwak")
        TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
        enrollment = enrollment_services.enrollment_enrol(
            participant=participant,
            programme=programme,
            actor=director,
            referred_by=municipality,
            on=TODAY - timedelta(days=100 - n),
        )
        enrollment_services.enrollment_record(
            enrollment=enrollment, actor=director, event_type="gestart", on=TODAY - timedelta(days=90 - n)
        )
        people.append((participant, enrollment))
    dropped = people[0][1]
    enrollment_services.enrollment_record(
        enrollment=dropped,
        actor=director,
        event_type="uitgevallen",
        on=TODAY - timedelta(days=10),
        reason_code="detentie",
    )
    leader = UserFactory(role=Role.PROJECT_LEADER, organisation=municipality)
    return {"director": director, "leader": leader, "programme": programme, "people": people, "dropped": dropped}


def test_a_director_reads_the_report_and_follows_a_count_to_the_people_behind_it(world, client):
    client.force_login(world["director"])
    before = AuditEvent.objects.count()
    page = client.get("/rapportages/", {"programma": "taalroute"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<caption>Trechter</caption>" in html and "Uitgevallen, per reden" in html
    assert AuditEvent.objects.filter(object_type="report").count() == 1 and AuditEvent.objects.count() == before + 1
    link = next(
        part.split('"')[0] for part in html.split('href="/rapportages/deelnemers/?')[1:] if "rij=uitgevallen" in part
    )
    people = client.get("/rapportages/deelnemers/?" + link.replace("&amp;", "&"))
    assert people.status_code == 200
    assert "Persoon0 Kwak" in people.content.decode() and "Persoon1" not in people.content.decode()
    row = AuditEvent.objects.filter(object_type="report_drilldown").get()
    assert [s.participant_uuid for s in row.subjects.all()] == [str(world["people"][0][0].uuid)]


def test_a_project_leader_sees_hidden_small_counts_and_no_names(world, client):
    client.force_login(world["leader"])
    home = client.get("/")
    assert home["Location"] == "/rapportages/"
    page = client.get("/rapportages/", {"programma": "taalroute"})
    html = page.content.decode()
    assert page.status_code == 200 and "&lt;5" in html
    assert "/rapportages/deelnemers/" not in html and "Persoon" not in html and "Kwak" not in html
    refused = client.get(
        "/rapportages/deelnemers/",
        {"programma": "taalroute", "deel": "geheel", "tabel": "trechter", "rij": "gestart", "kolom": "count"},
    )
    assert refused.status_code == 403


def test_bad_parameters_are_named_on_the_page_and_in_the_api(world, client):
    client.force_login(world["director"])
    page = client.get("/rapportages/", {"programma": "onbekend", "van": "2026-05-01", "tot": "2026-01-01"})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'href="#field-programma"' in html and 'href="#field-tot"' in html
    api = APIClient()
    api.force_authenticate(world["director"])
    future = (TODAY + timedelta(days=3650)).isoformat()
    answer = api.get("/api/v1/rapportages/", {"programma": "taalroute", "peildatum": future, "extra": "1"})
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"peildatum", "extra"}


def test_the_api_gives_the_same_figures_as_the_page_and_an_outside_copy_is_suppressed(world):
    api = APIClient()
    api.force_authenticate(world["director"])
    inside = api.get("/api/v1/rapportages/", {"programma": "taalroute"}).json()
    funnel = {r["key"]: r["cells"]["count"] for r in inside["parts"][0]["tables"][0]["rows"]}
    assert funnel["aangemeld"]["value"] == 8 and funnel["uitgevallen"]["value"] == 1
    assert inside["suppressed"] is False
    outside = api.get("/api/v1/rapportages/", {"programma": "taalroute", "buiten": "ja"}).json()
    funnel = {r["key"]: r["cells"]["count"] for r in outside["parts"][0]["tables"][0]["rows"]}
    assert outside["suppressed"] is True and funnel["uitgevallen"] == {
        "value": None,
        "shown": "<5",
        "hidden": "primary",
    }
    people = api.get(
        "/api/v1/rapportages/deelnemers/",
        {"programma": "taalroute", "deel": "geheel", "tabel": "trechter", "rij": "gestart", "kolom": "count"},
    ).json()
    assert len(people["participants"]) == 8 and people["not_listed"] == 0
    employer = UserFactory(role=Role.EMPLOYER)
    api.force_authenticate(employer)
    assert api.get("/api/v1/rapportages/", {"programma": "taalroute"}).status_code == 403


def test_an_adopted_report_keeps_its_figures_and_shows_todays_next_to_them(world, client):
    client.force_login(world["director"])
    made = client.post("/rapportages/vaststellen/", {"programma": "taalroute", "title": "Kwartaal 3"})
    adopted = AdoptedReport.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/rapportages/vastgesteld/{adopted.uuid}/"
    wrong = EnrollmentEvent.objects.get(enrollment=world["dropped"], event_type="uitgevallen")
    enrollment_services.enrollment_correct(
        enrollment=world["dropped"], actor=world["director"], wrong_event=wrong, reason="Verkeerd dossier"
    )
    page = client.get(f"/rapportages/vastgesteld/{adopted.uuid}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Kwartaal 3" in html
    assert "(nu 0)" in html  # drop-out corrected since: adopted 1, today 0
    funnel = {r["key"]: r["cells"]["count"]["value"] for r in adopted.figures["parts"][0]["tables"][0]["rows"]}
    assert funnel["uitgevallen"] == 1
    other = UserFactory(role=Role.DIRECTOR, organisation=OrganisationFactory(municipality=True))
    client.force_login(other)
    assert client.get(f"/rapportages/vastgesteld/{adopted.uuid}/").status_code == 404


def test_a_reason_is_named_only_to_readers_of_its_category(world):
    """The drop-out for detention is justice data: the director (statutory task) reads it in the
    breakdown; a coach on the team without justice shared sees it counted as 'not shared'."""
    from doorstroom.monitoring import services

    partner = OrganisationFactory()
    coach = UserFactory(role=Role.COACH, organisation=partner)
    TeamAssignmentFactory(participant=world["people"][0][0], member=coach, role=TeamRole.COACH)

    def reasons(user):
        report, _m = services.report_compute(user, services.parameters_from(user, {"programma": "taalroute"}))
        table = next(t for t in report["parts"][0]["tables"] if t["code"] == "uitgevallen_per_reden")
        return {row["key"]: row["cells"]["count"]["value"] for row in table["rows"]}

    assert reasons(world["director"]) == {"detentie": 1}
    assert reasons(coach) == {"niet_gedeeld": 1}


def test_the_page_exports_csv_excel_and_pdf_that_read_back(world, client):
    import csv
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    client.force_login(world["director"])
    base = {"programma": "taalroute"}
    as_csv = client.get("/rapportages/export/", {**base, "formaat": "csv"})
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert ["Aangemeld", "8"] in rows
    as_xlsx = client.get("/rapportages/export/", {**base, "formaat": "xlsx"})
    book = load_workbook(io.BytesIO(as_xlsx.content))
    assert any(row[:2] == ("Aangemeld", 8) for row in book[book.sheetnames[1]].iter_rows(values_only=True))
    as_pdf = client.get("/rapportages/export/", {**base, "formaat": "pdf"})
    assert as_pdf["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(as_pdf.content)).pages)
    assert "Trechter" in text and "Aangemeld 8" in text
    outside = client.get("/rapportages/export/", {**base, "formaat": "csv", "buiten": "ja"})
    assert ["Uitgevallen", "<5"] in list(csv.reader(io.StringIO(outside.content.decode("utf-8-sig")), delimiter=";"))
    assert client.get("/rapportages/export/", {**base, "formaat": "doc"}).status_code == 400
    assert AuditEvent.objects.filter(object_type="report_export").count() == 4


def test_a_chart_is_an_svg_image_drawn_from_what_the_table_shows(world, client):
    client.force_login(world["leader"])
    page = client.get("/rapportages/", {"programma": "taalroute"}).content.decode()
    assert 'src="/rapportages/grafiek.svg?' in page and "<svg" not in page  # an image: the page CSP stays strict
    chart = client.get("/rapportages/grafiek.svg", {"programma": "taalroute", "deel": "geheel", "tabel": "trechter"})
    assert chart.status_code == 200 and chart["Content-Type"].startswith("image/svg+xml")
    body = chart.content.decode()
    assert "<script" not in body and "Aangemeld" in body
    assert "Uitgevallen" not in body.split("Niet getekend")[0]  # a hidden count is not drawn, only named


def test_municipalities_side_by_side_add_up_to_the_whole(db):
    from doorstroom.monitoring import services
    from doorstroom.organisations.tests.factories import RegionFactory

    centre = OrganisationFactory(municipality=True, name="Centrumstad")
    neighbour = OrganisationFactory(municipality=True, name="Buurdorp")
    region = RegionFactory(centre=centre)
    region.members.add(centre, neighbour)
    region.executes_for.add(neighbour)
    director = UserFactory(role=Role.DIRECTOR, organisation=centre)
    programme = ProgrammeFactory(code="regioroute")
    for municipality, count in ((centre, 6), (neighbour, 7)):
        for _n in range(count):
            participant = ParticipantFactory(municipality=municipality)
            enrollment_services.enrollment_enrol(
                participant=participant,
                programme=programme,
                actor=director,
                referred_by=centre,
                on=TODAY - timedelta(days=40),
            )
    report, _m = services.report_compute(director, services.parameters_from(director, {"programma": "regioroute"}))
    table = next(t for t in report["parts"][0]["tables"] if t["code"] == "gemeenten")
    assert [c["name"] for c in table["columns"]] == ["Stap", "Buurdorp", "Centrumstad"]
    referred = next(r for r in table["rows"] if r["key"] == "aangemeld")["cells"]
    assert {c: v["value"] for c, v in referred.items()} == {f"m{neighbour.pk}": 7, f"m{centre.pk}": 6}
    leader = UserFactory(role=Role.PROJECT_LEADER, organisation=neighbour)
    hidden, _m = services.report_compute(leader, services.parameters_from(leader, {"programma": "regioroute"}))
    table = next(t for t in hidden["parts"][0]["tables"] if t["code"] == "gemeenten")
    referred = next(r for r in table["rows"] if r["key"] == "aangemeld")["cells"]
    assert {v["shown"] for v in referred.values()} == {"7", "6"}  # not small: shown to the project leader


def test_the_overview_of_all_programmes_shows_each_programme_in_a_row(world):
    from doorstroom.monitoring import services

    other = ProgrammeFactory(code="werkroute", name="Werkroute")
    participant, _enrollment = world["people"][1]
    enrollment_services.enrollment_enrol(
        participant=participant,
        programme=other,
        actor=world["director"],
        referred_by=participant.municipality,
        on=TODAY,
    )
    report, _m = services.report_compute(world["director"], services.parameters_from(world["director"], {}))
    table = next(t for t in report["parts"][0]["tables"] if t["code"] == "programmas")
    rows = {r["name"]: {c: v["value"] for c, v in r["cells"].items()} for r in table["rows"]}
    assert rows["Taalroute"]["aangemeld"] == 8 and rows["Taalroute"]["uitgevallen"] == 1
    assert rows["Werkroute"]["aangemeld"] == 1 and rows["Werkroute"]["gestart"] == 0
