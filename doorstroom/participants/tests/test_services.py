from datetime import date

import pytest

from doorstroom.core.errors import DomainError
from doorstroom.organisations.tests.factories import OrganisationFactory
from doorstroom.participants import services
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

BASE = {"given_name": "Sara", "family_name": "Tesfay", "date_of_birth": date(1995, 3, 1)}


def test_register_normalises_and_stores_the_minimum():
    municipality = OrganisationFactory(municipality=True)
    p = services.participant_register(
        municipality=municipality, data={**BASE, "bsn": "1234 56 782", "languages": ["TI", "nl", "ti"]}
    )
    assert p.bsn == "123456782"
    assert p.languages == ["ti", "nl"]
    assert not hasattr(p, "ethnicity")


@pytest.mark.parametrize(
    "data, field",
    [
        ({**BASE, "bsn": "123456789"}, "bsn"),
        ({**BASE, "date_of_birth": date(2999, 1, 1)}, "date_of_birth"),
        ({**BASE, "given_name": "  "}, "given_name"),
        ({**BASE, "languages": ["klingon"]}, "languages"),
        ({**BASE, "residence_status": "marsbewoner"}, "residence_status"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(data, field):
    with pytest.raises(DomainError) as error:
        services.participant_register(municipality=OrganisationFactory(municipality=True), data=data)
    assert error.value.field == field
    assert not Participant.objects.exists()


def test_same_bsn_in_the_municipality_is_a_duplicate_even_when_confirmed():
    existing = ParticipantFactory(bsn="123456782")
    with pytest.raises(services.PossibleDuplicates) as found:
        services.participant_register(
            municipality=existing.municipality, data={**BASE, "bsn": "123456782"}, confirm_not_duplicate=True
        )
    assert found.value.same_bsn and found.value.participant_ids == [existing.pk]


def test_same_bsn_in_another_municipality_is_allowed():
    ParticipantFactory(bsn="123456782")
    services.participant_register(
        municipality=OrganisationFactory(municipality=True), data={**BASE, "bsn": "123456782"}
    )
    assert Participant.objects.count() == 2


def test_same_name_and_birth_date_warns_until_confirmed():
    existing = ParticipantFactory(**BASE)
    with pytest.raises(services.PossibleDuplicates) as found:
        services.participant_register(municipality=existing.municipality, data={**BASE, "given_name": "sara"})
    assert not found.value.same_bsn
    services.participant_register(municipality=existing.municipality, data=BASE, confirm_not_duplicate=True)
    assert Participant.objects.count() == 2


def test_update_with_a_stale_version_is_refused_and_keeps_the_other_change():
    p = ParticipantFactory()
    services.participant_update(participant=p, data={"phone": "0612345678"}, expected_version=1)
    stale = Participant.objects.get(pk=p.pk)
    stale.version = 1
    with pytest.raises(DomainError) as error:
        services.participant_update(participant=stale, data={"phone": "0000"}, expected_version=1)
    assert error.value.code == "conflict"
    assert Participant.objects.get(pk=p.pk).phone == "0612345678"


def test_household_members_share_one_household():
    parent = ParticipantFactory()
    child = ParticipantFactory(municipality=parent.municipality)
    membership = services.household_add_member(participant=parent, relation="ouder")
    services.household_add_member(participant=child, relation="kind", household=membership.household)
    assert membership.household.members.count() == 2
    with pytest.raises(DomainError):
        services.household_add_member(participant=child, relation="kind", household=membership.household)


def test_a_household_can_only_be_joined_from_visible_members():
    from doorstroom.access import policy as access
    from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
    from doorstroom.organisations.tests.factories import UserFactory

    coach = UserFactory()
    parent = ParticipantFactory()
    child = ParticipantFactory(municipality=parent.municipality)
    stranger = ParticipantFactory(municipality=parent.municipality)
    TeamAssignmentFactory(participant=parent, member=coach)
    TeamAssignmentFactory(participant=child, member=coach)
    mine = services.household_add_member(participant=parent, relation="ouder").household
    theirs = services.household_add_member(participant=stranger, relation="ouder").household
    joinable = set(access.households_joinable(coach, child))
    assert mine in joinable and theirs not in joinable
