"""After a write, the refresh runs only the rules that read what was written (ADR 0026): in a
generated world, for every kind of work, a full refresh straight after the request's own refresh
finds nothing left to open or close. The writes are chosen to change signals, and the test checks
that they did, so a rule that forgot a kind it reads makes it fail."""

from collections import Counter
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from doorstroom.contacts import services as contact_services
from doorstroom.core import clock, touched
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import Enrollment
from doorstroom.enrollments.rules import OPEN_STATES
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import services as plan_services
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.signalering import services
from doorstroom.signalering.models import LIVE_STATES, Signal
from doorstroom.signalering.registry import RULES

from .test_rules_among import no_show, world

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def live(rule):
    return Signal.objects.filter(rule=rule, state__in=LIVE_STATES)


def as_a_request_does(write, changed: Counter) -> set[str]:
    """The write inside a collection, then the refresh the middleware runs; what it changed is
    counted per rule. Returns the kinds the write marked."""
    with touched.collecting() as marks:
        write()
    assert marks, "the write marked nobody"
    counts = services.signals_refresh(today=TODAY, among=sorted(marks.participants), written=set(marks.written))
    changed.update({code: opened + closed for code, (opened, closed) in counts.items()})
    return set(marks.written)


def left_for_a_full_refresh() -> dict[str, tuple[int, int]]:
    return {code: counts for code, counts in services.signals_refresh(today=TODAY).items() if counts != (0, 0)}


def test_after_each_kind_of_write_a_full_refresh_has_nothing_left_to_do():
    world(150, 11)
    services.signals_refresh(today=TODAY)  # everything up to date first
    assert left_for_a_full_refresh() == {}
    actor = UserFactory(role=Role.DIRECTOR)
    changed: Counter = Counter()
    kinds: set[str] = set()
    guided = Enrollment.objects.filter(state__in=OPEN_STATES, paused_since__isnull=True)

    # contacts: a held contact closes "lang geen contact"; two no-shows open "niet verschenen"
    quiet = live("geen_contact").order_by("pk").first().participant
    kinds |= as_a_request_does(
        lambda: contact_services.contact_record(
            participant=quiet,
            actor=actor,
            kind="gesprek",
            status="gehouden",
            occurred_on=TODAY,
            attendance="verschenen",
            minutes=30,
        ),
        changed,
    )
    assert left_for_a_full_refresh() == {}
    absent = guided.exclude(participant__signals__rule="niet_verschenen").order_by("pk").first().participant
    for days in (1, 2):
        kinds |= as_a_request_does(lambda days=days: no_show(absent, actor, days_ago=days), changed)
        assert left_for_a_full_refresh() == {}

    # enrollments: a pause ends "lang geen contact" while it lasts
    waiting = guided.filter(participant__signals__rule="geen_contact", participant__signals__state__in=LIVE_STATES)
    paused = waiting.filter(state="actief").order_by("pk").first()
    kinds |= as_a_request_does(
        lambda: enrollment_services.enrollment_record(
            enrollment=paused, actor=actor, event_type="gepauzeerd", on=TODAY, reason_code="overig"
        ),
        changed,
    )
    assert left_for_a_full_refresh() == {}

    # plans: a plan whose review date has passed opens "evaluatie verlopen"
    planless = guided.filter(participant__plan__isnull=True).order_by("pk").first().participant
    kinds |= as_a_request_does(
        lambda: plan_services.plan_save(
            participant=planless,
            actor=actor,
            expected_version=0,
            goals=[],
            agreements=[],
            review_on=TODAY - timedelta(days=3),
        ),
        changed,
    )
    assert left_for_a_full_refresh() == {}

    # households: a child joins first, then a guided parent joins the child's household: only the
    # parent is marked, and the child's school signal opens (the refresh reaches the household)
    child = ParticipantFactory(municipality=planless.municipality, date_of_birth=TODAY - timedelta(days=10 * 365))
    household = participant_services.household_add_member(participant=child, relation="kind").household
    services.signals_refresh(today=TODAY, among=[child.pk])
    parent = (
        guided.filter(participant__municipality=planless.municipality, participant__household_memberships=None)
        .order_by("pk")
        .first()
        .participant
    )
    kinds |= as_a_request_does(
        lambda: participant_services.household_add_member(participant=parent, relation="ouder", household=household),
        changed,
    )
    assert live("leerplichtig_zonder_school").filter(participant=child).exists()
    assert left_for_a_full_refresh() == {}

    # school: a registration closes it again
    kinds |= as_a_request_does(
        lambda: participant_services.school_register(
            participant=child, actor=actor, school="Basisschool De Linde", starts_on=TODAY, today=TODAY
        ),
        changed,
    )
    assert left_for_a_full_refresh() == {}

    # person: a civic-integration duty recorded late opens "nog geen PIP" for someone guided long
    dutiful = (
        guided.filter(participant__civic_integration_duty=False, referred_on__lt=TODAY - timedelta(days=80))
        .exclude(participant__plan__versions__pip_decided_on__isnull=False)
        .order_by("pk")
        .first()
        .participant
    )
    kinds |= as_a_request_does(
        lambda: participant_services.participant_update(
            participant=dutiful,
            data={"civic_integration_duty": True},
            expected_version=dutiful.version,
            actor=actor,
        ),
        changed,
    )
    assert left_for_a_full_refresh() == {}

    assert kinds == touched.KINDS - {touched.MEASUREMENTS}
    assert {code for code, count in changed.items() if count} >= {
        "geen_contact",
        "niet_verschenen",
        "evaluatie_verlopen",
        "leerplichtig_zonder_school",
        "pip_ontbreekt",
    }, changed


def test_a_write_no_rule_reads_costs_no_refresh_at_all():
    participant = ParticipantFactory()
    ProgrammeFactory()
    assert services.rules_reading({touched.MEASUREMENTS}) == {}
    with CaptureQueriesContext(connection) as queries:
        counts = services.signals_refresh(today=TODAY, among=[participant.pk], written={touched.MEASUREMENTS})
    assert len(queries) == 0 and counts == dict.fromkeys(RULES, (0, 0))


def test_an_enrollment_write_runs_every_rule_since_it_can_make_someone_history():
    assert set(services.rules_reading({touched.ENROLLMENTS})) == set(RULES)
    assert set(services.rules_reading({touched.CONTACTS})) == {"geen_contact", "niet_verschenen"}
    assert set(services.rules_reading(None)) == set(RULES)
