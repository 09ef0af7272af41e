"""The import formats as plain data, and how one cell's text becomes a value (no Django).

A file is one table (its name or its header says which); an Excel workbook holds one table per
sheet. docs/import.md describes the same columns for people who fill the files.
"""

import marshal
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from doorstroom.core.messages import _

#: Larger files go through the command line in parts; the web upload takes small ones.
MAX_BYTES = 40 * 1024 * 1024
MAX_BYTES_WEB = 5 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELL = 4000

#: Excel counts days from 30 December 1899 (with its leap-year quirk folded in).
EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text | date | int | bool | list
    required: bool = False
    max_length: int = 200


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "deelnemers",
            (
                Column("extern_id", required=True, max_length=60),
                Column("gemeente", required=True),
                Column("bsn", max_length=20),
                Column("voornaam", required=True, max_length=100),
                Column("tussenvoegsel", max_length=30),
                Column("achternaam", required=True, max_length=150),
                Column("geboortedatum", "date", required=True),
                Column("verblijfsstatus", max_length=30),
                Column("uitkering", max_length=30),
                Column("inburgeringsplichtig", "bool"),
                Column("talen", "list", max_length=100),
                Column("email", max_length=254),
                Column("telefoon", max_length=30),
                Column("regisseur", max_length=150),
            ),
            key=("extern_id",),
        ),
        Table(
            "trajecten",
            (
                Column("extern_id", required=True, max_length=60),
                Column("deelnemer", required=True, max_length=60),
                Column("programma", required=True, max_length=60),
                Column("aangemeld_op", "date", required=True),
                Column("aangemeld_door"),
                Column("doelgroep", max_length=120),
                Column("kenmerken", "list", max_length=300),
            ),
            key=("extern_id",),
        ),
        Table(
            "gebeurtenissen",
            (
                Column("traject", required=True, max_length=60),
                Column("datum", "date", required=True),
                Column("gebeurtenis", required=True, max_length=30),
                Column("fase", max_length=120),
                Column("reden", max_length=30),
                Column("resultaten", "list", max_length=300),
                Column("naar_programma", max_length=60),
                Column("naar_traject", max_length=60),
                Column("notitie", max_length=2000),
            ),
            key=("traject",),
        ),
        Table(
            "metingen",
            (
                Column("extern_id", required=True, max_length=60),
                Column("deelnemer", required=True, max_length=60),
                Column("instrument", required=True, max_length=40),
                Column("moment", required=True, max_length=20),
                Column("datum", "date", required=True),
                Column("onderdeel", required=True, max_length=40),
                Column("waarde", max_length=20),
                Column("bron", max_length=30),
            ),
            key=("extern_id",),
        ),
        Table(
            "contacten",
            (
                Column("extern_id", required=True, max_length=60),
                Column("deelnemer", required=True, max_length=60),
                Column("datum", "date", required=True),
                Column("soort", required=True, max_length=20),
                Column("stand", max_length=10),
                Column("aanwezigheid", max_length=20),
                Column("minuten", "int"),
                Column("notitie", max_length=4000),
            ),
            key=("extern_id",),
        ),
    )
}

#: The order in which tables are taken: who before what happened to them.
ORDER = ("deelnemers", "trajecten", "gebeurtenissen", "metingen", "contacten")

#: The lifecycle steps a file may name (the referral is the enrollment row itself).
EVENT_NAMES = (
    "intake",
    "gestart",
    "fase_gewijzigd",
    "gepauzeerd",
    "hervat",
    "uitgevallen",
    "niet_gestart",
    "afgerond",
    "overgedragen",
    "administratief_afgesloten",
)

MOMENT_NAMES = {"nulmeting": "nulmeting", "vervolgmeting": "vervolgmeting", "eindmeting": "eindmeting"}

TRUE_WORDS = {"ja", "j", "1", "waar", "true", "yes", "x"}
FALSE_WORDS = {"nee", "n", "0", "onwaar", "false", "no", ""}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the files, where a person can find it: file, row (as a spreadsheet
    numbers it, the header being row 1), column, and what is wrong in words."""

    file: str
    row: int
    column: str
    message: str

    def line(self) -> str:
        where = self.file
        if self.row:
            where += f", rij {self.row}"
        if self.column:
            where += f", kolom {self.column}"
        return f"{where}: {self.message}"


class Row:
    """One row of a file: its place and its values by column name (parsed from the cells as read).
    Rows live in the import's staging on disk (`staging`) and are made again for the group of
    participants being checked or written."""

    __slots__ = ("file", "number", "values")

    def __init__(self, file: str, number: int, values: dict[str, Any] | None = None) -> None:
        self.file = file
        self.number = number
        self.values: dict[str, Any] = values if values is not None else {}

    def note(self, name: str, value: Any) -> None:
        """A check's note on the row (`_score`, `_target_of`)."""
        self.values[name] = value

    def problem(self, column: str, message: str) -> Problem:
        return Problem(self.file, self.number, column, message)


#: the key names of packed rows, each tuple once (a file has a handful of layouts)
_LAYOUTS: dict[tuple[str, ...], int] = {}
_LAYOUT_KEYS: list[tuple[str, ...]] = []
_NEW_LAYOUT = threading.Lock()


def pack(values: dict[str, Any]) -> bytes:
    """Values (text, whole numbers, yes/no, lists of codes, dates, None) as bytes; a date becomes a
    one-element tuple of its day number, which no parsed cell is."""
    keys = tuple(values)
    layout = _LAYOUTS.get(keys)
    if layout is None:
        with _NEW_LAYOUT:
            layout = _LAYOUTS.get(keys)
            if layout is None:
                _LAYOUT_KEYS.append(keys)
                layout = _LAYOUTS[keys] = len(_LAYOUT_KEYS) - 1
    return marshal.dumps((layout, tuple((v.toordinal(),) if type(v) is date else v for v in values.values())))


def unpack(packed: bytes) -> dict[str, Any]:
    if not packed:
        return {}
    layout, values = marshal.loads(packed)  # noqa: S302 (bytes this process packed itself)  # nosec B302
    return {
        k: date.fromordinal(v[0]) if type(v) is tuple else v for k, v in zip(_LAYOUT_KEYS[layout], values, strict=True)
    }


def table_for(stem: str, header: Sequence[str]) -> Table | None:
    """The table a file holds: by its name (deelnemers.csv, a sheet called Trajecten), or else by
    the header that matches every required column of exactly one table."""
    name = re.sub(r"[^a-z]", "", stem.lower())
    for table in TABLES.values():
        if name == table.name or name.startswith(table.name):
            return table
    wanted = {h for h in header if h}
    fitting = [t for t in TABLES.values() if {c.name for c in t.columns if c.required} <= wanted]
    return fitting[0] if len(fitting) == 1 else None


def normalised_header(cells: Sequence[Any]) -> list[str]:
    """Header cells as column names: lower case, spaces and hyphens as underscores."""
    return [re.sub(r"[\s\-]+", "_", str(c or "").strip().lower()) for c in cells]


def header_problems(table: Table, header: Sequence[str], file: str) -> list[Problem]:
    problems = [
        Problem(
            file,
            1,
            name,
            _(
                "Onbekende kolom '%(name)s' in kolom %(index)s. Toegestaan zijn: %(allowed)s.",
                name=name,
                index=index,
                allowed=", ".join(table.names),
            ),
        )
        for index, name in enumerate(header, start=1)
        if name and name not in table.names
    ]
    seen = set()
    for name in header:
        if name and name in seen:
            problems.append(Problem(file, 1, name, _("Deze kolom staat twee keer in de kopregel.")))
        seen.add(name)
    problems += [
        Problem(file, 1, column.name, _("Deze kolom ontbreekt in de kopregel."))
        for column in table.columns
        if column.required and column.name not in header
    ]
    return problems


def parse_date(value: Any) -> date | None:
    """A date as people and spreadsheets write it: 2024-03-01, 1-3-2024, 01/03/2024, a date typed
    by Excel, or Excel's day number (45352). None when it is not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_day(value)
    text = str(value).strip()
    if re.fullmatch(r"\d{4,5}(\.0+)?", text):
        return _excel_day(float(text))
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        parsed = date(year, month, day)
    except ValueError:
        return None
    return parsed if parsed >= EARLIEST else None


def _excel_day(number: float) -> date | None:
    if number != int(number) or not 1 <= number <= 2958465:
        return None
    parsed = EXCEL_EPOCH + timedelta(days=int(number))
    return parsed if parsed >= EARLIEST else None


def parse_cell(column: Column, value: Any) -> tuple[Any, str | None]:
    """The cell's value for its column, or the reason it cannot be read."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if column.required:
            return None, _("Vul deze kolom in.")
        return ([] if column.kind == "list" else None if column.kind != "text" else ""), None
    if column.kind == "date":
        parsed = parse_date(value)
        if parsed is None:
            return None, _("'%(value)s' is geen datum; schrijf bijvoorbeeld 31-12-2024.", value=_short(value))
        return parsed, None
    if column.kind == "int":
        if isinstance(value, bool):
            return None, _("Vul een geheel getal in.")
        if isinstance(value, int | float):
            number = value
        else:
            text = str(value).strip().replace(",", ".")
            try:
                number = float(text)
            except ValueError:
                return None, _("'%(value)s' is geen geheel getal.", value=_short(value))
        if number != int(number) or abs(number) > 100_000:
            return None, _("'%(value)s' is geen geheel getal.", value=_short(value))
        return int(number), None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id or a code Excel stored as a number
    text = str(value).strip()
    if len(text) > column.max_length:
        return None, _("Deze waarde is te lang: ten hoogste %(max)s tekens.", max=column.max_length)
    if column.kind == "bool":
        word = text.lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, _("Vul ja of nee in.")
    if column.kind == "list":
        return [part for part in re.split(r"[\s,|+]+", text.lower()) if part], None
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        return None, _("Deze waarde bevat tekens die niet in tekst horen.")
    return text, None


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:27] + "…"


def formula_problem(value: Any) -> str | None:
    """A cell a spreadsheet would run as a formula is refused, never imported as text."""
    if isinstance(value, str) and value[:1] == "=" and len(value) > 1:
        return _("Deze cel bevat een formule; zet er de waarde in.")
    return None
