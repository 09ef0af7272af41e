"""The import's staging: rows go to disk as they are read, unreadable there, and come back per group
of participants (imports.staging)."""

import os
import tempfile
from datetime import date
from pathlib import Path

from doorstroom.imports import reading, staging


def read(*files: tuple[str, str]) -> tuple[reading.Reading, staging.Staging]:
    stage = staging.Staging()
    return reading.read_files([(n, t.encode()) for n, t in files], max_bytes=10**7, staging=stage), stage


PEOPLE = (
    "deelnemers.csv",
    "extern_id;gemeente;voornaam;achternaam;geboortedatum\n"
    "P-GEHEIM-1;Gemeente X;Wilhelmina;Zwanenburg;01-02-1980\n"
    "P-GEHEIM-2;Gemeente X;Anton;Kwakernaak;03-04-1975\n",
)
ROUTES = (
    "trajecten.csv",
    "extern_id;deelnemer;programma;aangemeld_op\nT-1;P-GEHEIM-2;p;01-01-2024\nT-2;P-GEHEIM-1;p;01-02-2024\n",
)
EVENTS = ("gebeurtenissen.csv", "traject;datum;gebeurtenis\nT-2;05-02-2024;intake\nT-9;06-02-2024;intake\n")
SCORES = (
    "metingen.csv",
    "extern_id;deelnemer;instrument;moment;datum;onderdeel;waarde\n"
    "M-1;P-GEHEIM-1;cefr;start;01-03-2024;lezen;A2\nM-1;P-GEHEIM-2;cefr;start;01-03-2024;luisteren;A1\n",
)


def test_a_large_file_is_read_to_disk_and_comes_back_in_order() -> None:
    lines = ["traject;datum;gebeurtenis;reden"] + [f"T{n};{1 + n % 28}-3-2024;gestart;" for n in range(2000)]
    routes = ["extern_id;deelnemer;programma;aangemeld_op"] + [f"T{n};P{n % 7};p;01-01-2024" for n in range(2000)]
    result, stage = read(("gebeurtenissen.csv", "\n".join(lines)), ("trajecten.csv", "\n".join(routes)))
    with stage:
        assert result.problems == [] and result.value_problems == []
        assert [t.rows for t in result.tables] == [2000, 2000]  # counted, not kept
        stage.settle(lambda trajects: {})
        assert stage.participants() == [f"P{n}" for n in range(7)]
        rows = stage.window(["P3"])
        assert [(r.number, r.values["traject"], r.values["datum"]) for r in rows["gebeurtenissen"]] == [
            (n + 2, f"T{n}", date(2024, 3, 1 + n % 28)) for n in range(3, 2000, 7)
        ]
        assert len(rows["trajecten"]) == len(rows["gebeurtenissen"])


def test_nothing_on_disk_can_be_read_without_the_process() -> None:
    result, stage = read(PEOPLE, ROUTES)
    with stage:
        assert result.problems == []
        stage.settle(lambda trajects: {})
        on_disk = b"".join(p.read_bytes() for p in stage.folder.iterdir())
        assert on_disk  # the rows are there
        for secret in ("Zwanenburg", "Wilhelmina", "Kwakernaak", "P-GEHEIM-1", "T-1", "1980"):
            assert secret.encode() not in on_disk, secret
        back = stage.window(["P-GEHEIM-1"])
        assert back["deelnemers"][0].values["achternaam"] == "Zwanenburg"  # the process can
        folder = stage.folder
    assert not folder.exists()  # gone with the import


def test_each_row_goes_with_its_participant() -> None:
    result, stage = read(PEOPLE, ROUTES, EVENTS, SCORES)
    with stage:
        assert result.problems == []
        asked: list[list[str]] = []

        def known_before(trajects: list[str]) -> dict[str, str]:
            asked.append(trajects)
            return {"T-9": "P-ELDERS"}

        stage.settle(known_before)
        assert asked == [["T-9"]]  # only the traject not in the files is asked about
        # in the order of each participant's first row: file names sorted, then row numbers
        assert stage.participants() == ["P-GEHEIM-1", "P-GEHEIM-2", "P-ELDERS"]
        first = stage.window(["P-GEHEIM-1"])
        assert [r.values["traject"] for r in first["gebeurtenissen"]] == ["T-2"]  # through its traject
        # a measurement stays whole, with its first row's participant (the check then names the other row)
        assert [r.values["deelnemer"] for r in first["metingen"]] == ["P-GEHEIM-1", "P-GEHEIM-2"]
        assert "metingen" not in stage.window(["P-GEHEIM-2"])
        assert [r.values["traject"] for r in stage.window(["P-ELDERS"])["gebeurtenissen"]] == ["T-9"]
        assert stage.ownerless() == {}
        assert stage.holds("trajecten", "T-1") and not stage.holds("trajecten", "T-9")


def test_an_event_of_an_unknown_traject_is_kept_apart_and_duplicates_are_found() -> None:
    twice = (
        "contacten.csv",
        "extern_id;deelnemer;datum;soort\nC-1;P-GEHEIM-1;01-03-2024;gesprek\nC-1;P-GEHEIM-2;02-03-2024;gesprek\n",
    )
    result, stage = read(PEOPLE, ROUTES, EVENTS, twice)
    with stage:
        assert result.problems == []
        stage.settle(lambda trajects: {})
        assert [r.values["traject"] for r in stage.ownerless()["gebeurtenissen"]] == ["T-9"]
        assert list(stage.duplicates("contacten")) == [("contacten.csv", 3, 2)]
        assert list(stage.duplicates("deelnemers")) == []


def test_folders_of_imports_that_no_longer_run_are_cleared() -> None:
    gone = 2**22 + 12345  # above Linux's default pid_max: no such process
    left = Path(tempfile.gettempdir()) / f"doorstroom-import-{gone}-x"
    left.mkdir(exist_ok=True)
    mine = Path(tempfile.mkdtemp(prefix=f"doorstroom-import-{os.getpid()}-"))
    try:
        with staging.Staging():
            assert not left.exists()
            assert mine.exists()  # this process's own folder is not touched
    finally:
        mine.rmdir()
