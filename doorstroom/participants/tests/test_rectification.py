"""Rectification with history (AVG art. 16): every change of personal data is kept, encrypted,
shown on the file within the reader's categories, and named in a conflicting edit's message."""

from django.db import connection
from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from doorstroom.core.errors import DomainError
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.services import api_token_issue
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import selectors, services
from doorstroom.participants.models import DataCategory, Participant, ParticipantChange
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality, first_name="Dana", last_name="Regie")
    participant = ParticipantFactory(
        municipality=municipality, family_name="Jansen", phone="0611111111", bsn="123456782"
    )
    TeamAssignmentFactory(participant=participant, member=director)
    return {"municipality": municipality, "director": director, "participant": participant}


def test_a_change_keeps_the_values_before_and_after_encrypted(world):
    p, director = world["participant"], world["director"]
    services.participant_update(
        participant=p,
        data={"family_name": "Janssen", "phone": "0622222222"},
        expected_version=p.version,
        actor=director,
        reason="Achternaam verkeerd gespeld",
        is_rectification=True,
    )
    change = ParticipantChange.objects.get(participant=p)
    assert change.version == 2 and change.changed_by == director and change.is_rectification
    assert change.changed_fields == ["family_name", "phone"]
    assert change.before_after == {"family_name": ["Jansen", "Janssen"], "phone": ["0611111111", "0622222222"]}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name('values')} FROM participants_participantchange WHERE id = %s",
            [change.pk],
        )
        raw = cursor.fetchone()[0]
    assert "Jansen" not in raw and "0611111111" not in raw  # encrypted at rest


def test_saving_without_a_difference_adds_no_history(world):
    p = world["participant"]
    services.participant_update(participant=p, data={"family_name": "Jansen"}, expected_version=p.version)
    assert not ParticipantChange.objects.exists()


def test_a_rectification_needs_a_reason(world):
    p = world["participant"]
    with pytest.raises(DomainError) as error:
        services.participant_update(
            participant=p, data={"family_name": "X"}, expected_version=p.version, is_rectification=True
        )
    assert error.value.field == "reason"
    assert Participant.objects.get(pk=p.pk).family_name == "Jansen"


def test_a_conflict_names_who_changed_which_fields_in_between(world):
    p, director = world["participant"], world["director"]
    stale_version = p.version
    services.participant_update(
        participant=p, data={"phone": "0633333333"}, expected_version=stale_version, actor=director
    )
    with pytest.raises(DomainError) as error:
        services.participant_update(participant=p, data={"family_name": "Pietersen"}, expected_version=stale_version)
    assert error.value.code == "conflict"
    assert "Dana Regie" in error.value.message and "telefoonnummer" in error.value.message
    assert "0633333333" not in error.value.message  # names the fields, never the values
    assert Participant.objects.get(pk=p.pk).family_name == "Jansen"


def test_the_history_shows_only_categories_the_reader_may_see(world):
    p, director = world["participant"], world["director"]
    services.participant_update(
        participant=p,
        data={"family_name": "Janssen", "phone": "0622222222"},
        expected_version=p.version,
        actor=director,
    )
    full = selectors.change_history(
        participant=p, categories=frozenset({DataCategory.IDENTITY, DataCategory.CONTACT}), show_bsn=True
    )
    assert [(f.label, f.before, f.after) for f in full[0].fields] == [
        ("achternaam", "Jansen", "Janssen"),
        ("telefoonnummer", "0611111111", "0622222222"),
    ]
    limited = selectors.change_history(participant=p, categories=frozenset({DataCategory.IDENTITY}), show_bsn=False)
    assert [f.label for f in limited[0].fields] == ["achternaam"] and limited[0].hidden_fields == 1


def test_the_file_page_shows_the_history_and_a_partner_coach_without_contact_consent_sees_no_old_number(client, world):
    p, director = world["participant"], world["director"]
    services.participant_update(
        participant=p, data={"phone": "0622222222"}, expected_version=p.version, actor=director, reason="Nieuw nummer"
    )
    client.force_login(director)
    page = client.get(reverse("participants:detail", args=[p.uuid])).content.decode()
    assert "Wijzigingen in de persoonsgegevens" in page and "0611111111" in page and "Nieuw nummer" in page
    coach = UserFactory(role=Role.COACH)  # a partner organisation, no sharing grant for contact details
    TeamAssignmentFactory(participant=p, member=coach)
    client.force_login(coach)
    page = client.get(reverse("participants:detail", args=[p.uuid])).content.decode()
    assert "0611111111" not in page and "0622222222" not in page
    assert "1 veld dat u niet mag zien" in page


def test_the_edit_form_records_a_rectification(client, world):
    p, director = world["participant"], world["director"]
    client.force_login(director)
    form = {
        "given_name": p.given_name,
        "family_name": "Jansma",
        "date_of_birth": p.date_of_birth.isoformat(),
        "bsn": p.bsn,
        "residence_status": p.residence_status,
        "benefit_status": p.benefit_status,
        "languages": "nl",
        "phone": p.phone,
        "version": p.version,
        "reason": "De deelnemer liet de spelling corrigeren",
        "is_rectification": "on",
    }
    response = client.post(reverse("participants:edit", args=[p.uuid]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    change = ParticipantChange.objects.get(participant=p)
    assert change.is_rectification and change.changed_by == director
    assert change.before_after["family_name"] == ["Jansen", "Jansma"]


def test_the_api_records_a_change_with_its_reason(world):
    p, director = world["participant"], world["director"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=director, name='test')[1]}")
    url = f"/api/v1/deelnemers/{p.uuid}/"
    refused = api.patch(url, {"version": p.version, "family_name": "X", "is_rectification": True}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "reason"
    accepted = api.patch(
        url,
        {"version": p.version, "family_name": "Jansma", "reason": "Correctie", "is_rectification": True},
        format="json",
    )
    assert accepted.status_code == 200, accepted.json()
    assert ParticipantChange.objects.get(participant=p).reason == "Correctie"
