from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from doorstroom.measurements import rules

ANSWERS = st.fixed_dictionaries({code: st.booleans() for code in rules.LADDER_QUESTIONS})


@given(ANSWERS)
def test_the_rung_is_the_highest_whose_criteria_hold(answers):
    rung = rules.ladder_rung(answers)
    if answers["betaald_werk"]:
        assert rung == (5 if answers["ondersteuning_bij_werk"] else 6)
    elif answers["onbetaald_werk"]:
        assert rung == 4
    elif answers["georganiseerde_activiteit"]:
        assert rung == 3
    else:
        assert rung == (2 if answers["sociaal_contact"] else 1)


def test_more_participation_never_lowers_the_rung():
    base = dict.fromkeys(rules.LADDER_QUESTIONS, False)
    previous = rules.ladder_rung(base)
    for code in ("sociaal_contact", "georganiseerde_activiteit", "onbetaald_werk", "betaald_werk"):
        base[code] = True
        assert rules.ladder_rung(base) > previous
        previous = rules.ladder_rung(base)


ITEMS = [rules.Item("a", "A", 1, 5, "metingen"), rules.Item("b", "B", 0, 1, "metingen", required=True)]


def test_scores_outside_the_scale_unknown_or_missing_are_named():
    assert rules.score_problems(ITEMS, {"a": 3, "b": 0}) == {}
    problems = rules.score_problems(ITEMS, {"a": 6, "c": 1, "b": None})
    assert set(problems) == {"a", "b", "c"}
    assert "1 tot en met 5" in problems["a"]
    assert rules.score_problems(ITEMS, {"a": True, "b": 1}) == {"a": "Geef een geheel getal."}


def test_a_follow_up_needs_an_earlier_baseline():
    today, born = date(2026, 6, 1), date(1990, 1, 1)
    check = rules.moment_problem
    assert check(moment="vervolgmeting", measured_on=today, today=today, born_on=born, baseline_on=None)[0] == "moment"
    assert check(
        moment="vervolgmeting", measured_on=date(2026, 1, 1), today=today, born_on=born, baseline_on=date(2026, 2, 1)
    ) == ("measured_on", "Een vervolgmeting kan niet voor de nulmeting liggen.")
    assert (
        check(moment="nulmeting", measured_on=today, today=today, born_on=born, baseline_on=date(2026, 2, 1))[0]
        == "moment"
    )
    assert (
        check(moment="nulmeting", measured_on=date(2027, 1, 1), today=today, born_on=born, baseline_on=None)[0]
        == "measured_on"
    )
    assert check(moment="later", measured_on=today, today=today, born_on=born, baseline_on=None)[0] == "moment"
    assert (
        check(moment="eindmeting", measured_on=today, today=today, born_on=born, baseline_on=date(2026, 2, 1)) is None
    )
