"""The assurance report: tests count what they checked; the session prints the figures, writes
reports/assurance-<database>.json (the fuzzing lane of `make test`: assurance-<database>-fuzz.json)
and fails when a count is below its floor or a loss counter is not zero.

Floors are enforced when DOORSTROOM_ASSURANCE_FLOORS=1 (set by `make test`, which runs everything);
a partial run (one file, -k) only prints what it counted.
"""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

#: figure -> minimum (see shared/docs/assurance.md)
FLOORS = {
    "A1 access decision cases": 5000,
    "A2 decision = queryset pairs": 2000,
    "A3 id-bearing routes swept": 10,
    "C5 lifecycle sequences replayed": 500,
    "B4 tampered chains detected": 1000,
    "B4 database refusals": 7,
    "B4 cut tails and wiped logs detected": 2,
    "B4 lanes passed without waiting": 1,
    "H1 retention boundary cases": 500,
    "C1 corpus inputs": 300,
    "C1 attempts": 900,
    "C4 generated requests": 5000,
    "A5 leak checks": 200,
    "A4 HTTP cases": 300,
    "A4 cases answered allowed": 30,
    "A4 cases answered 403": 30,
    "A4 cases answered 404": 30,
    "B1 personal-data endpoints audited": 39,
    "B5 failed writes with their audit row kept": 4,
    "H3 write endpoints refused": 20,
    "H4 erasures checked": 1,
    "C5 BSN examples": 10_000,
    "E4 migrations reversed and reapplied": 3,
    "A9 markers planted": 45,
    "A9 readers": 18,
    "A9 responses swept": 1800,
    "A9 responses with an allowed marker found": 1200,
    "A4 content comparisons": 40,
    "C6 API answers checked against the schema": 500,
    "A5 hidden cells attacked": 1000,
    "A5 changes since last month checked": 200,
    "A5 hidden cells attacked with last month's figure": 200,
    "A5 small counts attacked with both months and growth": 1000,
    "F1 generated files": 200,
    "F1 valid files imported exactly": 40,
    "F2 kills": 10,
    "F3 terminations": 5,
    "F4 recoveries without a restart": 1,
    "F5 interleavings": 200,
    "F6 idempotency cases": 50,
    "F6 POST operations covered": 9,
    "F7 tables compared": 40,
    "F7 restore drills": 1,
    "F7 SQLite backups under writes": 1,
}
#: figures produced only by the `fuzz` and `generated` suites, which run once per `make test` (on PostgreSQL)
FUZZ_FIGURES = {"C4 generated requests"}
GENERATED_FIGURES = {
    "A9 markers planted",
    "A9 readers",
    "A9 responses swept",
    "A9 responses with an allowed marker found",
    "A4 content comparisons",
    "A5 hidden cells attacked",
    "A5 changes since last month checked",
    "A5 hidden cells attacked with last month's figure",
    "A5 small counts attacked with both months and growth",
    "F1 generated files",
    "F1 valid files imported exactly",
    "F2 kills",
    "F5 interleavings",
}
#: figures only PostgreSQL can produce (a second process killing the first needs a shared server)
POSTGRES_FIGURES = {"F2 kills", "F3 terminations", "F7 restore drills", "B4 lanes passed without waiting"}
#: figures only the SQLite run produces (its own backup API)
SQLITE_FIGURES = {"F4 recoveries without a restart", "F7 SQLite backups under writes"}
#: figures that must stay zero
ZERO = (
    "A1 mismatches",
    "A2 differences",
    "A3 leaks",
    "B3 responses with data while audit failed",
    "B6 sensitive values in audit",
    "B7 audit page mismatches",
    "D3 pages reachable without the second factor",
    "D5 header violations",
    "H1 wrong listings",
    "H1 orphan rows after purge",
    "H2 models missing",
    "C1 server errors",
    "C1 partial writes",
    "C1 rejections without a field",
    "C2 script executions",
    "C4 server errors",
    "H4 remaining hits",
    "A5 leaks",
    "A4 disagreements",
    "H5 recipients mismatches",
    "B1 rows missing fields",
    "E4 tables with lost rows",
    "A9 leaks",
    "A9 misses",
    "A4 content disagreements",
    "C6 API answers not matching the schema",
    "A5 hidden cells recovered",
    "F1 partial commits",
    "F1 errors not naming row and column",
    "F1 duplicates on re-import",
    "F2 partial imports",
    "F2 audit chain breaks",
    "F2 stored state differing from replay",
    "F3 server errors",
    "F3 partial writes",
    "F4 partial writes",
    "F5 lost updates",
    "F7 table mismatches",
    "F6 replays differing",
    "F6 doubled records",
)


class Figures:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] += amount


FIGURES = Figures()


@pytest.fixture(scope="session")
def assurance() -> Figures:
    return FIGURES


def _database() -> str:
    return os.environ.get("DATABASE_URL", "sqlite").split(":")[0]


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    if not FIGURES.counts:
        return
    problems = []
    enforce = os.environ.get("DOORSTROOM_ASSURANCE_FLOORS") == "1"
    markexpr = (session.config.option.markexpr or "").strip()
    fuzz_deselected = "not fuzz" in markexpr
    generated_deselected = "not generated" in markexpr
    only_fuzz = markexpr == "fuzz"  # `make test` runs the fuzzing in a lane of its own
    for name, floor in FLOORS.items():
        if (fuzz_deselected and name in FUZZ_FIGURES) or (generated_deselected and name in GENERATED_FIGURES):
            continue
        if only_fuzz and name not in FUZZ_FIGURES:
            continue
        if name in POSTGRES_FIGURES and _database() != "postgres":
            continue
        if name in SQLITE_FIGURES and _database() != "sqlite":
            continue
        if enforce and FIGURES.counts.get(name, 0) < floor:
            problems.append(f"{name}: {FIGURES.counts.get(name, 0):,} < {floor:,}")
    problems += [f"{name}: {FIGURES.counts[name]:,}" for name in ZERO if FIGURES.counts.get(name)]
    session.config._assurance_problems = problems  # noqa: SLF001
    report = Path(session.config.rootpath) / "reports" / f"assurance-{_database()}{'-fuzz' if only_fuzz else ''}.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps({"figures": dict(FIGURES.counts), "floors": FLOORS, "problems": problems}, indent=2))
    if problems and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if not FIGURES.counts:
        return
    terminalreporter.section(f"assurance figures ({_database()})")
    for name in sorted(set(FLOORS) | set(ZERO) | set(FIGURES.counts)):
        note = f"(floor {FLOORS[name]:,})" if name in FLOORS else "(must be 0)" if name in ZERO else ""
        terminalreporter.write_line(f"  {name:<40} {FIGURES.counts.get(name, 0):>10,} {note}")
    problems = getattr(config, "_assurance_problems", [])
    if problems:
        terminalreporter.write_line("ASSURANCE FAILED: " + "; ".join(problems), red=True)
