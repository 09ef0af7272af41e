"""The REST API: token auth, the same access door, structured 400s naming the field."""

from datetime import timedelta

import pytest
import yaml
from rest_framework.test import APIClient

from doorstroom.core import clock
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.services import api_token_issue
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=director, name='test')[1]}")
    return {"municipality": municipality, "director": director, "api": api, "programme": ProgrammeFactory()}


def fields_of(response):
    return {error["field"] for error in response.json()["errors"]}


def test_the_schema_is_openapi_3_and_lists_the_resources(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/v1/deelnemers/",
        "/api/v1/inschrijvingen/",
        "/api/v1/programmas/",
        "/api/v1/organisaties/",
        "/api/v1/inschrijvingen/{enrollment_uuid}/gebeurtenissen/",
    ]:
        assert path in schema["paths"]
    scheme = schema["components"]["securitySchemes"]["persoonlijkToken"]
    assert scheme["scheme"] == "bearer" and "API-tokens" in scheme["description"]  # how to get one


def test_the_docs_page_is_served_without_a_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger" in html.lower()
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_anonymous_requests_are_refused_as_json():
    response = APIClient().get("/api/v1/deelnemers/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"]


def test_a_whole_route_through_the_api(world):
    api, municipality = world["api"], world["municipality"]
    created = api.post(
        "/api/v1/deelnemers/",
        {
            "municipality": str(municipality.uuid),
            "given_name": "Rahel",
            "family_name": "Tekle",
            "date_of_birth": "1996-04-02",
            "bsn": "123456782",
            "languages": ["ti", "nl"],
            "residence_status": "asiel",
            "civic_integration_duty": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    participant = created.json()
    assert participant["bsn"] == "123456782"
    enrolled = api.post(
        "/api/v1/inschrijvingen/",
        {
            "participant": participant["uuid"],
            "programme": world["programme"].code,
            "occurred_on": (clock.today() - timedelta(days=30)).isoformat(),
        },
        format="json",
    )
    assert enrolled.status_code == 201, enrolled.json()
    events_url = f"/api/v1/inschrijvingen/{enrolled.json()['uuid']}/gebeurtenissen/"
    started = api.post(
        events_url,
        {"event_type": "gestart", "occurred_on": (clock.today() - timedelta(days=20)).isoformat()},
        format="json",
    )
    assert started.status_code == 201, started.json()
    paused = api.post(events_url, {"event_type": "gepauzeerd", "reason_code": "zwangerschap"}, format="json")
    assert paused.status_code == 201
    history = api.get(events_url).json()
    assert [e["event_type"] for e in history] == ["aangemeld", "gestart", "gepauzeerd"]
    assert api.get(f"/api/v1/inschrijvingen/{enrolled.json()['uuid']}/").json()["state"] == "gepauzeerd"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"bsn": "123456789"}, "bsn"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "31-12-1990"}, "date_of_birth"),
        ({"residence_status": "onbekende-status"}, "residence_status"),
        ({"languages": ["xx"]}, "languages"),
        ({"given_name": ""}, "given_name"),
    ],
)
def test_bad_participant_input_is_a_400_naming_the_field(world, change, field):
    body = {
        "municipality": str(world["municipality"].uuid),
        "given_name": "A",
        "family_name": "B",
        "date_of_birth": "1990-01-01",
        **change,
    }
    response = world["api"].post("/api/v1/deelnemers/", body, format="json")
    assert response.status_code == 400
    assert field in fields_of(response)


def test_enrolling_an_ineligible_participant_is_a_400(world):
    participant = ParticipantFactory(municipality=world["municipality"], civic_integration_duty=False)
    programme = ProgrammeFactory(requires_civic_integration_duty=True)
    response = world["api"].post(
        "/api/v1/inschrijvingen/", {"participant": str(participant.uuid), "programme": programme.code}, format="json"
    )
    assert response.status_code == 400
    assert fields_of(response) == {"civic_integration_duty"}


def test_illegal_transitions_and_unknown_reasons_are_400s(world):
    participant = ParticipantFactory(municipality=world["municipality"])
    enrolled = (
        world["api"]
        .post(
            "/api/v1/inschrijvingen/",
            {"participant": str(participant.uuid), "programme": world["programme"].code},
            format="json",
        )
        .json()
    )
    url = f"/api/v1/inschrijvingen/{enrolled['uuid']}/gebeurtenissen/"
    illegal = world["api"].post(url, {"event_type": "hervat"}, format="json")
    assert illegal.status_code == 400 and fields_of(illegal) == {"event_type"}
    unknown_type = world["api"].post(url, {"event_type": "opgestegen"}, format="json")
    assert unknown_type.status_code == 400 and fields_of(unknown_type) == {"event_type"}
    world["api"].post(url, {"event_type": "gestart"}, format="json")
    reason = world["api"].post(url, {"event_type": "uitgevallen", "reason_code": "verveling"}, format="json")
    assert reason.status_code == 400 and fields_of(reason) == {"reason_code"}


def test_a_stale_version_is_a_409(world):
    participant = ParticipantFactory(municipality=world["municipality"])
    url = f"/api/v1/deelnemers/{participant.uuid}/"
    assert world["api"].patch(url, {"phone": "0611111111", "version": 1}, format="json").status_code == 200
    stale = world["api"].patch(url, {"phone": "0622222222", "version": 1}, format="json")
    assert stale.status_code == 409
    assert fields_of(stale) == {"version"}


def test_out_of_scope_objects_are_404_and_lists_are_scoped(world):
    stranger = ParticipantFactory(given_name="Canary")
    response = world["api"].get(f"/api/v1/deelnemers/{stranger.uuid}/")
    assert response.status_code == 404
    assert "Canary" not in response.content.decode()
    listed = world["api"].get("/api/v1/deelnemers/", {"q": "Canary"}).json()
    assert listed["count"] == 0


def test_an_intermediary_never_receives_the_bsn(world):
    intermediary = UserFactory(role=Role.INTERMEDIARY)
    participant = ParticipantFactory(bsn="123456782")
    TeamAssignmentFactory(participant=participant, member=intermediary)
    api = APIClient()
    api.force_authenticate(intermediary)
    assert api.get(f"/api/v1/deelnemers/{participant.uuid}/").json()["bsn"] is None
    assert api.post("/api/v1/deelnemers/zoeken/", {"q": "123456782"}, format="json").json() == []
    # a BSN in an address is refused, naming the field and the way that works
    in_address = api.get("/api/v1/deelnemers/", {"q": "123456782"})
    assert in_address.status_code == 400 and in_address.json()["errors"][0]["field"] == "q"
    assert "POST /api/v1/deelnemers/zoeken/" in in_address.json()["errors"][0]["message"]


def test_possible_duplicate_reveals_nothing_out_of_scope(world):
    hidden = ParticipantFactory(municipality=world["municipality"], given_name="Selam", family_name="Haile")
    coach_org = OrganisationFactory()
    coach_org.works_for.add(world["municipality"])
    coach = UserFactory(role=Role.COACH, organisation=coach_org)
    api = APIClient()
    api.force_authenticate(coach)
    response = api.post(
        "/api/v1/deelnemers/",
        {
            "municipality": str(world["municipality"].uuid),
            "given_name": "Selam",
            "family_name": "Haile",
            "date_of_birth": hidden.date_of_birth.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["visible_matches"] == []
    assert str(hidden.uuid) not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=201", "limit"),
        ("offset=-1", "offset"),
        ("offset=null", "offset"),
        ("offset=1&offset=2", "offset"),
    ],
)
def test_a_malformed_page_parameter_is_refused_naming_it(world, query, field):
    response = world["api"].get(f"/api/v1/deelnemers/?{query}")
    assert response.status_code == 400
    assert fields_of(response) == {field}


def test_a_valid_page_parameter_is_honoured(world):
    for number in range(3):
        ParticipantFactory(municipality=world["municipality"], family_name=f"Pagina {number}")
    response = world["api"].get("/api/v1/deelnemers/?limit=2&offset=1")
    assert response.status_code == 200
    assert response.json()["count"] >= 3 and len(response.json()["results"]) == 2


def test_an_unknown_api_address_answers_in_the_error_format(world):
    response = world["api"].get("/api/v1/bestaat-niet/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"


def test_every_operation_documents_the_error_format(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    for operations in schema["paths"].values():
        for operation in operations.values():
            for status in ("400", "401", "403", "404"):
                assert operation["responses"][status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOutput"
                }


def test_over_the_rate_limit_the_api_answers_429_with_retry_after(world, settings):
    settings.DOORSTROOM_API_RATE_USER = "3/minute"
    answers = [world["api"].get("/api/v1/programmas/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = world["api"].get("/api/v1/programmas/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["errors"][0]["code"] == "throttled"


def test_anonymous_callers_have_their_own_lower_limit(settings):
    settings.DOORSTROOM_API_RATE_ANON = "2/minute"
    api = APIClient()
    answers = [api.get("/api/v1/programmas/").status_code for _ in range(3)]
    assert answers == [401, 401, 429]


def test_options_is_not_offered(world):
    """The schema describes the API; DRF's OPTIONS metadata would load objects outside the access door."""
    assert world["api"].options("/api/v1/deelnemers/").status_code == 405


@pytest.mark.parametrize("query", ["a\x00b", "x" * 101, "tab\there"])
def test_a_search_with_control_characters_or_too_long_is_refused_naming_q(world, query):
    """Found by schemathesis on PostgreSQL: a NUL byte in the search reached the database."""
    response = world["api"].get("/api/v1/deelnemers/", {"q": query})
    assert response.status_code == 400 and fields_of(response) == {"q"}


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.COACH, Role.TEAM_LEAD, Role.INTERMEDIARY, Role.PARTICIPANT])
def test_asking_for_the_browsable_format_is_a_json_404_not_a_server_error(role):
    """Found by probing the demo: /api/v1/aanmeldingen/?format=api answered 500 for every role."""
    api = APIClient()
    api.force_authenticate(UserFactory(role=role))
    for url in ("/api/v1/aanmeldingen/?format=api", "/api/v1/deelnemers/?format=api", "/api/v1/programmas/?format=api"):
        answer = api.get(url)
        assert answer.status_code == 404 and answer["Content-Type"].startswith("application/json"), url
        assert answer.json()["errors"][0]["code"] == "not_found"
