"""New files are written in sets (a few statements per few hundred participants) instead of one by
one through the services: what is stored must be exactly what the one-by-one path stores, a refusal
must read the same, and the set path must really be the cheaper one."""

from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import pytest

from doorstroom.access.models import AuditEvent
from doorstroom.contacts.models import ContactMoment
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, EnrollmentTag, TeamAssignment
from doorstroom.imports import services
from doorstroom.imports.models import ImportedRecord
from doorstroom.imports.services import SET_SIZE
from doorstroom.measurements.models import Measurement, ScoreSeries
from doorstroom.measurements.series import VALUE_ROOM, series_mismatches
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import Participant, SharingGrant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.models import Programme, ProgrammeGroup

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "import-voorbeeld"

#: beside the example: tags, a target group, a note, a BSN, a pause with a health reason, two
#: trajectories in one programme one after the other, a history the lifecycle keeps open, and
#: Ayla, who may be someone already registered (so she goes one by one)
EXTRA = {
    "deelnemers.csv": (
        "X-1;Gemeente Enschede;111222333;Noor;de;Vries;02-02-1992;nederlander;geen;ja;nl;noor@example.org;;\n"
        "X-2;Gemeente Enschede;123456782;Ayla;;Bakker;03-03-1993;eu;ww;ja;;;0612345678;\n"
        "X-3;Gemeente Enschede;;Jan;;Smit;04-04-1980;onbekend;onbekend;ja;;;;\n"
    ),
    "trajecten.csv": (
        "TX-1;X-1;dordrecht-participatie;10-01-2022;;Jongeren;maatje huisbezoek_bij_start\n"
        "TX-2;X-2;dordrecht-participatie;11-01-2022;;;\n"
        "TX-3;X-3;dordrecht-participatie;12-01-2022;;;jobcoach\n"
        "TX-4;X-3;dordrecht-participatie;01-09-2022;;;\n"
    ),
    "gebeurtenissen.csv": (
        "TX-1;2022-01-20;intake;;;;;;eerste gesprek thuis\n"
        "TX-1;2022-02-01;gestart;;;;;;\n"
        "TX-1;2022-03-01;gepauzeerd;;ziekte;;;;\n"
        "TX-1;2022-04-01;hervat;;;;;;\n"
        "TX-1;2022-06-01;fase_gewijzigd;3;;;;;sneller dan gepland\n"
        "TX-2;2022-01-21;intake;;;;;;\n"
        "TX-3;2022-01-22;intake;;;;;;\n"
        "TX-3;2022-02-01;gestart;;;;;;\n"
        "TX-3;2022-08-01;afgerond;;;betaald_werk,stage;;;\n"
        "TX-4;2022-09-10;intake;;;;;;\n"
    ),
    "contacten.csv": "CX-1;X-1;2022-02-03;gesprek;gehouden;verschenen;30;belde zelf\n",
}


def files(regisseur: str = "") -> list[tuple[str, bytes]]:
    """The example and the rows above; with `regisseur`, every participant row names that director,
    and contacts and measurements stay out (a team lead may write the trajectories, not those)."""
    found = []
    for path in sorted(EXAMPLE.glob("*.csv")):
        if regisseur and path.name in ("contacten.csv", "metingen.csv"):
            continue
        text = path.read_text(encoding="utf-8")
        if path.name == "deelnemers.csv" and regisseur:
            lines = (text + EXTRA[path.name]).rstrip("\n").split("\n")
            named = [lines[0]] + [line + regisseur if line.endswith(";") else line for line in lines[1:]]
            found.append((path.name, ("\n".join(named) + "\n").encode()))
            continue
        if path.name == "trajecten.csv":
            text = text.replace("aangemeld_door;doelgroep", "aangemeld_door;doelgroep;kenmerken")
            text = "\n".join(line + ";" if line and "kenmerken" not in line else line for line in text.split("\n"))
        found.append((path.name, (text + EXTRA.get(path.name, "")).encode()))
    return found


@pytest.fixture
def director():
    enschede = OrganisationFactory(name="Gemeente Enschede", municipality=True)
    ProgrammeGroup.objects.create(programme=Programme.objects.get(code="dordrecht-participatie"), name="Jongeren")
    user = UserFactory(username="regisseur.import", role=Role.DIRECTOR, organisation=enschede)
    # Ayla is on file already (same BSN, on this director's team): only the one-by-one path links her
    ayla = ParticipantFactory(
        municipality=enschede, given_name="Ayla", family_name="Bakker", date_of_birth="1993-03-03", bsn="123456782"
    )
    TeamAssignment.objects.create(
        participant=ayla, member=user, organisation=enschede, role="regisseur", starts_on="2021-01-01"
    )
    return user


def stored_state() -> dict:
    """Everything an import writes, by the files' own ids instead of database ids."""
    records = list(ImportedRecord.objects.order_by("table", "external_id"))
    participant_key = {r.object_id: r.external_id for r in records if r.table == "deelnemers"}
    enrollment_key = {r.object_id: r.external_id for r in records if r.table == "trajecten"}
    event_index: dict[int, tuple] = {}
    events = {}
    for enrollment_id, key in enrollment_key.items():
        own = list(EnrollmentEvent.objects.filter(enrollment_id=enrollment_id).order_by("id"))
        events[key] = [
            (
                e.event_type,
                e.occurred_on,
                e.actor_id,
                e.actor_organisation_id,
                e.organisation_id,
                e.note,
                e.reason_code,
                e.phase.position if e.phase else None,
                e.outcomes,
                e.target_programme_id,
                e.corrects_id is not None,
            )
            for e in own
        ]
        event_index |= {e.pk: (key, i) for i, e in enumerate(own)}
    enrollments = {
        enrollment_key[e.pk]: (
            participant_key.get(e.participant_id),
            e.programme_id,
            e.group_id,
            e.referred_by_id,
            enrollment_key.get(e.transferred_from_id),
            e.state,
            e.current_phase.position if e.current_phase else None,
            e.phase_entered_on,
            e.paused_since,
            e.paused_days_in_phase,
            e.referred_on,
            e.started_on,
            e.ended_on,
            e.last_event_on,
            e.last_event_type,
            e.outcomes,
            e.intake_on,
            e.ending_reason,
            e.transfer_target_id,
            e.pauses,
            e.phase_stays,
            e.version,
            sorted((t.tag.code, t.added_on, t.added_by_id, t.removed_on) for t in e.tags.all()),
        )
        for e in Enrollment.objects.filter(pk__in=enrollment_key)
    }
    participants = {
        participant_key[p.pk]: (
            p.municipality_id,
            p.given_name,
            p.family_name_prefix,
            p.family_name,
            p.date_of_birth,
            p.bsn,
            p.bsn_index,
            p.residence_status,
            p.benefit_status,
            p.civic_integration_duty,
            p.languages,
            p.email,
            p.phone,
            p.version,
            sorted(
                (t.member_id, t.organisation_id, t.role, t.starts_on, t.ends_on)
                for t in TeamAssignment.objects.filter(participant=p)
            ),
            sorted(
                (g.organisation_id, g.category, g.legal_basis, g.granted_on, g.origin, g.data_need_id)
                for g in SharingGrant.objects.filter(participant=p)
            ),
            sorted(
                (m.moment, m.measured_on, m.source, m.scale_id, sorted((s.item, s.value) for s in m.scores.all()))
                for m in Measurement.objects.filter(participant=p)
            ),
            sorted(
                (c.kind, c.status, c.occurred_on, c.attendance, c.minutes, c.note, c.recorded_by_id)
                for c in ContactMoment.objects.filter(participant=p)
            ),
            sorted(  # the reports' score series (their keys hold database ids: compared by value)
                (r.instrument, r.item, r.measured, r.last_on, r.first_key % VALUE_ROOM, r.last_key % VALUE_ROOM)
                for r in ScoreSeries.objects.filter(participant=p)
            ),
        )
        for p in Participant.objects.filter(pk__in=participant_key)
    }
    imported = sorted(
        (
            r.table,
            r.external_id.split("#")[0],
            event_index.get(r.object_id) if r.table == "gebeurtenis" else None,
            r.fingerprint,
        )
        for r in records
    )
    audit = [
        sorted(
            participant_key.get(p.pk, "")
            for p in Participant.objects.filter(uuid__in=list(a.subjects.values_list("participant_uuid", flat=True)))
        )
        for a in AuditEvent.objects.filter(object_type="import").order_by("id")
    ]
    return {
        "participants": participants,
        "enrollments": enrollments,
        "events": events,
        "imported": imported,
        "audit": audit,
    }


class _Undo(Exception):
    pass


def import_and_read(user, *, sets: bool, window: int = SET_SIZE) -> tuple[dict, dict, int]:
    """Import the files, read what was stored and how many queries it took, then undo it all."""
    found: dict = {}
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                outcome = services.import_files(user=user, files=files(), write=True, sets=sets, window=window)
            assert outcome.problems == []
            assert series_mismatches()[1] == []  # the import refreshed what it measured
            found = {"state": stored_state(), "counts": outcome.counts, "participants": outcome.participants}
            raise _Undo
    except _Undo:
        pass
    return found["state"], {"counts": found["counts"], "participants": found["participants"]}, len(queries)


def test_sets_store_exactly_what_one_by_one_stores(director):
    in_sets, outcome_in_sets, queries_in_sets = import_and_read(director, sets=True)
    one_by_one, outcome_one_by_one, queries_one_by_one = import_and_read(director, sets=False)
    assert len(in_sets["participants"]) == 57  # the example's 54 and the three above, Ayla linked
    assert in_sets["enrollments"]["TX-1"][-1] == [
        ("huisbezoek_bij_start", in_sets["enrollments"]["TX-1"][10], director.pk, None),
        ("maatje", in_sets["enrollments"]["TX-1"][10], director.pk, None),
    ]
    assert in_sets == one_by_one
    assert outcome_in_sets == outcome_one_by_one
    # the set path did the work: a fraction of the queries (the example's transfers and Ayla go one by one)
    assert queries_in_sets * 3 < queries_one_by_one, (queries_in_sets, queries_one_by_one)


def test_rows_taken_back_from_staging_in_small_groups_store_the_same(director):
    """Checked and written two participants at a time, every check across rows and every set meets
    the edge of a group (a large file goes 500 at a time): what is stored is the same."""
    roomy, outcome_roomy, _queries = import_and_read(director, sets=True)
    cramped, outcome_cramped, _queries = import_and_read(director, sets=True, window=2)
    assert len(cramped["participants"]) == 57
    assert cramped == roomy
    assert outcome_cramped == outcome_roomy


def test_a_refusal_in_a_set_reads_as_it_does_one_by_one(director):
    bad = [
        (name, data + b"TX-2;2022-02-15;afgerond;;;stage;;;\nTX-2;2022-03-01;gestart;;;;;;\n")
        if name == "gebeurtenissen.csv"
        else (name, data)
        for name, data in files()
    ]
    before = (Participant.objects.count(), EnrollmentEvent.objects.count(), EnrollmentTag.objects.count())
    in_sets = services.import_files(user=director, files=bad, write=True, sets=True)
    one_by_one = services.import_files(user=director, files=bad, write=True, sets=False)
    assert in_sets.problems and not in_sets.written
    assert in_sets.problems == one_by_one.problems
    assert (Participant.objects.count(), EnrollmentEvent.objects.count(), EnrollmentTag.objects.count()) == before


def test_the_same_files_again_after_sets_change_nothing(director):
    first = services.import_files(user=director, files=files(), write=True)
    assert first.written
    again = services.import_files(user=director, files=files(), write=True)
    assert not again.written and again.problems == []
    assert all(c["nieuw"] == 0 and c["gewijzigd"] == 0 for c in again.counts.values()), again.counts


def test_files_imported_before_read_the_same_in_sets_and_one_by_one(director):
    """The same files again, after someone corrected an imported event in Doorstroom: the set path
    confirms the unchanged participants with a few queries and leaves the corrected history to the
    one-by-one path, which records the file's event again."""
    assert services.import_files(user=director, files=files(), write=True).written
    finished = EnrollmentEvent.objects.get(
        enrollment_id=ImportedRecord.objects.get(table="trajecten", external_id="TX-3").object_id,
        event_type="afgerond",
    )
    enrollment_services.enrollment_correct(
        enrollment=finished.enrollment, actor=director, wrong_event=finished, reason="Toch niet afgerond."
    )
    in_sets, outcome_in_sets, queries_in_sets = import_and_read(director, sets=True)
    one_by_one, outcome_one_by_one, queries_one_by_one = import_and_read(director, sets=False)
    assert outcome_in_sets["counts"]["gebeurtenissen"]["nieuw"] == 1  # the corrected completion, again
    assert outcome_in_sets["counts"]["deelnemers"]["ongewijzigd"] == 57
    assert outcome_in_sets == outcome_one_by_one
    assert in_sets == one_by_one
    assert queries_in_sets * 3 < queries_one_by_one, (queries_in_sets, queries_one_by_one)


def test_a_team_lead_naming_the_regisseur_stores_and_is_refused_the_same_in_sets(director):
    """A team lead imports for the organisation and names the regisseur of every participant: the
    regisseur joins each team and the policy answers for the team lead through the organisation. A
    team lead may bring in trajectories but not a health reason, and does not get to see who Ayla
    is: in sets and one by one alike."""
    lead = UserFactory(role=Role.TEAM_LEAD, organisation=director.organisation)
    refused_in_sets = services.import_files(user=lead, files=files(director.username), write=True, sets=True)
    refused_one_by_one = services.import_files(user=lead, files=files(director.username), write=True, sets=False)
    assert refused_in_sets.problems and not refused_in_sets.written
    assert refused_in_sets.problems == refused_one_by_one.problems
    assert any("gezondheid" in p.message for p in refused_in_sets.problems)
    plain = [
        (
            "deelnemers.csv",
            (
                "extern_id;gemeente;voornaam;achternaam;geboortedatum;inburgeringsplichtig;regisseur\n"
                f"L-1;Gemeente Enschede;Lina;Mulder;05-05-1985;ja;{director.username}\n"
                f"L-2;Gemeente Enschede;Omar;Jansen;06-06-1986;ja;{director.username}\n"
            ).encode(),
        ),
        (
            "trajecten.csv",
            (
                b"extern_id;deelnemer;programma;aangemeld_op;kenmerken\n"
                b"TL-1;L-1;dordrecht-participatie;01-03-2022;maatje\n"
                b"TL-2;L-2;dordrecht-participatie;02-03-2022;\n"
            ),
        ),
        (
            "gebeurtenissen.csv",
            (
                b"traject;datum;gebeurtenis;reden;resultaten\n"
                b"TL-1;2022-03-10;intake;;\n"
                b"TL-1;2022-04-01;gestart;;\n"
                b"TL-1;2022-09-01;afgerond;;certificaat\n"
                b"TL-2;2022-03-12;niet_gestart;taalniveau_te_laag;\n"
            ),
        ),
    ]
    found = {}
    for sets in (True, False):
        try:
            with transaction.atomic():
                outcome = services.import_files(user=lead, files=plain, write=True, sets=sets)
                assert outcome.problems == [] and outcome.written
                found[sets] = (stored_state(), outcome.counts)
                raise _Undo
        except _Undo:
            pass
    lina = found[True][0]["participants"]["L-1"]
    assert [(member, role) for member, _org, role, _from, _until in lina[14]] == [(director.pk, "regisseur")]
    assert found[True] == found[False]


def test_problems_across_groups_read_the_same_whatever_the_group_size(director):
    """Checked one participant at a time, the checks that span participants (a measurement naming
    two of them, a transfer to another's traject, an id used twice, a participant known only from
    another group's row) find what the whole file at once finds, in the same words."""
    spoiled = {
        "metingen.csv": b"M-X;X-1;taalniveau;nulmeting;2022-01-25;lezen;A1;taaltoets\n"
        b"M-X;X-3;taalniveau;nulmeting;2022-01-25;schrijven;A1;taaltoets\n",
        "gebeurtenissen.csv": b"TX-2;2022-02-01;overgedragen;;;;dordrecht-participatie;TX-4;\n",
        "contacten.csv": b"CX-1;X-3;2022-02-04;gesprek;gehouden;verschenen;30;\n",
        "trajecten.csv": b"TX-1;X-2;dordrecht-participatie;10-01-2022;;;\n",
    }
    bad = [(name, data + spoiled.get(name, b"")) for name, data in files()]
    before = (Participant.objects.count(), EnrollmentEvent.objects.count(), ImportedRecord.objects.count())
    whole = services.import_files(user=director, files=bad, write=True)
    one_at_a_time = services.import_files(user=director, files=bad, write=True, window=1)
    named = {(p.file, p.column, p.message) for p in whole.problems}
    assert ("metingen.csv", "deelnemer", "Rijen van dezelfde meting (M-X) moeten hier gelijk zijn.") in named
    other = "Het vervolgtraject moet dezelfde deelnemer, dit programma en deze datum hebben."
    assert ("gebeurtenissen.csv", "naar_traject", other) in named
    used_twice = {("contacten.csv", "extern_id"), ("trajecten.csv", "extern_id")}
    assert {(p.file, p.column) for p in whole.problems} >= used_twice
    assert one_at_a_time.problems == whole.problems
    assert not whole.written and not one_at_a_time.written
    assert (Participant.objects.count(), EnrollmentEvent.objects.count(), ImportedRecord.objects.count()) == before
