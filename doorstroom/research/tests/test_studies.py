"""Studies: an evaluator asks, the privacy officer decides, and only then is there an extract,
pseudonymised with the study's own secret, with birth years and months, without names, BSN or
free text, every combination of quasi-identifiers at least five times, and audited."""

import io
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from doorstroom.access.models import AuditEvent
from doorstroom.access.policy import Refusal
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.research import rules, services
from doorstroom.research.models import StudyState

TODAY = clock.today()
START = TODAY - timedelta(days=400)


@pytest.fixture
def world(db):
    municipality = OrganisationFactory(municipality=True, name="Gemeente Studiestad")
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    evaluator = UserFactory(username="onderzoeker.studie", role=Role.EVALUATOR, organisation=municipality)
    officer = UserFactory(username="privacy.studie", role=Role.PRIVACY_OFFICER, organisation=municipality)
    programme = ProgrammeFactory(code="studie-route", name="Studieroute")
    for n in range(14):
        participant = ParticipantFactory(
            municipality=municipality,
            given_name=f"Naamgeheim{n}",
            family_name="Familiegeheim",
            bsn="123456782" if n == 0 else None,
            date_of_birth=START.replace(year=1980 + (n % 3 if n < 12 else 20 + n)),
        )
        TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR, starts_on=START)
        enrollment = enrollment_services.enrollment_enrol(
            participant=participant,
            programme=programme,
            actor=director,
            referred_by=municipality,
            on=START,
            note="Notitiegeheim",
        )
        enrollment_services.enrollment_record(
            enrollment=enrollment, actor=director, event_type="gestart", on=START + timedelta(days=10)
        )
        if n % 2 == 0:
            enrollment_services.enrollment_record(
                enrollment=enrollment,
                actor=director,
                event_type="afgerond",
                on=START + timedelta(days=200),
                outcomes=["stage"],
                note="Notitiegeheim",
            )
    return {"municipality": municipality, "evaluator": evaluator, "officer": officer, "programme": programme}


def ask(world, title="Wat werkt in de studieroute"):
    return services.study_request(
        user=world["evaluator"],
        title=title,
        purpose="Hoe vaak stromen deelnemers door, en na hoeveel weken?",
        programmes=[world["programme"]],
        period_from=START - timedelta(days=10),
        period_until=TODAY,
    )


def rows_of(content: bytes):
    book = load_workbook(io.BytesIO(content))
    sheet = book["levering"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(header, r, strict=True)) for r in rows], book


def test_no_extract_before_the_privacy_officer_approves(world):
    study = ask(world)
    with pytest.raises(DomainError):
        services.study_extract(user=world["evaluator"], study=study)
    stranger = UserFactory(role=Role.PRIVACY_OFFICER, organisation=OrganisationFactory(municipality=True))
    with pytest.raises(Refusal):
        services.study_decide(user=stranger, study=study, approve=True)
    with pytest.raises(DomainError):
        services.study_decide(user=world["officer"], study=study, approve=False, note="")  # a refusal says why
    decided = services.study_decide(user=world["officer"], study=study, approve=True)
    assert decided.state == StudyState.APPROVED
    with pytest.raises(DomainError, match="al besloten"):
        services.study_decide(user=world["officer"], study=decided, approve=False, note="toch niet")
    with pytest.raises(Refusal):
        services.study_request(
            user=UserFactory(role=Role.DIRECTOR, organisation=world["municipality"]),
            title="x",
            purpose="y" * 30,
            programmes=[world["programme"]],
            period_from=START,
            period_until=TODAY,
        )


def test_the_extract_is_pseudonymised_generalised_and_audited(world):
    study = services.study_decide(user=world["officer"], study=ask(world), approve=True)
    content, name = services.study_extract(user=world["evaluator"], study=study)
    assert name.endswith(".xlsx")
    rows, book = rows_of(content)
    text = content.decode("latin-1")
    for secret in ("Naamgeheim", "Familiegeheim", "123456782", "Notitiegeheim"):
        assert secret not in text and secret not in str(rows)
    assert {len(r["deelnemer"]) for r in rows} == {16}
    assert all(len(r["aangemeld"]) == 7 for r in rows)  # a month, never a day
    groups = Counter(tuple(r[qi.column] for qi in rules.QUASI_IDENTIFIERS) for r in rows)
    assert min(groups.values()) >= 5
    # two people born decades apart cannot stay apart: generalised or left out, and counted
    codebook = {row[0]: row[1] for row in book["codeboek"].iter_rows(values_only=True) if row and row[0]}
    assert int(codebook["Rijen weggelaten (bleven uniek)"]) + len(rows) == 14
    assert sum(r["doorgestroomd"] for r in rows) <= 7
    assert "deelnemer" in codebook and "geboortejaar" in codebook
    row = AuditEvent.objects.get(object_type="study_extract")
    assert row.action == "export" and row.subjects.count() == len(rows)
    assert AuditEvent.objects.filter(object_type__in=["study_request", "study_decision"]).count() == 2


def test_pseudonyms_link_within_a_study_and_not_across_studies(world):
    first = services.study_decide(user=world["officer"], study=ask(world), approve=True)
    second = services.study_decide(user=world["officer"], study=ask(world, "Een ander onderzoek"), approve=True)
    a1 = {r["deelnemer"] for r in rows_of(services.study_extract(user=world["evaluator"], study=first)[0])[0]}
    a2 = {r["deelnemer"] for r in rows_of(services.study_extract(user=world["evaluator"], study=first)[0])[0]}
    b = {r["deelnemer"] for r in rows_of(services.study_extract(user=world["evaluator"], study=second)[0])[0]}
    assert a1 == a2 and a1  # successive extracts of one study link
    assert not a1 & b  # another study cannot


def test_the_pages_ask_decide_and_deliver(client, world):
    client.force_login(world["evaluator"])
    page = client.get("/onderzoek/nieuw/")
    assert page.status_code == 200 and "Studieroute" in page.content.decode()
    made = client.post(
        "/onderzoek/nieuw/",
        {
            "title": "Doorstroom in de studieroute",
            "purpose": "Hoe vaak en hoe snel stromen deelnemers door?",
            "programmes": [world["programme"].pk],
            "period_from": (START - timedelta(days=5)).isoformat(),
            "period_until": TODAY.isoformat(),
        },
    )
    assert made.status_code == 302
    detail = made["Location"]
    assert "Levering als Excel" not in client.get(detail).content.decode()
    client.force_login(world["officer"])
    assert client.post(detail + "besluit/", {"decision": "goedkeuren"}).status_code == 302
    client.force_login(world["evaluator"])
    assert "Levering als Excel" in client.get(detail).content.decode()
    download = client.post(detail + "levering/", {"formaat": "csv"})
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert "Naamgeheim" not in download.content.decode("utf-8")
    client.force_login(UserFactory(role=Role.COACH, organisation=world["municipality"]))
    assert client.get("/onderzoek/").status_code == 403
    assert client.get(detail).status_code == 404


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1950, max_value=2008),
            st.sampled_from(["asiel", "regulier", "nederlander", "eu", "onbekend"]),
            st.sampled_from(["Gemeente A", "Gemeente B", "Gemeente C"]),
            st.sampled_from(["p1", "p2"]),
        ),
        max_size=80,
    )
)
def test_generalisation_leaves_no_group_below_five(people):
    rows = [
        {"geboortejaar": str(y), "verblijfsstatus": s, "gemeente": g, "programma": p, "geslacht": "", "postcode4": ""}
        for y, s, g, p in people
    ]
    result = rules.generalise(rows)
    assert len(result.rows) + result.left_out == len(rows)
    if result.rows:
        assert rules.smallest_group(result.rows) >= 5
