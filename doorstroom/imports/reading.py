"""Reading import files into rows: CSV in UTF-8 (with or without BOM) or Windows-1252, semicolon,
comma or tab; Excel workbooks with one table per sheet. Nothing here touches the database.

What cannot be read becomes a `Problem` naming file, row and column; the caller writes nothing
while there is any.
"""

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from xml.etree.ElementTree import ParseError  # noqa: S405 - only its exception type

from doorstroom.core.messages import _

from .rules import (
    MAX_CELL,
    MAX_ROWS,
    TABLES,
    Column,
    Problem,
    Row,
    Table,
    formula_problem,
    header_problems,
    normalised_header,
    parse_cell,
    table_for,
)
from .staging import Staging

DELIMITERS = (";", ",", "\t")
#: A lead byte followed by continuation bytes: how UTF-8 writes a non-ASCII character.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
#: A line with its ending (\r\n, \r or \n, as a file opened with newline="" gives them), or the last line.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass
class ReadTable:
    """One table as read from a file or a sheet (its rows went to the import's staging)."""

    file: str
    table: Table
    rows: int = 0


@dataclass
class Reading:
    #: where the rows go as they are read (none is kept in memory)
    staging: Staging
    tables: list[ReadTable] = field(default_factory=list)
    #: what stops the files being read as tables (the checks across rows wait until these are solved)
    problems: list[Problem] = field(default_factory=list)
    #: cells that do not hold a value of their column's kind (reported with the checks across rows)
    value_problems: list[Problem] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)


def read_files(files: list[tuple[str, bytes]], *, max_bytes: int, staging: Staging) -> Reading:
    """Read every file into `staging`; a problem in one file does not stop the others being read
    (all problems are reported together, and then nothing staged is used)."""
    reading = Reading(staging=staging)
    if not files:
        reading.problems.append(Problem("", 0, "", _("Kies ten minste één bestand.")))
    for name, data in files:
        file = PurePath(name).name or "bestand"
        if len(data) > max_bytes:
            reading.problems.append(
                Problem(
                    file,
                    0,
                    "",
                    _(
                        "Het bestand is %(size)s MB; ten hoogste %(max)s MB kan in één keer. Splits het, "
                        "bijvoorbeeld per jaar van aanmelding.",
                        size=round(len(data) / 1_048_576, 1),
                        max=max_bytes // 1_048_576,
                    ),
                )
            )
            continue
        if not data.strip():
            reading.problems.append(Problem(file, 0, "", _("Het bestand is leeg.")))
            continue
        if data[:4] == b"PK\x03\x04":
            _read_workbook(file, data, reading)
        elif file.lower().endswith((".xlsx", ".xlsm", ".xls")):
            reading.problems.append(
                Problem(file, 0, "", _("Dit is geen Excel-bestand (.xlsx). Sla het op als .xlsx of als CSV."))
            )
        else:
            _read_csv(file, data, reading)
    seen: dict[str, str] = {}
    for read in reading.tables:
        earlier = seen.get(read.table.name)
        if earlier is not None:
            reading.problems.append(
                Problem(
                    read.file,
                    0,
                    "",
                    _(
                        "De tabel %(table)s staat ook al in %(other)s; lever elke tabel één keer aan.",
                        table=read.table.name,
                        other=earlier,
                    ),
                )
            )
        seen[read.table.name] = read.file
    return reading


def decoded(file: str, data: bytes) -> tuple[str, str] | Problem:
    """The text of a CSV file and the encoding it was in. UTF-8 (a BOM is dropped), else
    Windows-1252; a file that mixes both is refused at the first line that does not fit."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    else:
        bom = False
    try:
        return data.decode("utf-8"), "utf-8-bom" if bom else "utf-8"
    except UnicodeDecodeError as wrong:
        line = data[: wrong.start].count(b"\n") + 1
        if bom or _UTF8_SEQUENCE.search(data[: wrong.start]) or _UTF8_SEQUENCE.search(data[wrong.end :]):
            return Problem(
                file,
                line,
                "",
                _(
                    "Het bestand mengt tekensets (UTF-8 en een andere) vanaf deze rij. Sla het opnieuw "
                    "op als CSV UTF-8."
                ),
            )
    undefined = next((i for i, byte in enumerate(data) if byte in _CP1252_UNDEFINED), None)
    if undefined is not None:
        return Problem(
            file,
            data[:undefined].count(b"\n") + 1,
            "",
            _("Het bestand bevat tekens die niet in UTF-8 of Windows-1252 staan. Sla het op als CSV UTF-8."),
        )
    return data.decode("cp1252"), "windows-1252"


def _delimiter(first_line: str) -> str:
    """The separator that splits the header into the most known column names (semicolon wins a
    tie, as Dutch Excel writes it)."""

    def known(delimiter: str) -> int:
        cells = normalised_header(next(csv.reader([first_line], delimiter=delimiter), []))
        return sum(1 for name in cells if table_for("", [name]) is not None or _any_column(name))

    return max(DELIMITERS, key=lambda d: (known(d), d == ";"))


def _any_column(name: str) -> bool:
    return any(name in t.names for t in TABLES.values())


def _read_csv(file: str, data: bytes, reading: Reading) -> None:
    text = decoded(file, data)
    if isinstance(text, Problem):
        reading.problems.append(text)
        return
    content, encoding = text
    del text
    reading.encodings[file] = encoding
    end = content.find("\n")
    first_line = (content if end < 0 else content[:end]).rstrip("\r")
    delimiter = _delimiter(first_line)
    # line by line from the text itself (a StringIO would copy it at four bytes a character); each
    # row is read, checked and staged in turn
    reader = csv.reader((line.group() for line in _LINE.finditer(content)), delimiter=delimiter, strict=True)
    try:
        _take_rows(file, PurePath(file).stem, enumerate(reader, start=1), reading)  # as a spreadsheet numbers them
    except csv.Error as broken:
        reading.problems.append(
            Problem(file, reader.line_num, "", _("Deze rij is geen geldige CSV (%(why)s).", why=str(broken)))
        )


def _read_workbook(file: str, data: bytes, reading: Reading) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        reading.problems.append(Problem(file, 0, "", _("Dit Excel-bestand kan niet gelezen worden.")))
        return
    reading.encodings[file] = "xlsx"
    try:
        _read_sheets(file, workbook, reading)
    except (ParseError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        reading.problems.append(Problem(file, 0, "", _("Dit Excel-bestand kan niet gelezen worden.")))
    finally:
        workbook.close()


def _read_sheets(file: str, workbook: Any, reading: Reading) -> None:
    """Every sheet with a header as a table (a broken sheet's XML raises: the caller reports it)."""
    for sheet in workbook.worksheets:
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        first = next(rows, None)
        if first is None or not any(c not in (None, "") for c in first[1]):
            continue  # an empty sheet (a title page, a note) is not a table
        _take_rows(f"{file} [{sheet.title}]", sheet.title, itertools.chain([first], rows), reading)


def _take_rows(file: str, stem: str, rows: Iterator[tuple[int, Sequence[Any]]], reading: Reading) -> None:
    """The rows of one file or sheet as a table, read one at a time: each row's cells are checked and
    parsed into values, then the row goes to the staging (a file that breaks halfway leaves a problem
    in `reading.problems`, and with any such problem the import uses nothing staged)."""
    filled = ((n, cells) for n, cells in rows if any(str(c).strip() for c in cells if c is not None))
    first = next(filled, None)
    if first is None:
        reading.problems.append(Problem(file, 0, "", _("Het bestand is leeg.")))
        return
    header = normalised_header(first[1])
    while header and not header[-1]:
        header.pop()
    table = table_for(stem, header)
    if table is None:
        reading.problems.append(
            Problem(
                file,
                1,
                "",
                _(
                    "Niet duidelijk welke tabel dit is. Noem het bestand deelnemers, trajecten, "
                    "gebeurtenissen, metingen of contacten, en gebruik puntkomma of komma als "
                    "scheidingsteken."
                ),
            )
        )
        return
    if len(header) == 1 and len(table.columns) > 1:
        reading.problems.append(
            Problem(
                file,
                1,
                "",
                _("De kopregel heeft maar één kolom. Gebruik een puntkomma of komma als scheidingsteken."),
            )
        )
        return
    problems = header_problems(table, header, file)
    if problems:
        reading.problems.extend(problems)
        return
    read = ReadTable(file, table)
    place = {name: i for i, name in enumerate(header)}
    columns: list[tuple[Column, int | None]] = [(column, place.get(column.name)) for column in table.columns]
    for count, (number, cells) in enumerate(filled, start=1):
        if count > MAX_ROWS:  # the one problem this file then has
            reading.problems[:] = [p for p in reading.problems if p.file != file]
            reading.value_problems[:] = [p for p in reading.value_problems if p.file != file]
            too_many = _("Meer dan %(max)s rijen; splits het bestand.", max=MAX_ROWS)
            reading.problems.append(Problem(file, 0, "", too_many))
            return
        extra = [c for c in cells[len(header) :] if c not in (None, "")]
        if extra:
            reading.problems.append(
                Problem(file, number, "", _("Deze rij heeft meer cellen dan de kopregel kolommen heeft."))
            )
            continue
        row = Row(file, number)
        for i, name in enumerate(header):
            value = cells[i] if i < len(cells) else None
            if isinstance(value, str) and len(value) > MAX_CELL:
                reading.problems.append(row.problem(name, _("Deze cel is te lang.")))
            problem = formula_problem(value)
            if problem:
                reading.problems.append(row.problem(name, problem))
        values = row.values
        for column, at in columns:
            value, problem = parse_cell(column, cells[at] if at is not None and at < len(cells) else None)
            if problem:
                reading.value_problems.append(row.problem(column.name, problem))
            values[column.name] = value
        reading.staging.add(table.name, row)
        read.rows += 1
    reading.tables.append(read)
