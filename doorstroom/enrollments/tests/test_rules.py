"""The lifecycle as pure replay: no database."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doorstroom.enrollments import rules
from doorstroom.enrollments.rules import WITHOUT_FOLLOW_UP, EventFact, EventType, State, TransitionRefused

OUTCOMES = frozenset({"certificaat", "betaald_werk", "stage"})
D0 = date(2025, 1, 6)


def fact(seq: int, kind: EventType, day: int, **kwargs) -> EventFact:
    return EventFact(seq=seq, event_type=kind, occurred_on=D0 + timedelta(days=day), **kwargs)


def play(*events: EventFact, phases: int = 3) -> rules.Projection:
    return rules.replay(events, phase_count=phases, outcome_codes=OUTCOMES)


class TestReplay:
    def test_an_intake_does_not_end_the_enrollment(self):
        """Regression: the intake used to fall through to 'the enrollment ends', which made an
        active file look closed (weeks in phase and the retention dry run read ended_on)."""
        after_intake = play(fact(1, EventType.REFERRED, 0), fact(2, EventType.INTAKE_HELD, 5))
        assert after_intake.state == State.INTAKE and after_intake.ended_on is None
        started = play(fact(1, EventType.REFERRED, 0), fact(2, EventType.INTAKE_HELD, 5), fact(3, EventType.STARTED, 9))
        assert started.ended_on is None
        assert rules.weeks_in_phase(started, on=D0 + timedelta(days=9 + 21)) == 3

    def test_a_full_route_ends_completed_with_its_outcomes(self):
        p = play(
            fact(1, EventType.REFERRED, 0),
            fact(2, EventType.INTAKE_HELD, 7),
            fact(3, EventType.STARTED, 14),
            fact(4, EventType.PHASE_CHANGED, 60),
            fact(5, EventType.COMPLETED, 120, outcomes=("stage", "betaald_werk")),
        )
        assert p.state == State.COMPLETED
        assert p.phase_position == 2
        assert p.outcomes == ("stage", "betaald_werk")
        assert p.ended_on == D0 + timedelta(days=120)

    def test_events_are_ordered_by_date_then_recording_order(self):
        """A start recorded before the referral but dated after it still replays correctly."""
        p = play(fact(2, EventType.STARTED, 10), fact(1, EventType.REFERRED, 0))
        assert p.state == State.ACTIVE
        assert p.started_on == D0 + timedelta(days=10)

    def test_same_day_events_follow_recording_order(self):
        with pytest.raises(TransitionRefused):
            play(fact(2, EventType.REFERRED, 0), fact(1, EventType.STARTED, 0))

    @pytest.mark.parametrize(
        "state_events, refused",
        [
            ([], EventType.STARTED),
            ([(EventType.REFERRED, {})], EventType.PAUSED),
            ([(EventType.REFERRED, {})], EventType.COMPLETED),
            ([(EventType.REFERRED, {}), (EventType.STARTED, {})], EventType.INTAKE_HELD),
            ([(EventType.REFERRED, {}), (EventType.STARTED, {})], EventType.RESUMED),
            (
                [(EventType.REFERRED, {}), (EventType.STARTED, {}), (EventType.PAUSED, {"reason_code": "ziekte"})],
                EventType.PHASE_CHANGED,
            ),
            ([(EventType.REFERRED, {}), (EventType.NOT_STARTED, {"reason_code": "overig"})], EventType.STARTED),
            (
                [(EventType.REFERRED, {}), (EventType.STARTED, {}), (EventType.DROPPED_OUT, {"reason_code": "overig"})],
                EventType.RESUMED,
            ),
            ([(EventType.REFERRED, {})], EventType.REFERRED),
        ],
    )
    def test_illegal_transitions_are_refused(self, state_events, refused):
        events = [fact(i, kind, i, **kw) for i, (kind, kw) in enumerate(state_events, 1)]
        with pytest.raises(TransitionRefused) as error:
            play(*events, fact(99, refused, 50, reason_code="overig", outcomes=("stage",)))
        assert error.value.field == "event_type"

    def test_steps_that_must_say_why_need_a_reason(self):
        """Which codes exist is data (checked by the service for a new step); that a reason is given
        is a lifecycle rule, so it holds in any replayed history."""
        base = [fact(1, EventType.REFERRED, 0), fact(2, EventType.STARTED, 1)]
        for step in (EventType.PAUSED, EventType.DROPPED_OUT, EventType.CLOSED):
            with pytest.raises(TransitionRefused) as missing:
                play(*base, fact(3, step, 5))
            assert missing.value.field == "reason_code"
        with pytest.raises(TransitionRefused) as missing:
            play(fact(1, EventType.REFERRED, 0), fact(2, EventType.NOT_STARTED, 3))
        assert missing.value.field == "reason_code"

    def test_an_enrollment_can_be_closed_administratively_from_any_open_state_and_then_nothing_follows(self):
        starts = {
            State.REFERRED: [fact(1, EventType.REFERRED, 0)],
            State.INTAKE: [fact(1, EventType.REFERRED, 0), fact(2, EventType.INTAKE_HELD, 1)],
            State.ACTIVE: [fact(1, EventType.REFERRED, 0), fact(2, EventType.STARTED, 1)],
            State.PAUSED: [
                fact(1, EventType.REFERRED, 0),
                fact(2, EventType.STARTED, 1),
                fact(3, EventType.PAUSED, 2, reason_code="ziekte"),
            ],
        }
        for state, history in starts.items():
            assert play(*history).state == state
            closed = play(*history, fact(9, EventType.CLOSED, 10, reason_code="historie_zonder_einde"))
            assert closed.state == State.CLOSED
            assert closed.ended_on == D0 + timedelta(days=10)
            with pytest.raises(TransitionRefused):
                play(*history, fact(9, EventType.CLOSED, 10, reason_code="overig"), fact(10, EventType.RESUMED, 11))

    def test_a_completion_without_follow_up_has_no_outcome_and_says_so(self):
        base = [fact(1, EventType.REFERRED, 0), fact(2, EventType.STARTED, 1)]
        done = play(*base, fact(3, EventType.COMPLETED, 5, reason_code=WITHOUT_FOLLOW_UP))
        assert done.state == State.COMPLETED
        assert done.outcomes == ()
        with pytest.raises(TransitionRefused) as both:
            play(*base, fact(3, EventType.COMPLETED, 5, reason_code=WITHOUT_FOLLOW_UP, outcomes=("stage",)))
        assert both.value.field == "outcomes"

    def test_completion_needs_a_known_outcome(self):
        base = [fact(1, EventType.REFERRED, 0), fact(2, EventType.STARTED, 1)]
        with pytest.raises(TransitionRefused) as none:
            play(*base, fact(3, EventType.COMPLETED, 5))
        assert none.value.field == "outcomes"
        with pytest.raises(TransitionRefused):
            play(*base, fact(3, EventType.COMPLETED, 5, outcomes=("loterij",)))

    def test_skipping_or_revisiting_a_phase_needs_a_note(self):
        base = [fact(1, EventType.REFERRED, 0), fact(2, EventType.STARTED, 1)]
        with pytest.raises(TransitionRefused) as skip:
            play(*base, fact(3, EventType.PHASE_CHANGED, 5, phase_position=3))
        assert skip.value.field == "note"
        p = play(*base, fact(3, EventType.PHASE_CHANGED, 5, phase_position=3, note="Taal al op niveau"))
        assert p.phase_position == 3
        back = play(
            *base,
            fact(3, EventType.PHASE_CHANGED, 5),
            fact(4, EventType.PHASE_CHANGED, 9, phase_position=1, note="Terug naar taal"),
        )
        assert back.phase_position == 1
        with pytest.raises(TransitionRefused):
            play(*base, fact(3, EventType.PHASE_CHANGED, 5, phase_position=1, note="zelfde"))
        with pytest.raises(TransitionRefused):
            play(*base, fact(3, EventType.PHASE_CHANGED, 5, phase_position=7, note="bestaat niet"))

    def test_paused_weeks_do_not_count_as_weeks_in_the_phase(self):
        p = play(
            fact(1, EventType.REFERRED, 0),
            fact(2, EventType.STARTED, 0),
            fact(3, EventType.PAUSED, 14, reason_code="zwangerschap"),
            fact(4, EventType.RESUMED, 14 + 70),
        )
        assert rules.weeks_in_phase(p, on=D0 + timedelta(days=14 + 70 + 21)) == 5  # 2 weeks + 3 weeks
        paused = play(
            fact(1, EventType.REFERRED, 0),
            fact(2, EventType.STARTED, 0),
            fact(3, EventType.PAUSED, 14, reason_code="ziekte"),
        )
        assert rules.weeks_in_phase(paused, on=D0 + timedelta(days=100)) == 2

    def test_a_voided_event_takes_no_part(self):
        p = play(
            fact(1, EventType.REFERRED, 0),
            fact(2, EventType.STARTED, 3),
            fact(3, EventType.DROPPED_OUT, 5, reason_code="overig", voided=True),
            fact(4, EventType.CORRECTED, 6),
        )
        assert p.state == State.ACTIVE


def random_history(draw_ops: list[tuple[int, int]]) -> list[EventFact]:
    """Turn (choice, gap) pairs into a plausible event list (some will be illegal)."""
    kinds = list(EventType)
    events, day = [], 0
    for seq, (choice, gap) in enumerate(draw_ops, 1):
        day += gap
        kind = kinds[choice % len(kinds)]
        events.append(
            fact(seq, kind, day, reason_code="overig", outcomes=("stage",), note="x" if choice % 3 == 0 else "")
        )
    return events


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 30)), max_size=15))
def test_replay_either_refuses_or_yields_a_consistent_state(ops):
    """Any history either replays to a state reachable by the transition table, or is refused with
    a named field; never another exception."""
    events = random_history(ops)
    try:
        p = play(*events)
    except TransitionRefused as refused:
        assert refused.field in {"event_type", "reason_code", "outcomes", "note", "phase", "corrects"}
        return
    if not events:
        assert p.state is None
        return
    assert p.state is not None
    assert (p.ended_on is not None) == (p.state in rules.TERMINAL_STATES)
    if p.state == State.PAUSED:
        assert p.paused_since is not None
    if p.state == State.COMPLETED:
        assert p.outcomes
