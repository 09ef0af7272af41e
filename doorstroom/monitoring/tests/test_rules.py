"""The pure parts of monitoring: histories read stand-per a date, quantiles, Wilson and Kaplan-Meier."""

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
