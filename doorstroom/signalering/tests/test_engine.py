from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from doorstroom.contacts import services as contact_services
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.services import sharing_grant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import selectors as plan_selectors
from doorstroom.plans import services as plan_services
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.signalering import services
from doorstroom.signalering.models import RuleThreshold, Signal, SignalState
from doorstroom.signalering.registry import RULES, SignalRule, register

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def enrolled(days_ago=30, programme=None, actor=None):
    actor = actor or UserFactory(role=Role.DIRECTOR)
    participant = ParticipantFactory()
    enrollment_services.enrollment_enrol(
        participant=participant,
        programme=programme or ProgrammeFactory(),
        actor=actor,
        referred_by=actor.organisation,
        on=TODAY - timedelta(days=days_ago),
    )
    return participant


def live(participant, rule):
    return Signal.objects.filter(participant=participant, rule=rule).exclude(state=SignalState.CLOSED)


def test_no_contact_opens_a_signal_that_closes_itself_after_a_contact():
    participant = enrolled(days_ago=30)
    services.signals_refresh(today=TODAY)
    signal = live(participant, "geen_contact").get()
    assert signal.detail == "Nog geen contact" and signal.events.get().kind == "geopend"
    services.signals_refresh(today=TODAY)
    assert Signal.objects.filter(participant=participant, rule="geen_contact").count() == 1  # not opened twice
    contact_services.contact_record(
        participant=participant,
        actor=UserFactory(),
        kind="gesprek",
        status="gehouden",
        occurred_on=TODAY,
        attendance="verschenen",
        minutes=30,
    )
    services.signals_refresh(today=TODAY)
    signal.refresh_from_db()
    assert signal.state == SignalState.CLOSED and [e.kind for e in signal.events.all()] == ["geopend", "gesloten"]


def test_thresholds_are_set_per_programme():
    patient = ProgrammeFactory()
    RuleThreshold.objects.create(rule="geen_contact", programme=patient, threshold=60)
    slow = enrolled(days_ago=30, programme=patient)
    normal = enrolled(days_ago=30)
    services.signals_refresh(today=TODAY)
    assert not live(slow, "geen_contact").exists() and live(normal, "geen_contact").exists()
    RuleThreshold.objects.create(rule="geen_contact", programme=None, threshold=0, is_active=False)
    services.signals_refresh(today=TODAY)
    assert not live(normal, "geen_contact").exists()  # a rule switched off closes its signals


def test_two_no_shows_in_four_weeks():
    participant = enrolled(days_ago=40)
    for days in (3, 10):
        contact_services.contact_record(
            participant=participant,
            actor=UserFactory(),
            kind="gesprek",
            status="gehouden",
            occurred_on=TODAY - timedelta(days=days),
            attendance="niet_verschenen",
        )
    services.signals_refresh(today=TODAY)
    assert live(participant, "niet_verschenen").get().detail == "2 keer niet verschenen in vier weken"


def test_an_overdue_agreement_keeps_one_signal_across_plan_versions_and_closes_when_kept():
    participant = enrolled(days_ago=40)
    actor = UserFactory(role=Role.DIRECTOR)
    agreement = {
        "what": "Cv maken",
        "due_on": TODAY - timedelta(days=2),
        "monitor": "Coach",
        "if_not_kept": "Samen doen",
        "look_back_on": TODAY,
        "status": "open",
    }
    plan_services.plan_save(
        participant=participant,
        actor=actor,
        expected_version=0,
        goals=[],
        agreements=[agreement],
        review_on=TODAY - timedelta(days=1),
    )
    services.signals_refresh(today=TODAY)
    assert live(participant, "afspraak_verlopen").count() == 1 and live(participant, "evaluatie_verlopen").count() == 1
    kept = plan_selectors.as_mapping(plan_selectors.current_plan(participant))["agreements"]
    plan_services.plan_save(
        participant=participant,
        actor=actor,
        expected_version=1,
        goals=[],
        agreements=kept,
        review_on=TODAY - timedelta(days=1),
    )
    services.signals_refresh(today=TODAY)
    assert Signal.objects.filter(participant=participant, rule="afspraak_verlopen").count() == 1
    done = [{**kept[0], "status": "nagekomen"}]
    plan_services.plan_save(
        participant=participant,
        actor=actor,
        expected_version=2,
        goals=[],
        agreements=done,
        review_on=TODAY + timedelta(days=30),
    )
    services.signals_refresh(today=TODAY)
    assert not live(participant, "afspraak_verlopen").exists() and not live(participant, "evaluatie_verlopen").exists()


def test_a_user_acknowledges_and_resolves_with_a_note_and_it_is_history():
    participant = enrolled(days_ago=30)
    services.signals_refresh(today=TODAY)
    signal = live(participant, "geen_contact").get()
    coach = UserFactory()
    services.signal_handle(signal=signal, actor=coach, action="gezien")
    with pytest.raises(DomainError) as error:
        services.signal_handle(signal=signal, actor=coach, action="opgepakt", note="")
    assert error.value.field == "note"
    services.signal_handle(signal=signal, actor=coach, action="opgepakt", note="Gebeld, afspraak staat")
    assert [(e.kind, e.note) for e in signal.events.all()] == [
        ("geopend", ""),
        ("gezien", ""),
        ("opgepakt", "Gebeld, afspraak staat"),
    ]


def test_a_later_capability_adds_a_rule_without_touching_the_engine():
    participant = enrolled(days_ago=5)

    def find(today, limits, among=None):
        return [(participant.pk, "x", "gevonden")]

    rule = SignalRule("testregel", "Test", "traject", 0, "", find)
    register(rule)
    try:
        services.signals_refresh(today=TODAY)
        assert live(participant, "testregel").get().detail == "gevonden"
    finally:
        RULES.pop("testregel")


def test_the_engine_reads_a_bounded_number_of_queries_whatever_the_caseload():
    def queries_for(count):
        for _ in range(count):
            enrolled(days_ago=30)
        Signal.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            services.signals_refresh(today=TODAY)
        return len(captured)

    assert queries_for(3) == queries_for(30)


def test_the_dashboard_shows_a_partner_coach_only_what_is_shared(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = enrolled(days_ago=30, actor=director)
    coach = UserFactory(role=Role.COACH)
    TeamAssignmentFactory(participant=participant, member=coach)
    TeamAssignmentFactory(participant=participant, member=director)
    services.signals_refresh(today=TODAY)
    client.force_login(coach)
    assert participant.family_name not in client.get("/signalen/").content.decode()  # contacts not shared
    sharing_grant(
        participant=participant,
        organisation=coach.organisation,
        category="notities",
        legal_basis="toestemming",
        on=TODAY,
        recorded_by=director,
    )
    page = client.get("/signalen/").content.decode()
    assert participant.family_name in page and "Lang geen contact" in page
    signal = live(participant, "geen_contact").get()
    assert client.post(f"/signalen/{signal.uuid}/", {"action": "gezien"}).status_code == 302
    signal.refresh_from_db()
    assert signal.state == "gezien"
    assert client.post("/signalen/bijwerken/").status_code == 403


def test_the_weekly_digest_mails_each_user_their_own_open_signals(mailoutbox):
    from django.core.management import call_command

    from doorstroom.access.models import AuditEvent

    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality, email="regisseur@example.nl")
    participant = ParticipantFactory(municipality=municipality)
    enrollment_services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(),
        actor=director,
        referred_by=municipality,
        on=TODAY - timedelta(days=30),
    )
    TeamAssignmentFactory(participant=participant, member=director)
    UserFactory(role=Role.DIRECTOR, email="ander@example.nl")  # nothing on their caseload: no mail
    services.signals_refresh(today=TODAY)
    call_command("signalen_mailen")
    assert [m.to for m in mailoutbox] == [["regisseur@example.nl"]]
    assert participant.full_name in mailoutbox[0].body and "Lang geen contact" in mailoutbox[0].body
    assert AuditEvent.objects.filter(object_type="signals_digest", channel="command").count() == 1


def test_no_pip_ten_weeks_after_registration_for_someone_with_a_civic_integration_duty():
    actor = UserFactory(role=Role.DIRECTOR)
    duty = ParticipantFactory(civic_integration_duty=True)
    no_duty = ParticipantFactory(civic_integration_duty=False)
    for person in (duty, no_duty):
        enrollment_services.enrollment_enrol(
            participant=person,
            programme=ProgrammeFactory(),
            actor=actor,
            referred_by=actor.organisation,
            on=TODAY - timedelta(days=80),
        )
    finished = ParticipantFactory(civic_integration_duty=True)
    ended = enrollment_services.enrollment_enrol(
        participant=finished,
        programme=ProgrammeFactory(),
        actor=actor,
        referred_by=actor.organisation,
        on=TODAY - timedelta(days=80),
    )
    enrollment_services.enrollment_record(
        enrollment=ended, actor=actor, event_type="niet_gestart", reason_code="overig", on=TODAY - timedelta(days=70)
    )
    services.signals_refresh(today=TODAY)
    assert live(duty, "pip_ontbreekt").exists() and not live(no_duty, "pip_ontbreekt").exists()
    assert not live(finished, "pip_ontbreekt").exists()  # no longer in a trajectory
    plan_services.plan_save(
        participant=duty,
        actor=actor,
        expected_version=0,
        goals=[],
        agreements=[],
        agreed_on=TODAY,
        agreed_how="getekend",
    )
    services.signals_refresh(today=TODAY)
    assert live(duty, "pip_ontbreekt").exists()  # an agreed plan is not yet an adopted PIP (a decision)
    plan_services.plan_save(
        participant=duty,
        actor=actor,
        expected_version=1,
        goals=[],
        agreements=[],
        pip={"pip_decided_on": TODAY, "learning_route": "z", "map_intensity": "40 uur", "pvt_intensity": "6 keer"},
    )
    services.signals_refresh(today=TODAY)
    assert not live(duty, "pip_ontbreekt").exists()
