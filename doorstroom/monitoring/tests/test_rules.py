"""The pure parts of monitoring: histories read stand-per a date, quantiles, Wilson and Kaplan-Meier."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from doorstroom.monitoring import rules

D0 = date(2025, 1, 6)


def e(seq, kind, day, **kwargs):
    return rules.Event(seq=seq, event_type=kind, occurred_on=D0 + timedelta(days=day), **kwargs)


def test_a_history_is_cut_at_the_reporting_date_and_voided_events_do_not_count():
    events = [
        e(1, rules.REFERRED, 0),
        e(2, rules.STARTED, 5, phase=1),
        e(3, rules.PAUSED, 10, reason_code="ziekte"),
        e(4, rules.RESUMED, 24),
        e(5, rules.DROPPED_OUT, 40, reason_code="motivatie", voided=True),
        e(6, rules.COMPLETED, 50, outcomes=("stage", "stage", "certificaat")),
    ]
    on_day_12 = rules.history(enrollment_id=1, participant_id=1, programme_id=1, events=events, on=D0 + timedelta(12))
    assert on_day_12.state == rules.STATE_PAUSED and on_day_12.ending == ""
    assert on_day_12.pauses == [rules.Pause(D0 + timedelta(10), None, "ziekte")]
    end = rules.history(enrollment_id=1, participant_id=1, programme_id=1, events=events, on=D0 + timedelta(60))
    assert end.ending == rules.COMPLETED and end.outcomes == ("stage", "certificaat")
    assert rules.active_days(end, D0 + timedelta(60)) == 45 - 14


def test_only_closed_stays_in_a_phase_count_and_without_their_paused_days():
    events = [
        e(1, rules.REFERRED, 0),
        e(2, rules.STARTED, 0, phase=1),
        e(3, rules.PAUSED, 7, reason_code="ziekte"),
        e(4, rules.RESUMED, 14),
        e(5, rules.PHASE_CHANGED, 28, phase=2),
        e(6, rules.DROPPED_OUT, 63, reason_code="motivatie"),
    ]
    fold = lambda day: rules.history(  # noqa: E731
        enrollment_id=1, participant_id=1, programme_id=9, events=events, on=D0 + timedelta(day)
    )
    # on day 40 the second stay still runs: only the first counts, 28 days less the 7 paused = 3 weeks
    assert rules.closed_phase_weeks(fold(40), D0 + timedelta(40)) == [(9, 1, 3.0)]
    # once the trajectory ended its last stay is closed too: days 28 to 63, 5 weeks
    assert rules.closed_phase_weeks(fold(70), D0 + timedelta(70)) == [(9, 1, 3.0), (9, 2, 5.0)]


def test_quantiles_match_a_spreadsheet_and_wilson_contains_the_share():
    assert rules.quantile([1, 2, 3, 4], 0.5) == 2.5
    assert rules.quantile([2.5714, 3.0, 4.1429, 5.1429, 6.4286], 0.25) == 3.0
    low, high = rules.wilson(25, 54)
    assert low < 25 / 54 < high and round(low, 3) == 0.337 and round(high, 3) == 0.594  # worked out by hand


def _slow_km(durations, weeks):
    """Kaplan-Meier written out the long way, to check the one-pass version."""
    times = sorted({t for t, ended in durations if ended})
    share, points = 1.0, []
    for t in times:
        at_risk = sum(1 for d, _ in durations if d >= t)
        ended = sum(1 for d, x in durations if x and d == t)
        share *= 1 - ended / at_risk
        points.append((t, share))
    return [
        (
            w,
            ([s for t, s in points if t <= w] or [1.0])[-1] if durations else None,
            sum(1 for d, _ in durations if d >= w),
        )
        for w in weeks
    ]


@given(st.lists(st.tuples(st.integers(0, 60).map(float), st.booleans()), max_size=40))
def test_kaplan_meier_in_one_pass_equals_the_long_way(durations):
    weeks = [0, 4, 8, 13, 26, 52]
    fast = rules.survival(durations, weeks)
    slow = _slow_km(durations, weeks)
    assert [(w, n) for w, _s, n in fast] == [(w, n) for w, _s, n in slow]
    for (_w, a, _n), (_w2, b, _n2) in zip(fast, slow, strict=True):
        assert (a is None and b is None) or abs(a - b) < 1e-9


# --- the course kept on write equals the history the report folds (ADR 0019) -----------------------

_OUTCOME_CODES = frozenset({"certificaat", "betaald_werk", "stage"})


@st.composite
def legal_histories(draw):
    """A walk through the lifecycle's own table: each step is one the current state allows (phases
    skipped with a note, same-day steps, reasons, several outcomes, a transfer's target), with now
    and then a correction that voids an earlier step when the rest still replays."""
    from doorstroom.enrollments import rules as lifecycle

    kinds = lifecycle.EventType
    facts: list[lifecycle.EventFact] = []
    day = 0
    for seq in range(1, draw(st.integers(1, 12)) + 1):
        state = lifecycle.replay(facts, phase_count=3, outcome_codes=_OUTCOME_CODES).state
        if facts and draw(st.integers(0, 6)) == 0:  # a correction of an earlier step
            target = draw(st.sampled_from(facts))
            if target.event_type not in (kinds.CORRECTED, kinds.TRANSFERRED) and not target.voided:
                corrected = [f if f.seq != target.seq else replace(f, voided=True) for f in facts]
                corrected.append(
                    lifecycle.EventFact(seq=seq, event_type=kinds.CORRECTED, occurred_on=D0 + timedelta(day))
                )
                try:
                    lifecycle.replay(corrected, phase_count=3, outcome_codes=_OUTCOME_CODES)
                except lifecycle.TransitionRefused:
                    continue
                facts = corrected
                continue
        allowed = sorted(lifecycle.ALLOWED[state], key=lambda k: k.value)
        if not allowed:
            break
        kind = draw(st.sampled_from(allowed))
        day += draw(st.sampled_from((0, 0, 3, 17, 60)))
        phase = draw(st.sampled_from((None, 1, 2, 3))) if kind in (kinds.STARTED, kinds.PHASE_CHANGED) else None
        completed = kind == kinds.COMPLETED
        outcomes = (
            tuple(draw(st.lists(st.sampled_from(sorted(_OUTCOME_CODES)), min_size=1, max_size=3))) if completed else ()
        )
        reason = (
            draw(st.sampled_from(("", "verhuisd", "gezondheid")))
            if kind in lifecycle.REASON_REQUIRED | {kinds.PAUSED}
            else ""
        )
        if kind in lifecycle.REASON_REQUIRED and not reason:
            reason = "overig"
        fact = lifecycle.EventFact(
            seq=seq,
            event_type=kind,
            occurred_on=D0 + timedelta(day),
            phase_position=phase,
            reason_code=reason,
            note="overgeslagen",
            outcomes=outcomes,
            target_programme_id=draw(st.sampled_from((7, 8))) if kind == kinds.TRANSFERRED else None,
        )
        try:
            lifecycle.replay([*facts, fact], phase_count=3, outcome_codes=_OUTCOME_CODES)
        except lifecycle.TransitionRefused:
            continue  # e.g. a phase change to the phase it is in
        facts.append(fact)
    return facts


def _report_events(facts):
    return [
        rules.Event(
            seq=f.seq,
            event_type=f.event_type.value,
            occurred_on=f.occurred_on,
            phase=f.phase_position,
            reason_code=f.reason_code,
            outcomes=f.outcomes if f.event_type.value == rules.COMPLETED else (),
            target_programme_id=f.target_programme_id,
            voided=f.voided,
        )
        for f in facts
    ]


def _columns_of(facts):
    """The enrollment's course columns as the report reads them back (JSON columns as text)."""
    import json

    from doorstroom.enrollments import rules as lifecycle
    from doorstroom.enrollments.projection import projection_fields

    columns = projection_fields(lifecycle.replay(facts, phase_count=3, outcome_codes=_OUTCOME_CODES), [])
    return columns["referred_on"], [
        columns["last_event_on"],
        columns["state"],
        columns["last_event_type"],
        columns["intake_on"],
        columns["started_on"],
        columns["ended_on"],
        columns["ending_reason"],
        json.dumps(columns["outcomes"]),
        columns["transfer_target_id"],
        json.dumps(columns["pauses"]),
        json.dumps(columns["phase_stays"]),
    ]


def _course_of(facts):
    """The course as the enrollment's columns keep it (`rules.Course`, the reference)."""
    import json

    from doorstroom.enrollments.projection import pauses_from_column, phase_stays_from_column

    referred_on, columns = _columns_of(facts)
    last, state, last_type, intake_on, started_on, ended_on, reason, outcomes, target, pauses, stays = columns
    return rules.Course(
        enrollment_id=1,
        participant_id=2,
        programme_id=3,
        last_event_on=last,
        state=state,
        last_event_type=last_type,
        referred_on=referred_on,
        intake_on=intake_on,
        started_on=started_on,
        ended_on=ended_on,
        ending_reason=reason,
        outcomes=tuple(json.loads(outcomes)),
        transfer_target=target,
        pauses=pauses_from_column(pauses),
        phase_stays=phase_stays_from_column(stays),
    )


def _read_by_the_report(facts):
    """The history the report makes straight from the row, as `selectors._courses_of` reads it."""
    from doorstroom.monitoring import selectors

    referred_on, columns = _columns_of(facts)
    row = (1, 2, 3, None, 4, referred_on, *columns)
    (as_json,) = selectors._json_decoded([row])
    return selectors._history_of(row, referred_on, as_json, selectors._Dates())


@given(legal_histories(), st.integers(0, 400))
def test_the_course_kept_on_write_is_the_history_the_report_folds(facts, offset):
    """On any date from the last step on, the report may read the cached course instead of folding
    the events; on an earlier date, the fold equals the course of the history cut at that date. The
    report makes that history straight from the row, without the course: the same history."""
    events = _report_events(facts)
    course = _course_of(facts)
    last = course.last_event_on or D0
    folded = rules.history(
        enrollment_id=1, participant_id=2, programme_id=3, events=events, on=last + timedelta(offset)
    )
    assert rules.history_from_course(course) == folded
    assert _read_by_the_report(facts) == folded
    on = D0 + timedelta(offset)
    if on < last:
        cut = [f for f in facts if f.occurred_on <= on]
        if cut:
            expected = rules.history(enrollment_id=1, participant_id=2, programme_id=3, events=events, on=on)
            assert rules.history_from_course(_course_of(cut)) == expected
            assert _read_by_the_report(cut) == expected


@given(st.lists(st.tuples(legal_histories(), st.sampled_from((3, 4))), max_size=6), st.integers(0, 400))
def test_closed_stays_per_phase_of_many_histories_are_each_historys_closed_stays(walks, offset):
    """The report's one loop over a cohort gives, per phase, exactly the stays the per-history rule
    gives, each beside its own enrollment, in the cohort's order."""
    on = D0 + timedelta(offset)
    histories = [
        rules.history(enrollment_id=i, participant_id=i, programme_id=programme, events=_report_events(facts), on=on)
        for i, (facts, programme) in enumerate(walks, start=1)
    ]
    # and one with a pause inside a stay that closed (generated walks seldom pause and go on)
    histories.insert(len(histories) // 2, rules.history(
        enrollment_id=99, participant_id=99, programme_id=3, on=on, events=[
            e(1, rules.REFERRED, 0), e(2, rules.STARTED, 0, phase=1), e(3, rules.PAUSED, 7, reason_code="ziekte"),
            e(4, rules.RESUMED, 14), e(5, rules.PHASE_CHANGED, 28, phase=2), e(6, rules.DROPPED_OUT, 63),
        ],
    ))  # fmt: skip
    expected: dict = {}
    for h in histories:
        for programme_id, phase, weeks in rules.closed_phase_weeks(h, on):
            weeks_of, whose = expected.setdefault((programme_id, phase), ([], []))
            weeks_of.append(weeks)
            whose.append(h.enrollment_id)
    assert rules.closed_stays_per_phase(histories, on) == expected


@given(st.lists(legal_histories(), max_size=6), st.integers(0, 400))
def test_active_days_of_many_histories_are_each_historys_active_days(walks, offset):
    """The report's one loop over a cohort gives each history's days without pauses, in order."""
    on = D0 + timedelta(offset)
    histories = [
        rules.history(enrollment_id=i, participant_id=i, programme_id=3, events=_report_events(facts), on=on)
        for i, facts in enumerate(walks, start=1)
    ]
    # and one paused for a while after its start (generated walks seldom pause and go on)
    histories.insert(len(histories) // 2, rules.history(
        enrollment_id=99, participant_id=99, programme_id=3, on=on, events=[
            e(1, rules.REFERRED, 0), e(2, rules.STARTED, 3, phase=1), e(3, rules.PAUSED, 7, reason_code="ziekte"),
            e(4, rules.RESUMED, 14), e(5, rules.PAUSED, 40, reason_code="ziekte"), e(6, rules.DROPPED_OUT, 63),
        ],
    ))  # fmt: skip
    assert rules.active_days_each(histories, on) == [rules.active_days(h, on) for h in histories]


def test_a_copy_for_a_second_peildatum_keeps_the_history_and_drops_only_the_tags():
    first = rules.history(
        enrollment_id=1,
        participant_id=2,
        programme_id=3,
        events=[e(1, rules.REFERRED, 0), e(2, rules.STARTED, 4, phase=1), e(3, rules.PAUSED, 9, reason_code="ziek")],
        on=D0 + timedelta(30),
    )
    first.tags = frozenset({"maatje"})
    twin = rules.untagged_copy(first)
    assert twin.tags == frozenset() and first.tags == {"maatje"}
    twin.tags = frozenset({"huisbezoek"})
    assert first.tags == {"maatje"}
    assert replace(twin, tags=first.tags) == first
