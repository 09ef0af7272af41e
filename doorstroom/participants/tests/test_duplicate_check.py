"""The duplicate check reveals no more than it must: found by probing the demo, it told any
registering user that a BSN, or a name with a birth date, was already a client, and it was not
audited. Now a user who may not see the other file is told whom to ask, in the same words whatever
matched; every check is audited (never the BSN); checks are throttled per user; and break-the-glass
asks which municipality when a BSN has files in more than one."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from doorstroom.access.models import AuditEvent, BreakGlassAccess
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True, name="Gemeente Dubbelstad")
    partner = OrganisationFactory()
    partner.works_for.add(municipality)
    known = ParticipantFactory(
        municipality=municipality,
        given_name="Selam",
        family_name="Haile",
        date_of_birth=date(1990, 4, 1),
        bsn="999990019",
    )
    return {"municipality": municipality, "coach": UserFactory(role=Role.COACH, organisation=partner), "known": known}


def _register(client, municipality, **fields):
    data = {
        "municipality": municipality.pk,
        "given_name": "Iemand",
        "family_name": "Anders",
        "date_of_birth": "1985-06-01",
        "residence_status": "nederlander",
        "benefit_status": "geen",
        "languages": "nl",
        **fields,
    }
    return client.post("/deelnemers/nieuw/", data)


def test_a_match_the_user_may_not_see_is_never_confirmed(client, world):
    client.force_login(world["coach"])
    by_bsn = _register(client, world["municipality"], bsn="999990019").content.decode()
    by_name = _register(
        client, world["municipality"], given_name="Selam", family_name="Haile", date_of_birth="1990-04-01"
    ).content.decode()

    def message(page: str) -> str:
        return page[page.index("<main") :]

    for page in (by_bsn, by_name):
        assert "Neem contact op met een klantregisseur van Gemeente Dubbelstad" in page
        assert "dit BSN" not in page and "dubbel dossier" not in page and "Haile</a>" not in page
        assert "Ik heb gecontroleerd" in page  # the form is the same form
    # the two answers say the same, so neither tells what matched
    strip = [message(p).replace("999990019", "").replace("Selam", "").replace("Haile", "") for p in (by_bsn, by_name)]
    assert strip[0].count("kan niet worden afgerond") == strip[1].count("kan niet worden afgerond") == 2
    assert Participant.objects.count() == 1
    # confirming does not push it through
    forced = _register(
        client,
        world["municipality"],
        given_name="Selam",
        family_name="Haile",
        date_of_birth="1990-04-01",
        confirm_not_duplicate="on",
    )
    assert forced.status_code == 400 and Participant.objects.count() == 1
    checks = AuditEvent.objects.filter(object_type="duplicate_check")
    assert checks.count() == 3
    assert all(c.detail == {"zichtbaar": 0, "niet_zichtbaar": 1} and c.subject_count == 0 for c in checks)
    assert "999990019" not in str(list(AuditEvent.objects.values_list()))


def test_the_api_answers_the_same_and_a_director_who_may_see_the_file_is_shown_it(world):
    api = APIClient()
    api.force_authenticate(world["coach"])
    body = {
        "municipality": str(world["municipality"].uuid),
        "given_name": "X",
        "family_name": "Y",
        "date_of_birth": "1980-01-01",
        "bsn": "999990019",
    }
    answer = api.post("/api/v1/deelnemers/", body, format="json")
    assert answer.status_code == 409
    error = answer.json()["errors"][0]
    assert error["code"] == "check_with_municipality" and "BSN" not in error["message"]
    assert answer.json()["visible_matches"] == []
    director = UserFactory(role=Role.DIRECTOR, organisation=world["municipality"])
    api.force_authenticate(director)
    seen = api.post("/api/v1/deelnemers/", body, format="json").json()
    assert seen["errors"][0]["field"] == "bsn" and seen["visible_matches"] == [str(world["known"].uuid)]


def test_duplicate_checks_are_throttled_per_user(client, world, settings):
    settings.DOORSTROOM_DUPLICATE_CHECKS_PER_HOUR = 2
    client.force_login(world["coach"])
    for number in range(2):
        assert _register(client, world["municipality"], family_name=f"Nieuw{number}").status_code == 302
    refused = _register(client, world["municipality"], family_name="Derde")
    assert refused.status_code == 400 and "vaak gecontroleerd" in refused.content.decode()
    assert not Participant.objects.filter(family_name="Derde").exists()
    other = UserFactory(role=Role.COACH, organisation=world["coach"].organisation)  # per user, not per office
    client.force_login(other)
    assert _register(client, world["municipality"], family_name="Vierde").status_code == 302


def test_break_the_glass_asks_which_municipality_when_a_bsn_has_files_in_several(client, world):
    second = OrganisationFactory(municipality=True, name="Gemeente Tweestad")
    world["coach"].organisation.works_for.add(second)
    elsewhere = ParticipantFactory(municipality=second, bsn="999990019")
    reason = "De crisisdienst belt: dossier nu nodig voor de hulp."
    client.force_login(world["coach"])
    asked = client.post("/noodtoegang/", {"bsn": "999990019", "reason": reason})
    page = asked.content.decode()
    assert asked.status_code == 400 and "meer gemeenten" in page
    assert "Gemeente Dubbelstad" in page and "Gemeente Tweestad" in page
    assert not BreakGlassAccess.objects.exists()  # nothing picked silently
    chosen = client.post("/noodtoegang/", {"bsn": "999990019", "reason": reason, "municipality": second.pk})
    assert chosen.status_code == 302 and chosen["Location"] == f"/deelnemers/{elsewhere.uuid}/"
    assert BreakGlassAccess.objects.get().participant == elsewhere


def test_a_review_of_an_emergency_access_that_does_not_exist_is_a_message_not_an_error(client):
    client.force_login(UserFactory(role=Role.PRIVACY_OFFICER))
    for access_id in ("987654", "geen-getal"):
        answer = client.post("/noodtoegang/beoordelen/", {"access": access_id, "note": "Gecontroleerd"}, follow=True)
        assert answer.status_code == 200 and "bestaat niet" in answer.content.decode()


def test_a_team_member_who_may_see_the_match_still_gets_to_compare(client, world):
    TeamAssignmentFactory(participant=world["known"], member=world["coach"])
    client.force_login(world["coach"])
    page = _register(
        client, world["municipality"], given_name="Selam", family_name="Haile", date_of_birth="1990-04-01"
    ).content.decode()
    assert "Haile, 1 april 1990" in page and "Bekijk eerst of het om dezelfde persoon gaat" in page
