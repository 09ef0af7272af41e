"""Importing histories: what a file says becomes history through the ordinary services; a bad file
writes nothing and says where it is wrong; the same file again changes nothing; an updated file
corrects with correcting events; encodings, delimiters and Excel read the same."""

import io
from datetime import date, datetime

from django.core.management import call_command

import pytest
from openpyxl import Workbook

from doorstroom.access.models import AuditEvent
from doorstroom.contacts.models import ContactMoment
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, TeamAssignment
from doorstroom.imports import services
from doorstroom.measurements.models import Measurement
from doorstroom.organisations.models import OrganisationKind, Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.models import Programme

pytestmark = pytest.mark.django_db

PEOPLE = (
    "extern_id;gemeente;bsn;voornaam;tussenvoegsel;achternaam;geboortedatum;inburgeringsplichtig;regisseur\n"
    "K1;Gemeente Proefstad;;Hawa;;Éclair;12-03-1990;ja;\n"
    "K2;Gemeente Proefstad;;Tarik;van;Dam;1985-07-01;ja;\n"
)
ROUTES = (
    "extern_id;deelnemer;programma;aangemeld_op\n"
    "T1;K1;dordrecht-participatie;01-02-2022\n"
    "T2;K2;dordrecht-participatie;15-02-2022\n"
)
EVENTS = (
    "traject;datum;gebeurtenis;reden;resultaten\n"
    "T1;2022-02-14;intake;;\n"
    "T1;2022-03-01;gestart;;\n"
    "T1;2022-10-01;afgerond;;stage,certificaat\n"
    "T2;2022-03-01;niet_gestart;taalniveau_te_laag;\n"
)
CONTACTS = "extern_id;deelnemer;datum;soort;minuten\nC1;K1;2022-03-10;gesprek;30\n"
MEASURES = (
    "extern_id;deelnemer;instrument;moment;datum;onderdeel;waarde\n"
    "M1;K1;taalniveau;nulmeting;2022-03-01;lezen;A1\n"
    "M1;K1;taalniveau;nulmeting;2022-03-01;luisteren;A2\n"
    "M1;K1;taalniveau;nulmeting;2022-03-01;schrijven;1\n"
    "M1;K1;taalniveau;nulmeting;2022-03-01;spreken;A1\n"
)


def files(**replaced: str) -> list[tuple[str, bytes]]:
    tables = {
        "deelnemers": PEOPLE,
        "trajecten": ROUTES,
        "gebeurtenissen": EVENTS,
        "contacten": CONTACTS,
        "metingen": MEASURES,
    }
    tables.update(replaced)
    return [(f"{name}.csv", text.encode()) for name, text in tables.items() if text is not None]


@pytest.fixture
def director():
    municipality = OrganisationFactory(name="Gemeente Proefstad", municipality=True)
    return UserFactory(username="regisseur.proef", role=Role.DIRECTOR, organisation=municipality)


def stored() -> tuple[int, ...]:
    return (
        Participant.objects.count(),
        Enrollment.objects.count(),
        EnrollmentEvent.objects.count(),
        Measurement.objects.count(),
        ContactMoment.objects.count(),
        TeamAssignment.objects.count(),
    )


def test_a_history_comes_in_through_the_services_with_one_audit_row(director):
    outcome = services.import_files(user=director, files=files(), write=True)
    assert outcome.problems == []
    hawa = Participant.objects.get(given_name="Hawa")
    assert hawa.family_name == "Éclair" and hawa.date_of_birth == date(1990, 3, 12)
    route = Enrollment.objects.get(participant=hawa)
    assert route.state == "afgerond" and sorted(route.outcomes) == ["certificaat", "stage"]
    assert route.referred_on == date(2022, 2, 1) and route.ended_on == date(2022, 10, 1)
    other = Enrollment.objects.get(participant__given_name="Tarik")
    assert other.state == "niet_gestart"
    assert TeamAssignment.objects.get(participant=hawa).member == director  # no regisseur named
    assert TeamAssignment.objects.get(participant=hawa).starts_on == date(2022, 2, 1)
    scores = dict(Measurement.objects.get(participant=hawa).scores.values_list("item", "value"))
    assert scores == {"lezen": 1, "luisteren": 2, "schrijven": 1, "spreken": 1}  # A1 read as level 1
    rows = AuditEvent.objects.filter(object_type="import")
    assert rows.count() == 1
    row = rows.get()
    assert row.action == "change" and row.actor_id == director.pk
    assert sorted(row.subjects.values_list("participant_uuid", flat=True)) == sorted(
        str(p.uuid) for p in Participant.objects.all()
    )


@pytest.mark.parametrize(
    "replaced, where",
    [
        ({"deelnemers": PEOPLE.replace("12-03-1990", "31-02-1990")}, ("deelnemers.csv", 2, "geboortedatum")),
        (
            {"trajecten": ROUTES.replace("dordrecht-participatie;15", "geen-programma;15")},
            ("trajecten.csv", 3, "programma"),
        ),
        ({"gebeurtenissen": EVENTS.replace("taalniveau_te_laag", "verzonnen")}, ("gebeurtenissen.csv", 5, "reden")),
        (
            {"gebeurtenissen": EVENTS.replace("stage,certificaat", "stage,maanreis")},
            ("gebeurtenissen.csv", 4, "resultaten"),
        ),
        (
            {"gebeurtenissen": EVENTS.replace("2022-02-14;intake", "2022-01-14;intake")},
            ("gebeurtenissen.csv", 2, "datum"),
        ),
        ({"trajecten": ROUTES.replace("T2;K2", "T1;K2")}, ("trajecten.csv", 3, "extern_id")),
        ({"deelnemers": PEOPLE.replace(";voornaam;", ";naam;")}, ("deelnemers.csv", 1, "naam")),
        ({"contacten": CONTACTS.replace("gesprek", "=HYPERLINK(1)")}, ("contacten.csv", 2, "soort")),
        (
            {"gebeurtenissen": EVENTS.replace("T1;2022-03-01;gestart", "T1;2022-03-01;afgerond")},
            ("gebeurtenissen.csv", 3, "gebeurtenis"),
        ),
        (
            {"deelnemers": PEOPLE.replace("K2;Gemeente Proefstad;", "K2;Gemeente Proefstad;123456780")},
            ("deelnemers.csv", 3, "bsn"),
        ),
        ({"metingen": MEASURES.replace("lezen;A1", "lezen;Z9")}, ("metingen.csv", 2, "waarde")),
        ({"contacten": CONTACTS.replace(";30", ";3000")}, ("contacten.csv", 2, "minuten")),
        ({"gebeurtenissen": EVENTS.replace("2022-10-01", "2099-10-01")}, ("gebeurtenissen.csv", 4, "datum")),
    ],
)
def test_a_bad_row_writes_nothing_and_says_where(director, replaced, where):
    before = stored()
    outcome = services.import_files(user=director, files=files(**replaced), write=True)
    assert not outcome.written
    assert where in [(p.file, p.row, p.column) for p in outcome.problems], outcome.problems
    assert all(p.message for p in outcome.problems)
    assert stored() == before
    assert not AuditEvent.objects.filter(object_type="import", action="change").exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("deelnemers.csv", b"", "leeg"),
        ("deelnemers.csv", b"extern_id|gemeente|voornaam\nK1|X|Y\n", "scheidingsteken"),
        ("lijst.csv", b"naam,adres\nX,Y\n", "welke tabel"),
        ("deelnemers.csv", "extern_id;voornaam\nK1;Zoë\n".encode() + "K2;Renée\n".encode("cp1252"), "tekensets"),
        ("deelnemers.xlsx", b"not really a workbook", "Excel"),
        ("deelnemers.csv", b"x" * (40 * 1024 * 1024 + 1), "MB"),
    ],
)
def test_files_that_cannot_be_read_are_refused_in_words(director, name, content, message):
    outcome = services.import_files(user=director, files=[(name, content)], write=True)
    assert not outcome.written and outcome.problems
    assert message in outcome.problems[0].message
    assert outcome.problems[0].file == name


def test_encodings_delimiters_and_excel_read_the_same(director):
    cp1252 = [(name, data.decode().encode("cp1252")) for name, data in files()]
    with_bom = [(name, b"\xef\xbb\xbf" + data) for name, data in files()]
    comma = [
        (name, data.decode().replace(";", ",").replace("stage,certificaat", '"stage,certificaat"').encode())
        for name, data in files()
    ]
    for variant in (cp1252, with_bom, comma, workbook(files())):
        outcome = services.import_files(user=director, files=variant, write=False)
        assert outcome.problems == [], outcome.problems
        assert outcome.counts["deelnemers"]["nieuw"] == 2 and outcome.counts["gebeurtenissen"]["nieuw"] == 4
    assert Participant.objects.count() == 0  # a preview writes nothing
    outcome = services.import_files(user=director, files=workbook(files()), write=True)
    assert Participant.objects.get(given_name="Hawa").family_name == "Éclair"


def workbook(csv_files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The same tables as one Excel workbook, with dates typed as dates and one as Excel's day number."""
    book = Workbook()
    book.remove(book.active)
    for name, data in csv_files:
        sheet = book.create_sheet(name.removesuffix(".csv").capitalize())
        for line in data.decode().splitlines():
            cells: list[object] = line.split(";")
            for i, cell in enumerate(cells):
                for fmt in ("%d-%m-%Y", "%Y-%m-%d"):
                    try:
                        cells[i] = datetime.strptime(str(cell), fmt)
                    except ValueError:
                        continue
            sheet.append(cells)
    book["Trajecten"]["D2"] = 44593  # 1 February 2022 as Excel counts days
    out = io.BytesIO()
    book.save(out)
    return [("historie.xlsx", out.getvalue())]


def test_the_same_file_again_changes_nothing_and_an_update_corrects(director):
    services.import_files(user=director, files=files(), write=True)
    before = stored()
    again = services.import_files(user=director, files=files(), write=True)
    assert not again.written and again.problems == [] and stored() == before
    updated = files(
        gebeurtenissen=EVENTS.replace("stage,certificaat", "betaald_werk"),
        contacten=CONTACTS.replace(";30", ";45") + "C2;K1;2022-04-01;huisbezoek;60\n",
        deelnemers=PEOPLE.replace("Tarik;van;Dam", "Tarik;van;Damme"),
        metingen=MEASURES.replace("spreken;A1", "spreken;A2"),
    )
    outcome = services.import_files(user=director, files=updated, write=True)
    assert outcome.problems == [] and outcome.written
    route = Enrollment.objects.get(participant__given_name="Hawa")
    assert route.outcomes == ["betaald_werk"]
    corrected = route.events.filter(event_type="gecorrigeerd")
    assert corrected.count() == 1 and corrected.get().corrects.outcomes == ["stage", "certificaat"]
    assert Participant.objects.get(given_name="Tarik").family_name == "Damme"
    assert Participant.objects.get(given_name="Tarik").changes.count() == 1
    assert sorted(ContactMoment.objects.values_list("minutes", flat=True)) == [45, 60]
    latest = Measurement.objects.get(corrects__isnull=False)
    assert dict(latest.scores.values_list("item", "value"))["spreken"] == 2
    assert outcome.counts["gebeurtenissen"]["gewijzigd"] == 1 and outcome.counts["contacten"]["nieuw"] == 1
    settled = stored()
    assert services.import_files(user=director, files=updated, write=True).written is False
    assert stored() == settled


def test_a_bsn_known_elsewhere_is_not_revealed(director):
    municipality = director.organisation
    partner = OrganisationFactory(name="Werkbedrijf Proef", kind=OrganisationKind.REINTEGRATION)
    partner.works_for.add(municipality)
    lead = UserFactory(role=Role.TEAM_LEAD, organisation=partner)
    colleague = UserFactory(username="regie.partner", role=Role.DIRECTOR, organisation=partner)
    ParticipantFactory(municipality=municipality, bsn="111222333", given_name="Geheim", family_name="Persoon")
    by_bsn = PEOPLE.replace("K2;Gemeente Proefstad;;", "K2;Gemeente Proefstad;111222333;").replace(
        ";\n", ";regie.partner\n"
    )
    by_name = PEOPLE.replace("Tarik;van;Dam;1985-07-01", "Geheim;;Persoon;1990-05-17").replace(
        ";\n", ";regie.partner\n"
    )
    messages = []
    for people in (by_bsn, by_name):
        outcome = services.import_files(user=lead, files=files(deelnemers=people, metingen=None), write=False)
        found = [p for p in outcome.problems if p.row == 3]
        assert found and not outcome.written
        messages.append(found[0].message)
        shown = " ".join(p.line() for p in outcome.problems)
        assert "Geheim" not in shown and "111222333" not in shown and "BSN" not in shown
    assert messages[0] == messages[1]  # the same words for a BSN and for a name and birth date
    assert colleague.pk


def test_a_participant_the_importer_may_change_is_linked_by_bsn(director):
    known = ParticipantFactory(
        municipality=director.organisation, bsn="111222333", given_name="Tarik", family_name="Dam"
    )
    people = PEOPLE.replace("K2;Gemeente Proefstad;;", "K2;Gemeente Proefstad;111222333;")
    outcome = services.import_files(user=director, files=files(deelnemers=people), write=True)
    assert outcome.problems == []
    assert Participant.objects.filter(bsn_index=known.bsn_index).count() == 1
    assert Enrollment.objects.get(programme__code="dordrecht-participatie", participant=known).state == "niet_gestart"


def test_only_directors_and_team_leads_import(director):
    coach = UserFactory(role=Role.COACH, organisation=director.organisation)
    with pytest.raises(services.access.Refusal):
        services.import_files(user=coach, files=files(), write=False)


def test_the_command_imports_with_a_progress_bar_and_checks_first(director, tmp_path):
    paths = []
    for name, data in files():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_history", *paths, "--door", "regisseur.proef", "--controleer", stdout=out, stderr=err)
    assert "niets opgeslagen" in out.getvalue() and Participant.objects.count() == 0
    call_command("import_history", *paths, "--door", "regisseur.proef", stdout=out, stderr=err)
    assert "2/2 deelnemers" in err.getvalue() and Participant.objects.count() == 2
    bad = tmp_path / "trajecten.csv"
    bad.write_text(ROUTES.replace("dordrecht-participatie;15", "onbekend;15"))
    with pytest.raises(Exception, match="niets opgeslagen"):
        call_command("import_history", str(bad), "--door", "regisseur.proef", stdout=out, stderr=err)
    assert "trajecten.csv, rij 3, kolom programma" in err.getvalue()


def test_history_before_the_monitored_from_date_stays_quiet(director):
    from doorstroom.signalering import services as signal_services
    from doorstroom.signalering.models import Signal

    open_route = ROUTES + "T3;K1;taalsnelweg-naar-werk;01-03-2022\n"
    assert services.import_files(user=director, files=files(trajecten=open_route), write=True).problems == []
    Enrollment.objects.filter(programme__code="taalsnelweg-naar-werk").update(last_event_on=date(2022, 3, 1))
    signal_services.signals_refresh(today=date.today())
    loud = Signal.objects.filter(participant__given_name="Hawa").count()
    assert loud > 0  # an old enrollment nobody touched since 2022 raises signals
    Signal.objects.all().delete()
    Programme.objects.filter(code__startswith="dordrecht").update(monitored_from=date(2023, 1, 1))
    Programme.objects.filter(code="taalsnelweg-naar-werk").update(monitored_from=date(2023, 1, 1))
    signal_services.signals_refresh(today=date.today())
    assert Signal.objects.filter(participant__given_name="Hawa").count() == 0
