"""A rule re-evaluated for the few participants a request touched (compiled once, `core.prepared`)
finds exactly what the rule finds for everyone, about those participants, on any day."""

import random
from datetime import timedelta

import pytest

from doorstroom.contacts import services as contact_services
from doorstroom.core import clock
from doorstroom.demo import generator
from doorstroom.enrollments.models import Enrollment
from doorstroom.enrollments.rules import OPEN_STATES as OPEN
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.signalering import services
from doorstroom.signalering.models import LIVE_STATES, Signal
from doorstroom.signalering.registry import RULES

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def about(findings, ids):
    return {tuple(f) for f in findings if f[0] in ids}


def no_show(participant, actor, days_ago):
    """A held conversation the participant did not come to."""
    return contact_services.contact_record(
        participant=participant,
        actor=actor,
        kind="gesprek",
        status="gehouden",
        occurred_on=TODAY - timedelta(days=days_ago),
        attendance="niet_verschenen",
        minutes=0,
    )


def world(participants, seed):
    """The demo's people, plus what it rarely makes at this size: no-shows, and school-age children
    without a school in households where a parent is guided."""
    generator.generate(participants=participants, seed=seed, today=TODAY)
    guided = list(Enrollment.objects.filter(state__in=OPEN).order_by("pk").select_related("participant")[:6])
    actor = UserFactory(role=Role.DIRECTOR)
    for enrollment in guided[:3]:
        for days in (3, 10):
            no_show(enrollment.participant, actor, days_ago=days)
    for enrollment in guided[3:]:
        parent = enrollment.participant
        household = parent.household_memberships.first()
        household = household.household if household else None
        if household is None:
            household = participant_services.household_add_member(participant=parent, relation="ouder").household
        child = ParticipantFactory(municipality=parent.municipality, date_of_birth=TODAY - timedelta(days=9 * 365))
        participant_services.household_add_member(participant=child, relation="kind", household=household)


def test_every_rule_finds_for_some_what_it_finds_for_everyone():
    world(200, 3)
    people = list(Participant.objects.order_by("pk").values_list("pk", flat=True))
    limits = services.thresholds()
    pick = random.Random(2026)  # noqa: S311 - a sample, not a secret
    found_somewhere = dict.fromkeys(RULES, 0)
    # a later day after an earlier one: a shape compiled for one day must not answer for another
    for day in (TODAY, TODAY + timedelta(days=45), TODAY):
        for code, rule in RULES.items():
            thresholds = limits[code][0]
            everyone = list(rule.find(day, thresholds, None))
            found_somewhere[code] += len(everyone)
            finders = sorted({f[0] for f in everyone})
            samples = [pick.sample(people, pick.randint(1, 5)) for _ in range(12)]
            samples += [pick.sample(finders, min(len(finders), pick.randint(1, 4))) for _ in range(8) if finders]
            # a page's worth, bound padded to the next size (100 -> 128, 70 -> 128 again)
            samples += [pick.sample(people, 100), pick.sample(people, 70)]
            for ids in samples:
                chosen = set(ids)
                assert about(rule.find(day, thresholds, chosen), chosen) == about(everyone, chosen), (code, day, ids)
    assert all(found_somewhere.values()), found_somewhere  # every rule had something to find


def test_a_refresh_among_some_decides_about_them_what_a_full_refresh_decides():
    world(120, 5)
    people = list(Participant.objects.order_by("pk").values_list("pk", flat=True))
    services.signals_refresh(today=TODAY)

    def live(ids):
        rows = Signal.objects.filter(state__in=LIVE_STATES, participant_id__in=ids)
        return set(rows.values_list("participant_id", "rule", "subject"))

    before = live(people)
    later = TODAY + timedelta(days=30)
    pick = random.Random(5)  # noqa: S311 - a sample, not a secret
    samples = [pick.sample(people, pick.randint(1, 4)) for _ in range(15)]
    for ids in samples:
        services.signals_refresh(today=later, among=ids)
    touched = set().union(*samples)
    by_some = live(touched)
    services.signals_refresh(today=later)
    assert by_some == live(touched)
    assert live(people) != before  # a month later something changed: the comparison had work to do
