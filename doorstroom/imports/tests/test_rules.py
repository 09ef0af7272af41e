"""Rows kept packed while an import checks and writes them (rules.Row, rules.Unpacked)."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from doorstroom.imports import reading
from doorstroom.imports.rules import Row, Unpacked, pack, unpack

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


def test_no_more_rows_are_open_than_there_is_room_for() -> None:
    unpacked = Unpacked(room=3)
    rows = [unpacked.keep(Row("f.csv", n, {"n": n, "datum": date(2024, 1, n)})) for n in range(1, 11)]
    assert sum(row._values is not None for row in rows) == 3
    assert [row.values["n"] for row in rows] == list(range(1, 11))  # each opened again in turn
    assert sum(row._values is not None for row in rows) == 3
    assert rows[0].values["datum"] == date(2024, 1, 1)


def test_a_note_on_a_sealed_row_survives_packing() -> None:
    unpacked = Unpacked(room=1)
    first, second = (unpacked.keep(Row("f.csv", n, {"n": n})) for n in (1, 2))
    first.seal()
    second.seal()
    first.note("_score", 7)
    second.note("_score", 8)  # opening `second` packs `first`, which keeps its note
    assert first._values is None
    assert (first.values["_score"], second.values["_score"]) == (7, 8)
    assert first.values == {"n": 1, "_score": 7}


def test_an_unsealed_row_keeps_any_change_when_packed() -> None:
    unpacked = Unpacked(room=1)
    first, second = (unpacked.keep(Row("f.csv", n, {"n": n})) for n in (1, 2))
    first.values["n"] = 10
    second.values["n"] = 20
    assert first._values is None
    assert (first.values["n"], second.values["n"]) == (10, 20)


def test_a_large_file_is_read_with_only_room_for_a_few_rows_open() -> None:
    lines = ["traject;datum;gebeurtenis;reden"] + [f"T{n};{1 + n % 28}-3-2024;gestart;" for n in range(2000)]
    read = reading.read_files([("gebeurtenissen.csv", "\n".join(lines).encode())], max_bytes=10**7, room=10)
    assert read.problems == [] and read.value_problems == []
    rows = read.tables[0].rows
    assert len(rows) == 2000
    assert sum(row._values is not None for row in rows) == 0  # each packed once read
    assert [(r.number, r.values["traject"], r.values["datum"]) for r in rows] == [
        (n + 2, f"T{n}", date(2024, 3, 1 + n % 28)) for n in range(2000)
    ]
    assert sum(row._values is not None for row in rows) <= 10
