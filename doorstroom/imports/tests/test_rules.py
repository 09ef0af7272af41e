"""Rows packed for the import's staging (rules.pack, rules.unpack)."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from doorstroom.imports.rules import pack, unpack

#: every kind of value a parsed cell or a check's note can hold
cell_values = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-100_000, max_value=100_000),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.lists(st.text(alphabet="abcdefghij_", min_size=1, max_size=8), max_size=4),
)


@given(st.dictionaries(st.text(min_size=1, max_size=12), cell_values, max_size=15))
def test_values_come_back_unpacked_as_they_were_packed(values: dict) -> None:
    back = unpack(pack(values))
    assert back == values
    assert list(back) == list(values)  # the order of the columns too
    assert [type(v) for v in back.values()] == [type(v) for v in values.values()]
