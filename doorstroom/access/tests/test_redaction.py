"""Data carries its category by what it says, and nobody writes into a category they may not see.
The read side is proven over every route by the marker sweep (tests/test_marker_sweep.py); these
tests pin the write side and the catalogues."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from doorstroom.access import redaction
from doorstroom.access.models import AuditEvent
from doorstroom.core import categories, clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import EnrollmentEvent, TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import rules as plan_rules
from doorstroom.plans import selectors as plan_selectors
from doorstroom.plans import services as plan_services
from doorstroom.programmes.models import ReasonCode, reason_catalogue
from doorstroom.programmes.rules import REASONS
from doorstroom.programmes.tests.factories import ProgrammeFactory

TODAY = clock.today()


def test_every_reason_code_and_life_domain_is_placed_in_a_category(db):
    """The catalogues say per code what it is: a new reason or domain cannot arrive unplaced."""
    catalogue = reason_catalogue()
    shipped = {(step, code): category for step, rows in REASONS.items() for code, _label, category in rows}
    assert {(r.event_type, r.code): r.category for r in catalogue.reasons} == shipped
    assert set(plan_rules.LIFE_DOMAINS) == set(plan_rules.DOMAIN_CATEGORY)
    assert catalogue.category("gepauzeerd", "detentie") == categories.JUSTICE
    assert {catalogue.category("gepauzeerd", c) for c in ("ziekte", "zwangerschap", "ggz", "verslavingszorg")} == {
        categories.HEALTH
    }
    assert catalogue.category("uitgevallen", "schulden") == categories.DEBTS
    # an unknown code is treated as the most protected until someone places it
    assert catalogue.category("uitgevallen", "nieuw_onbekend") == categories.JUSTICE
    assert plan_rules.domain_category("financien") == categories.DEBTS


def test_a_new_reason_starts_as_the_most_protected_category_and_a_programme_cannot_soften_a_shared_code(db):
    programme = ProgrammeFactory()
    added = ReasonCode.objects.create(event_type="uitgevallen", code="nieuw", label="Nieuw", programme=programme)
    assert added.category == categories.JUSTICE
    assert reason_catalogue().category("uitgevallen", "nieuw") == categories.JUSTICE
    # the programme calls detention 'traject': wherever the code is shown the most protected reading wins
    ReasonCode.objects.create(
        event_type="gepauzeerd", code="detentie", label="Anders", category=categories.TRAJECTORY, programme=programme
    )
    assert reason_catalogue().category("gepauzeerd", "detentie") == categories.JUSTICE
    own = reason_catalogue().for_step("gepauzeerd", programme.pk)
    assert [r.label for r in own if r.code == "detentie"] == ["Anders"]


@pytest.fixture
def world(db):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality, civic_integration_duty=True)
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    intermediary = UserFactory(role=Role.INTERMEDIARY)
    coach = UserFactory(role=Role.COACH)
    for user, granted in ((intermediary, ("plan", "gezondheid", "notities")), (coach, ("plan",))):
        TeamAssignmentFactory(participant=participant, member=user)
        for category in granted:
            participant_services.sharing_grant(
                participant=participant,
                organisation=user.organisation,
                category=category,
                legal_basis="toestemming",
                on=TODAY,
                recorded_by=director,
            )
    enrollment = enrollment_services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(),
        actor=director,
        referred_by=municipality,
        on=TODAY - timedelta(days=30),
    )
    enrollment_services.enrollment_record(
        enrollment=enrollment, actor=director, event_type="gestart", on=TODAY - timedelta(days=20)
    )
    plan_services.plan_save(
        participant=participant,
        actor=director,
        expected_version=0,
        goals=[
            {"life_domain": "werk", "description": "Een baan in de zorg", "status": "open"},
            {"life_domain": "gezondheid", "description": "Behandeling afmaken", "status": "bezig"},
        ],
        agreements=[],
        pip={
            "pip_decided_on": TODAY - timedelta(days=3),
            "learning_route": "b1",
            "map_intensity": "Acht uur",
            "pvt_intensity": "Zes keer",
        },
    )
    return {
        "participant": participant,
        "director": director,
        "intermediary": intermediary,
        "coach": coach,
        "enrollment": enrollment,
    }


def _page_post(version: int, goals: list[dict[str, str]], **extra: str) -> dict[str, str]:
    data = {
        "version": str(version),
        "doelen-TOTAL_FORMS": str(len(goals)),
        "doelen-INITIAL_FORMS": "0",
        "afspraken-TOTAL_FORMS": "0",
        "afspraken-INITIAL_FORMS": "0",
        **extra,
    }
    for index, goal in enumerate(goals):
        data |= {f"doelen-{index}-{k}": v for k, v in goal.items()}
    return data


@pytest.mark.django_db
def test_an_intermediary_can_neither_see_nor_add_a_health_goal(client, world):
    """Found by probing the demo: an intermediary saw health goals and could add one (200)."""
    p, intermediary = world["participant"], world["intermediary"]
    client.force_login(intermediary)
    page = client.get(f"/deelnemers/{p.uuid}/plan/").content.decode()
    assert "Een baan in de zorg" in page and "Behandeling afmaken" not in page
    assert "1 onderdeel van het plan gaat over gegevens die niet met u zijn gedeeld" in page
    form = client.get(f"/deelnemers/{p.uuid}/plan/wijzigen/").content.decode()
    assert 'value="gezondheid"' not in form and "Behandeling afmaken" not in form
    assert 'name="pip-learning_route"' not in form  # the PIP is the municipality's decision
    refused = client.post(
        f"/deelnemers/{p.uuid}/plan/wijzigen/",
        _page_post(1, [{"life_domain": "gezondheid", "description": "Minder pijn", "status": "open"}]),
    )
    assert refused.status_code == 400
    assert plan_selectors.current_plan(p).number == 1
    api = APIClient()
    api.force_authenticate(intermediary)
    url = f"/api/v1/deelnemers/{p.uuid}/plan/"
    read = api.get(url).json()
    assert [g["description"] for g in read["goals"]] == ["Een baan in de zorg"] and read["hidden_goals"] == 1
    body = {"version": 1, "goals": [{"life_domain": "gezondheid", "description": "Minder pijn"}], "agreements": []}
    answer = api.put(url, body, format="json")
    assert answer.status_code == 403
    assert answer.json()["errors"][0] == {
        "field": "goals[0].life_domain",
        "message": answer.json()["errors"][0]["message"],
        "code": "not_shared",
    }
    assert plan_selectors.current_plan(p).number == 1


@pytest.mark.django_db
def test_saving_the_plan_keeps_what_the_writer_may_not_see(world):
    """A coach with only the plan shared saves a new version: the health goal stays as it was."""
    p, coach = world["participant"], world["coach"]
    api = APIClient()
    api.force_authenticate(coach)
    url = f"/api/v1/deelnemers/{p.uuid}/plan/"
    read = api.get(url).json()
    read["goals"][0]["status"] = "bezig"
    for name in plan_rules.PIP_FIELDS:  # echoing the PIP back unchanged is not a decision
        read[name] = read[name]
    shown_only = ("integration_term", "hidden_goals", "hidden_agreements")  # read-only: sending them is refused
    refused = api.put(url, read, format="json")
    assert refused.status_code == 400
    assert {e["field"] for e in refused.json()["errors"]} >= {"hidden_goals", "hidden_agreements"}
    saved = api.put(url, {k: v for k, v in read.items() if k not in shown_only}, format="json")
    assert saved.status_code == 200, saved.json()
    current = plan_selectors.current_plan(p)
    assert current.number == 2
    assert sorted((g.life_domain, g.description, g.status) for g in current.goals.all()) == [
        ("gezondheid", "Behandeling afmaken", "bezig"),
        ("werk", "Een baan in de zorg", "bezig"),
    ]
    assert current.pip_decided_on is None  # not a new decision
    assert plan_selectors.latest_pip(p)["map_intensity"] == "Acht uur"
    # changing the PIP is the municipality's decision: refused naming the field
    changed = api.put(url, {"version": 2, "goals": [], "agreements": [], "map_intensity": "Twaalf uur"}, format="json")
    assert changed.status_code == 403 and changed.json()["errors"][0]["field"] == "map_intensity"


@pytest.mark.django_db
def test_a_conflict_message_names_only_what_the_writer_may_see(world):
    p, coach, director = world["participant"], world["coach"], world["director"]
    plan_services.plan_save(
        participant=p,
        actor=director,
        expected_version=1,
        goals=[{"life_domain": "gezondheid", "description": "Nieuw gezondheidsdoel", "status": "open"}],
        agreements=[],
        pip={**plan_selectors.latest_pip(p), "pip_decided_on": TODAY},
    )
    api = APIClient()
    api.force_authenticate(coach)
    stale = api.put(f"/api/v1/deelnemers/{p.uuid}/plan/", {"version": 1, "goals": [], "agreements": []}, format="json")
    assert stale.status_code == 409
    message = stale.json()["errors"][0]["message"]
    assert "versie 2" in message and "gezondheidsdoel" not in message and "Behandeling" not in message


@pytest.mark.django_db
def test_a_reason_or_a_note_in_a_category_not_shared_is_refused(world, client):
    """A coach without a justice grant records no detention; without notes, no note."""
    coach, enrollment = world["coach"], world["enrollment"]
    api = APIClient()
    api.force_authenticate(coach)
    url = f"/api/v1/inschrijvingen/{enrollment.uuid}/gebeurtenissen/"
    detention = api.post(url, {"event_type": "gepauzeerd", "reason_code": "detentie"}, format="json")
    assert detention.status_code == 403 and detention.json()["errors"][0]["field"] == "reason_code"
    noted = api.post(url, {"event_type": "gepauzeerd", "reason_code": "vakantie", "note": "Weg"}, format="json")
    assert noted.status_code == 403 and noted.json()["errors"][0]["field"] == "note"
    assert not EnrollmentEvent.objects.filter(event_type="gepauzeerd").exists()
    client.force_login(coach)
    form = client.get(f"/inschrijvingen/{enrollment.uuid}/stap/gepauzeerd/").content.decode()
    assert 'value="vakantie"' in form and 'value="detentie"' not in form and 'name="note"' not in form


@pytest.mark.django_db
def test_a_shown_copy_cannot_be_saved(world):
    director = world["director"]
    enrollment_services.enrollment_record(
        enrollment=world["enrollment"],
        actor=director,
        event_type="gepauzeerd",
        on=TODAY,
        reason_code="detentie",
        note="Zes maanden",
    )
    event = EnrollmentEvent.objects.get(event_type="gepauzeerd")
    reader = redaction.Reader(participant_id=world["participant"].pk, categories=frozenset({"traject"}))
    shown = redaction.event_shown(reader, event)
    assert (shown.reason_code, shown.note, set(shown.withheld)) == ("", "", {"reason_code", "note"})
    assert event.reason_code == "detentie" and event.note == "Zes maanden"  # the original is untouched
    with pytest.raises(RuntimeError):
        shown.save()


@pytest.mark.django_db
def test_the_privacy_officer_answers_a_written_request_with_the_complete_file(client, world):
    p = world["participant"]
    participant_services.participant_update(
        participant=p, data={"bsn": "999990019"}, expected_version=p.version, actor=world["director"]
    )
    officer = UserFactory(role=Role.PRIVACY_OFFICER, organisation=p.municipality)
    client.force_login(officer)
    wrong = client.post("/inzageverzoeken/", {"bsn": "999990020", "reference": "SCHR-9", "output": "json"})
    assert wrong.status_code == 400 and "Geen dossier met dit BSN" in wrong.content.decode()
    assert AuditEvent.objects.filter(object_type="access_request", result="denied").count() == 1
    answer = client.post("/inzageverzoeken/", {"bsn": "999990019", "reference": "SCHR-10", "output": "json"})
    assert answer.status_code == 200
    data = answer.json()
    assert data["volledig"] is True and data["deelnemer"]["bsn"] == "999990019"
    assert {g["description"] for g in data["plan"][0]["doelen"]} == {"Een baan in de zorg", "Behandeling afmaken"}
    row = AuditEvent.objects.get(object_type="access_request", result="allowed")
    assert (row.purpose, row.object_id, row.action) == ("inzageverzoek", "SCHR-10", "export")
    assert "999990019" not in str(AuditEvent.objects.values_list())
    # nobody else may produce it
    client.force_login(world["coach"])
    assert client.post("/inzageverzoeken/", {"bsn": "999990019", "reference": "X", "output": "json"}).status_code == 403
