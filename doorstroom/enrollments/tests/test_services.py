"""Enrollment services on the database: events appended, state cached, bad steps refused whole."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import selectors, services
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, EventType
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.models import ResidenceStatus
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return UserFactory()


@pytest.fixture
def enrolled(actor):
    participant = ParticipantFactory()
    programme = ProgrammeFactory()
    enrollment = services.enrollment_enrol(
        participant=participant,
        programme=programme,
        actor=actor,
        referred_by=actor.organisation,
        on=clock.today() - timedelta(days=100),
    )
    return enrollment


def step(enrollment, actor, kind, days_ago, **kwargs):
    return services.enrollment_record(
        enrollment=enrollment, actor=actor, event_type=kind, on=clock.today() - timedelta(days=days_ago), **kwargs
    )


class TestEnrol:
    def test_enrolment_writes_a_referral_event_and_caches_the_state(self, enrolled):
        assert enrolled.state == "aangemeld"
        assert list(enrolled.events.values_list("event_type", flat=True)) == ["aangemeld"]
        assert enrolled.events.get().organisation == enrolled.referred_by

    @pytest.mark.parametrize(
        "programme_kwargs, participant_kwargs, field",
        [
            ({"requires_residence_permit": True}, {"residence_status": ResidenceStatus.PENDING}, "residence_status"),
            ({"requires_civic_integration_duty": True}, {"civic_integration_duty": False}, "civic_integration_duty"),
            ({"min_age": 18, "max_age": 21}, {"date_of_birth": date(1990, 1, 1)}, "date_of_birth"),
            ({"min_age": 50}, {"date_of_birth": date(1990, 1, 1)}, "date_of_birth"),
        ],
    )
    def test_ineligible_participants_are_refused_and_nothing_is_saved(
        self, actor, programme_kwargs, participant_kwargs, field
    ):
        participant = ParticipantFactory(**participant_kwargs)
        programme = ProgrammeFactory(**programme_kwargs)
        with pytest.raises(DomainError) as error:
            services.enrollment_enrol(
                participant=participant,
                programme=programme,
                actor=actor,
                referred_by=actor.organisation,
                on=clock.today(),
            )
        assert error.value.field == field
        assert not Enrollment.objects.exists()

    def test_a_future_date_is_refused(self, actor):
        with pytest.raises(DomainError) as error:
            services.enrollment_enrol(
                participant=ParticipantFactory(),
                programme=ProgrammeFactory(),
                actor=actor,
                referred_by=actor.organisation,
                on=clock.today() + timedelta(days=1),
            )
        assert error.value.field == "occurred_on"

    def test_a_second_open_enrollment_in_the_same_programme_is_refused(self, enrolled, actor):
        with pytest.raises(DomainError):
            services.enrollment_enrol(
                participant=enrolled.participant,
                programme=enrolled.programme,
                actor=actor,
                referred_by=actor.organisation,
                on=clock.today(),
            )


class TestRecord:
    def test_moving_through_phases_caches_phase_and_dates(self, enrolled, actor):
        step(enrolled, actor, EventType.STARTED, 90)
        step(enrolled, actor, EventType.PHASE_CHANGED, 30)
        enrolled.refresh_from_db()
        assert enrolled.state == "actief"
        assert enrolled.current_phase.position == 2
        assert enrolled.phase_entered_on == clock.today() - timedelta(days=30)

    def test_an_illegal_transition_is_refused_and_leaves_no_event(self, enrolled, actor):
        with pytest.raises(DomainError) as error:
            step(enrolled, actor, EventType.RESUMED, 10)
        assert error.value.field == "event_type"
        assert enrolled.events.count() == 1

    def test_a_backdated_event_that_breaks_later_history_is_refused(self, enrolled, actor):
        step(enrolled, actor, EventType.STARTED, 90)
        step(enrolled, actor, EventType.DROPPED_OUT, 20, reason_code="motivatie")
        with pytest.raises(DomainError):  # a completion 40 days ago would put the drop-out after the end
            step(enrolled, actor, EventType.COMPLETED, 40, outcomes=["stage"])
        assert enrolled.events.filter(event_type=EventType.COMPLETED).count() == 0
        enrolled.refresh_from_db()
        assert enrolled.state == "uitgevallen"

    def test_an_unknown_reason_code_is_refused(self, enrolled, actor):
        step(enrolled, actor, EventType.STARTED, 90)
        with pytest.raises(DomainError) as error:
            step(enrolled, actor, EventType.PAUSED, 10, reason_code="vakantiepark")
        assert error.value.field == "reason_code"

    def test_a_stale_version_is_a_conflict(self, enrolled, actor):
        seen = enrolled.version
        step(enrolled, actor, EventType.STARTED, 90, expected_version=seen)
        with pytest.raises(DomainError) as error:
            step(enrolled, actor, EventType.PHASE_CHANGED, 10, expected_version=seen)
        assert error.value.code == "conflict"


class TestCorrect:
    def test_a_correction_voids_the_event_and_keeps_both_in_history(self, enrolled, actor):
        step(enrolled, actor, EventType.STARTED, 90)
        wrong = step(enrolled, actor, EventType.DROPPED_OUT, 10, reason_code="overig")
        services.enrollment_correct(enrollment=enrolled, actor=actor, wrong_event=wrong, reason="Verkeerde deelnemer")
        enrolled.refresh_from_db()
        assert enrolled.state == "actief"
        assert EnrollmentEvent.objects.filter(pk=wrong.pk).exists()
        assert enrolled.events.filter(event_type=EventType.CORRECTED, corrects=wrong).exists()

    def test_a_correction_needs_a_reason_and_cannot_be_repeated(self, enrolled, actor):
        wrong = step(enrolled, actor, EventType.INTAKE_HELD, 80)
        with pytest.raises(DomainError):
            services.enrollment_correct(enrollment=enrolled, actor=actor, wrong_event=wrong, reason=" ")
        services.enrollment_correct(enrollment=enrolled, actor=actor, wrong_event=wrong, reason="Dubbel")
        with pytest.raises(DomainError):
            services.enrollment_correct(enrollment=enrolled, actor=actor, wrong_event=wrong, reason="Nog eens")

    def test_a_correction_that_would_break_the_history_is_refused(self, enrolled, actor):
        start = step(enrolled, actor, EventType.STARTED, 90)
        step(enrolled, actor, EventType.PAUSED, 10, reason_code="ziekte")
        with pytest.raises(DomainError):
            services.enrollment_correct(enrollment=enrolled, actor=actor, wrong_event=start, reason="Nooit gestart")
        assert not enrolled.events.filter(event_type=EventType.CORRECTED).exists()


class TestTransfer:
    def test_transfer_ends_this_enrollment_and_refers_to_the_target(self, enrolled, actor):
        step(enrolled, actor, EventType.STARTED, 90)
        target = ProgrammeFactory()
        new = services.enrollment_transfer(
            enrollment=enrolled, actor=actor, target_programme=target, on=clock.today(), note="Beter passend"
        )
        enrolled.refresh_from_db()
        assert enrolled.state == "overgedragen"
        assert new.programme == target and new.state == "aangemeld"
        assert new.transferred_from == enrolled

    def test_an_ineligible_transfer_is_refused_whole(self, enrolled, actor):
        target = ProgrammeFactory(min_age=80)
        with pytest.raises(DomainError):
            services.enrollment_transfer(enrollment=enrolled, actor=actor, target_programme=target, on=clock.today())
        enrolled.refresh_from_db()
        assert enrolled.state == "aangemeld"
        assert Enrollment.objects.count() == 1


COMMANDS = st.lists(
    st.tuples(
        st.sampled_from([e for e in EventType if e not in (EventType.REFERRED, EventType.TRANSFERRED)]),
        st.integers(min_value=0, max_value=200),  # days ago
        st.sampled_from(["", "ziekte", "overig", "motivatie", "geen_motivatie", "onzin"]),
        st.sampled_from([None, 1, 2, 3]),
        st.booleans(),  # note given
    ),
    max_size=12,
)


@settings(max_examples=max(500, settings().max_examples))
@given(commands=COMMANDS)
@pytest.mark.django_db(transaction=False)
def test_stored_state_always_equals_a_replay_of_the_events(commands, assurance):
    """Whatever sequence of (often illegal) steps users try, the cached state equals the replay."""
    assurance.add("C5 lifecycle sequences replayed")
    actor = UserFactory()
    programme = ProgrammeFactory()
    enrollment = services.enrollment_enrol(
        participant=ParticipantFactory(),
        programme=programme,
        actor=actor,
        referred_by=actor.organisation,
        on=clock.today() - timedelta(days=250),
    )
    phases = {p.position: p for p in programme.phases.all()}
    for kind, days_ago, reason, phase, noted in commands:
        try:
            if kind == EventType.CORRECTED:
                target = enrollment.events.exclude(event_type__in=[EventType.CORRECTED]).order_by("?").first()
                services.enrollment_correct(enrollment=enrollment, actor=actor, wrong_event=target, reason="fout")
            else:
                step(
                    enrollment,
                    actor,
                    kind,
                    days_ago,
                    reason_code=reason,
                    phase=phases.get(phase),
                    outcomes=["stage"],
                    note="toelichting" if noted else "",
                )
        except DomainError:
            pass
        checked, mismatches = selectors.replay_mismatches(enrollments=Enrollment.objects.filter(pk=enrollment.pk))
        assert checked == 1 and mismatches == []


class TestTeam:
    def test_only_a_case_director_can_be_the_teams_director(self):
        from doorstroom.enrollments.models import TeamRole
        from doorstroom.organisations.models import Role

        participant = ParticipantFactory()
        with pytest.raises(DomainError) as error:
            services.team_assign(
                participant=participant,
                member=UserFactory(role=Role.COACH),
                role=TeamRole.DIRECTOR,
                starts_on=clock.today(),
            )
        assert error.value.field == "role"
        director = UserFactory(role=Role.DIRECTOR)
        assert (
            services.team_assign(
                participant=participant, member=director, role=TeamRole.DIRECTOR, starts_on=clock.today()
            ).member
            == director
        )

    def test_an_assignment_cannot_end_before_it_starts_or_twice(self):
        from doorstroom.enrollments.tests.factories import TeamAssignmentFactory

        assignment = TeamAssignmentFactory(starts_on=clock.today())
        with pytest.raises(DomainError):
            services.team_assignment_end(assignment=assignment, on=clock.today() - timedelta(days=1))
        services.team_assignment_end(assignment=assignment, on=clock.today())
        with pytest.raises(DomainError):
            services.team_assignment_end(assignment=assignment, on=clock.today())
