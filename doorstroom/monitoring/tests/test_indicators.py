"""The funnel asked once per standing (`indicators.Standing`) holds the same histories as each
history asked on its own (`indicators._holding`, the reference), on generated lifecycles."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doorstroom.monitoring import indicators, rules

from .test_rules import D0, _report_events, legal_histories

FUNNEL_COUNTS = [i for i in indicators.INDICATORS.values() if i.section == indicators.FUNNEL and i.members]


@given(st.lists(legal_histories(), min_size=1, max_size=8), st.integers(0, 400))
def test_each_funnel_count_holds_the_same_histories_asked_per_standing_as_asked_one_by_one(lifecycles, offset):
    on = D0 + timedelta(offset)
    histories = [
        rules.history(enrollment_id=n, participant_id=n % 5, programme_id=n % 2, events=_report_events(facts), on=on)
        for n, facts in enumerate(lifecycles)
    ]
    cohort = indicators.Cohort(on=on, histories=histories, municipality_of={0: 10, 1: 11, 2: 10})  # 3, 4: none
    assert len(FUNNEL_COUNTS) >= 15
    for indicator in FUNNEL_COUNTS:
        one_by_one = indicators._holding(indicator.standing_test, cohort)
        assert _ids(indicator.members(cohort)) == _ids(one_by_one), indicator.code
        # split per municipality and per programme as the side-by-side tables split it
        for by, key in (("municipality", lambda h: cohort.municipality_of.get(h.participant_id)), ("programme", None)):
            expected: dict = {}
            for h in one_by_one:
                expected.setdefault(key(h) if key else h.programme_id, []).append(h)
            split = cohort.split(indicator, by)
            assert {k: _ids(v) for k, v in split.items() if v} == {k: _ids(v) for k, v in expected.items()}, (
                indicator.code,
                by,
            )


def _ids(histories):
    return sorted(h.enrollment_id for h in histories)


def test_a_funnel_test_that_reads_more_than_its_standing_fails_at_once():
    standing = indicators.standings([rules.History(1, 1, 1, referred_on=date(2026, 1, 5), state="aangemeld")])[0][0]
    assert standing.referred_on is not None and standing.intake_on is None
    with pytest.raises(TypeError):
        _ = standing.referred_on <= date(2026, 2, 1)  # a date's value is not there to compare
    with pytest.raises(AttributeError):
        _ = standing.pauses  # nor anything but what the funnel reads


def _persons_by_set(self, histories):
    return len({h.participant_id for h in histories})


def _values(tables):
    return [
        (t.code, str(row["key"]), column, row[column].value)
        for t in tables
        if t is not None
        for row in t.rows
        for column, _label, _kind in t.columns
        if isinstance(row.get(column), indicators.Cell)
    ]


@given(st.lists(legal_histories(), min_size=1, max_size=8), st.integers(0, 400), st.booleans())
def test_every_table_counts_the_same_persons_as_a_set_of_participants_would(lifecycles, offset, twice):
    """`Cohort.persons` counts only the participants with two histories in a set; every table and
    both side-by-side tables give what counting all participants in a set gives, with people on two
    routes (`twice`) and outcomes mentioned twice in one completion."""
    on = D0 + timedelta(offset)
    histories = []
    for n, facts in enumerate(lifecycles):
        h = rules.history(
            enrollment_id=n,
            participant_id=n % 3 if twice else n,
            programme_id=n % 2,
            events=_report_events(facts),
            on=on,
        )
        if h.outcomes and n % 2:
            h.outcomes = (*h.outcomes, h.outcomes[0])  # the same outcome mentioned twice
        histories.append(h)
    facts = {
        p: indicators.ProgrammeFacts(p, f"p{p}", f"P{p}", 2.0, {"certificaat": 50, "betaald_werk": 30}, {1: "een"})
        for p in (0, 1)
    }

    def all_tables():
        cohort = indicators.Cohort(
            on=on, histories=histories, programmes=facts, municipality_of={0: 10, 1: 11, 2: 10, 3: 11}
        )
        made = indicators.tables(cohort)
        made += [indicators.municipalities_side_by_side(cohort), indicators.programmes_side_by_side(cohort)]
        return _values(made)

    counted = all_tables()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indicators.Cohort, "persons", _persons_by_set)
        assert counted == all_tables()


def test_targets_compare_each_programme_s_started_people_with_its_own_targets():
    started = date(2026, 1, 5)
    histories = [
        rules.History(1, 1, 1, started_on=started, ending=rules.COMPLETED, outcomes=("certificaat",)),
        rules.History(2, 2, 1, started_on=started, ending=rules.COMPLETED, outcomes=("certificaat", "betaald_werk")),
        rules.History(3, 3, 1, started_on=started, ending=rules.DROPPED_OUT),
        rules.History(4, 4, 1),  # referred, never started: not in the denominator
        rules.History(5, 5, 2, started_on=started, ending=rules.COMPLETED, outcomes=("betaald_werk",)),
    ]
    facts = {
        1: indicators.ProgrammeFacts(1, "p1", "Route 1", None, {"certificaat": 50, "betaald_werk": 30}, {}),
        2: indicators.ProgrammeFacts(2, "p2", "Route 2", None, {"betaald_werk": 40}, {}),
    }
    cohort = indicators.Cohort(on=date(2026, 6, 30), histories=histories, programmes=facts)
    table = indicators._targets(cohort)
    assert {
        row["key"]: tuple(row[c].value for c in ("started", "reached", "share", "target")) for row in table.rows
    } == {
        "1:betaald_werk": (3, 1, 33.3, 30),
        "1:certificaat": (3, 2, 66.7, 50),
        "2:betaald_werk": (1, 1, 100.0, 40),
    }
