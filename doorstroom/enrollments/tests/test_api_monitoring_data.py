"""The data the figures need, through the API: reasons from the catalogue, the referrer and the
transfer reason stored, administrative close, completion without follow-up, enrollment filters,
and a request body with a field the API does not understand refused naming it."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from doorstroom.core import categories, clock
from doorstroom.enrollments import services
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.models import ReasonCode
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory()
    partner.works_for.add(municipality)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    programme = ProgrammeFactory()
    other = ProgrammeFactory()
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR)
    api = APIClient()
    api.force_authenticate(director)
    return {
        "municipality": municipality,
        "partner": partner,
        "director": director,
        "programme": programme,
        "other": other,
        "participant": participant,
        "api": api,
    }


def _enrol(world, **extra):
    body = {
        "participant": str(world["participant"].uuid),
        "programme": world["programme"].code,
        "occurred_on": (TODAY - timedelta(days=60)).isoformat(),
        **extra,
    }
    return world["api"].post("/api/v1/inschrijvingen/", body, format="json")


def _step(world, enrollment_uuid, **body):
    return world["api"].post(f"/api/v1/inschrijvingen/{enrollment_uuid}/gebeurtenissen/", body, format="json")


def test_the_referring_organisation_is_stored_and_one_that_cannot_refer_is_refused(world):
    made = _enrol(world, referred_by=str(world["partner"].uuid))
    assert made.status_code == 201, made.json()
    assert made.json()["referred_by"] == str(world["partner"].uuid)
    assert Enrollment.objects.get(uuid=made.json()["uuid"]).referred_by == world["partner"]
    stranger = OrganisationFactory()
    refused = world["api"].post(
        "/api/v1/inschrijvingen/",
        {
            "participant": str(world["participant"].uuid),
            "programme": world["other"].code,
            "referred_by": str(stranger.uuid),
        },
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "referred_by"


def test_an_unknown_or_read_only_field_is_refused_naming_it_and_nothing_is_written(world):
    unknown = _enrol(world, verwijzer="iemand")
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == [{"field": "verwijzer", "message": "Onbekend veld.", "code": "unknown_field"}]
    assert not Enrollment.objects.exists()
    made = _enrol(world).json()
    read_only = _step(world, made["uuid"], event_type="gestart", uuid=made["uuid"], recorded_at="2020-01-01")
    assert read_only.status_code == 400
    assert {e["field"] for e in read_only.json()["errors"]} == {"uuid", "recorded_at"}
    assert EnrollmentEvent.objects.count() == 1


def test_a_transfer_keeps_its_reason_and_a_reason_must_come_from_the_catalogue(world):
    made = _enrol(world).json()
    started = _step(world, made["uuid"], event_type="gestart", occurred_on=(TODAY - timedelta(days=50)).isoformat())
    assert started.status_code == 201
    invented = _step(world, made["uuid"], event_type="uitgevallen", reason_code="verzonnen")
    assert invented.status_code == 400 and invented.json()["errors"][0]["field"] == "reason_code"
    moved = _step(
        world, made["uuid"], event_type="overgedragen", target_programme=world["other"].code, reason_code="past_beter"
    )
    assert moved.status_code == 201, moved.json()
    assert moved.json()["reason_code"] == "past_beter"
    assert EnrollmentEvent.objects.get(uuid=moved.json()["uuid"]).reason_code == "past_beter"


def test_a_programme_adds_its_own_reason_and_the_api_lists_it_with_its_category(world):
    ReasonCode.objects.create(
        event_type="uitgevallen", code="inburgering_elders", label="Inburgering elders", programme=world["programme"]
    )
    listed = world["api"].get("/api/v1/redenen/", {"programma": world["programme"].code, "stap": "uitgevallen"})
    assert listed.status_code == 200
    rows = {row["code"]: row for row in listed.json()}
    assert rows["inburgering_elders"]["category"] == categories.JUSTICE  # not yet decided: most protected
    assert rows["inburgering_elders"]["programme"] == world["programme"].code
    assert rows["detentie"]["category"] == categories.JUSTICE and rows["gezondheid"]["category"] == categories.HEALTH
    shared = {row["code"] for row in world["api"].get("/api/v1/redenen/", {"stap": "uitgevallen"}).json()}
    assert "inburgering_elders" not in shared and "taalniveau_te_laag" in shared
    bad = world["api"].get("/api/v1/redenen/", {"stap": "verzonnen"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "stap"
    # the programme's own reason is valid there, and only there
    made = _enrol(world).json()
    _step(world, made["uuid"], event_type="gestart")
    dropped = _step(world, made["uuid"], event_type="uitgevallen", reason_code="inburgering_elders")
    assert dropped.status_code == 201, dropped.json()


def test_a_retired_reason_stays_in_old_histories_but_cannot_be_chosen_again(world):
    made = _enrol(world).json()
    _step(world, made["uuid"], event_type="gestart")
    assert _step(world, made["uuid"], event_type="gepauzeerd", reason_code="vakantie").status_code == 201
    ReasonCode.objects.update_or_create(  # the administrator switches the reason off
        event_type="gepauzeerd",
        code="vakantie",
        programme=None,
        defaults={"label": "Vakantie", "category": categories.TRAJECTORY, "is_active": False},
    )
    assert _step(world, made["uuid"], event_type="hervat").status_code == 201  # the history replays
    again = _step(world, made["uuid"], event_type="gepauzeerd", reason_code="vakantie")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "reason_code"


def test_closing_administratively_and_completing_without_follow_up(world):
    first = _enrol(world).json()
    closed = _step(world, first["uuid"], event_type="administratief_afgesloten")
    assert closed.status_code == 400 and closed.json()["errors"][0]["field"] == "reason_code"
    closed = _step(world, first["uuid"], event_type="administratief_afgesloten", reason_code="historie_zonder_einde")
    assert closed.status_code == 201
    assert world["api"].get(f"/api/v1/inschrijvingen/{first['uuid']}/").json()["state"] == "administratief_afgesloten"
    second = _enrol(world).json()
    _step(world, second["uuid"], event_type="gestart")
    empty = _step(world, second["uuid"], event_type="afgerond", outcomes=[])
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "outcomes"
    done = _step(world, second["uuid"], event_type="afgerond", outcomes=[], reason_code="zonder_vervolg")
    assert done.status_code == 201, done.json()
    enrollment = Enrollment.objects.get(uuid=second["uuid"])
    assert enrollment.state == "afgerond" and enrollment.outcomes == []


def test_the_enrollment_list_filters_on_programme_municipality_state_and_dates(world):
    director, participant = world["director"], world["participant"]
    elsewhere = ParticipantFactory(municipality=OrganisationFactory(municipality=True))
    TeamAssignmentFactory(participant=elsewhere, member=director, role=TeamRole.COACH)
    old = services.enrollment_enrol(
        participant=participant,
        programme=world["programme"],
        actor=director,
        referred_by=world["municipality"],
        on=TODAY - timedelta(days=400),
    )
    services.enrollment_record(enrollment=old, actor=director, event_type="gestart", on=TODAY - timedelta(days=390))
    services.enrollment_record(
        enrollment=old, actor=director, event_type="afgerond", on=TODAY - timedelta(days=100), outcomes=["stage"]
    )
    recent = services.enrollment_enrol(
        participant=participant,
        programme=world["other"],
        actor=director,
        referred_by=world["municipality"],
        on=TODAY - timedelta(days=10),
    )
    away = services.enrollment_enrol(
        participant=elsewhere,
        programme=world["programme"],
        actor=director,
        referred_by=elsewhere.municipality,
        on=TODAY - timedelta(days=5),
    )

    def listed(**params):
        answer = world["api"].get("/api/v1/inschrijvingen/", params)
        assert answer.status_code == 200, answer.json()
        return {row["uuid"] for row in answer.json()["results"]}

    assert listed() >= {str(old.uuid), str(recent.uuid)}
    assert listed(programma=world["programme"].code) == {str(old.uuid), str(away.uuid)}
    assert listed(gemeente=str(world["municipality"].uuid)) == {str(old.uuid), str(recent.uuid)}
    assert listed(status="afgerond") == {str(old.uuid)}
    assert listed(status="afgerond,aangemeld") == {str(old.uuid), str(recent.uuid), str(away.uuid)}
    since = (TODAY - timedelta(days=30)).isoformat()
    assert listed(aangemeld_vanaf=since) == {str(recent.uuid), str(away.uuid)}
    assert listed(beeindigd_tot=TODAY.isoformat()) == {str(old.uuid)}
    for params, field in (
        ({"aangemeld_vanaf": "2026-13-01"}, "aangemeld_vanaf"),
        ({"status": "weg"}, "status"),
        ({"gestart_vanaf": "2025-06-01", "gestart_tot": "2025-01-01"}, "gestart_tot"),
        ({"kleur": "blauw"}, "kleur"),
    ):
        refused = world["api"].get("/api/v1/inschrijvingen/", params)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"].startswith(field), refused.json()
