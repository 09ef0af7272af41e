"""The households on a file show exactly the members the reader may see (what the access scope
says), and count the others; decided on facts gathered once, not a scope per file."""

import random

from django.urls import reverse

import pytest

from doorstroom.access import policy, redaction
from doorstroom.core import clock
from doorstroom.demo import generator
from doorstroom.enrollments.models import TeamAssignment
from doorstroom.organisations.models import User
from doorstroom.participants import selectors, services
from doorstroom.participants.models import HouseholdMember
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def test_every_reader_sees_the_members_their_scope_holds():
    generator.generate(participants=80, seed=11, today=clock.today())
    households = list(HouseholdMember.objects.values_list("participant_id", flat=True).distinct())
    assert len(households) > 5
    readers = list(User.objects.filter(is_active=True).exclude(role="").order_by("pk"))
    rng = random.Random(5)
    checked = hidden = 0
    for participant_id in rng.sample(households, min(12, len(households))):
        participant = ParticipantFactory._meta.model.objects.get(pk=participant_id)
        memberships = selectors.households_of(participant)
        for user in rng.sample(readers, min(8, len(readers))):
            scope = set(policy.participants_visible_to(user).values_list("pk", flat=True))
            for membership, shown in zip(memberships, redaction.households_shown(user, memberships), strict=True):
                everyone = set(
                    HouseholdMember.objects.filter(household=membership.household).values_list(
                        "participant_id", flat=True
                    )
                )
                assert {m.participant_id for m in shown.members} == everyone & scope
                assert shown.hidden_members == len(everyone - scope)
                checked += 1
                hidden += shown.hidden_members
    assert checked > 20 and hidden > 0  # both sides of the decision were exercised


def test_the_file_names_the_visible_member_and_counts_the_other(client):
    parent = ParticipantFactory(given_name="Ouderina")
    child = ParticipantFactory(given_name="Kindje", municipality=parent.municipality)
    household = services.household_add_member(participant=parent, relation="ouder").household
    services.household_add_member(participant=child, relation="kind", household=household)
    coach = User.objects.create_user("coach.huis", password="x", role="coach")  # noqa: S106
    TeamAssignment.objects.create(
        participant=parent, member=coach, organisation=parent.municipality, role="coach", starts_on=clock.today()
    )
    client.force_login(coach)
    page = client.get(reverse("participants:detail", args=[parent.uuid])).content.decode()
    assert "Ouderina" in page and "Kindje" not in page
    assert "1 gezinslid dat u niet mag zien" in page
