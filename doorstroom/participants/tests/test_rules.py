from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.nl import bsn as stdnum_bsn

from doorstroom.participants import rules


def independent_elfproef(value: str) -> bool:
    """The 11-proef written out from the Wabb description, independently of python-stdnum."""
    if len(value) == 8 and value.isdigit():
        value = "0" + value
    if len(value) != 9 or not value.isdigit() or value == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(value, weights, strict=True)) % 11 == 0


@pytest.mark.parametrize("value", ["123456782", "111222333", "999990019", "12345678"[:0] + "012345672"])
def test_known_valid_numbers_pass(value):
    assert rules.bsn_problem(value) is None


@pytest.mark.parametrize(
    "value, fragment",
    [("123456789", "elfproef"), ("12345", "9 cijfers"), ("000000000", "bestaat niet"), ("12345678a", "cijfers")],
)
def test_invalid_numbers_say_why(value, fragment):
    assert fragment in rules.bsn_problem(value)


@settings(max_examples=10_000)
@given(value=st.text(alphabet="0123456789", min_size=8, max_size=10))
def test_bsn_check_agrees_with_an_independent_elfproef_and_with_stdnum(value, assurance):
    assurance.add("C5 BSN examples")
    ours = rules.bsn_problem(value) is None
    assert ours == independent_elfproef(value)
    if len(value) == 9 and value != "000000000":
        assert ours == stdnum_bsn.is_valid(value)


def test_languages_are_iso_639_codes():
    assert rules.language_problem("nl") is None
    assert rules.language_problem("rom") is None
    assert rules.language_problem("xx") is not None
    assert rules.language_problem("dutch") is not None


def test_date_of_birth_cannot_lie_in_the_future():
    assert rules.date_of_birth_problem(date(2030, 1, 1), today=date(2026, 1, 1)) is not None
    assert rules.date_of_birth_problem(date(1990, 1, 1), today=date(2026, 1, 1)) is None


def test_age_counts_whole_years():
    assert rules.age_on(date(2000, 6, 15), date(2018, 6, 14)) == 17
    assert rules.age_on(date(2000, 6, 15), date(2018, 6, 15)) == 18


def test_language_names_follow_the_interface_language():
    assert rules.language_name("bg") == "Bulgaars"
    assert rules.language_name("bg", locale="en") == "Bulgarian"
    assert rules.language_name("zz") == "zz"
