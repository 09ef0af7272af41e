"""Import at scale: a generated history of N participants (one trajectory each: intake, start, a phase
change and an ending) imported by the demo's director; rows per second and the process's peak memory. Prints
figures; not a test.

Usage (from the repository root, after `make install`):
    DOORSTROOM_SQLITE_PATH=var/bench-import.sqlite3 .venv/bin/python benchmarks/import_at_scale.py --participants 2000
or with DATABASE_URL=postgres://... for PostgreSQL. Needs the demo accounts (generates a small region
when the database is empty).
"""

import argparse
import json
import os
import platform
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DOORSTROOM_DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from doorstroom.core import clock  # noqa: E402
from doorstroom.demo import generator  # noqa: E402
from doorstroom.imports import services  # noqa: E402
from doorstroom.organisations.models import User  # noqa: E402
from doorstroom.participants.models import Participant  # noqa: E402


def files(people: int, run: str) -> list[tuple[str, bytes]]:
    lines = {
        "deelnemers": ["extern_id;gemeente;voornaam;achternaam;geboortedatum;inburgeringsplichtig"],
        "trajecten": ["extern_id;deelnemer;programma;aangemeld_op"],
        "gebeurtenissen": ["traject;datum;gebeurtenis;reden;resultaten"],
    }
    start = date(2021, 1, 4)
    for n in range(people):
        referred = start + timedelta(days=n % 500)
        born = date(1960, 1, 1) + timedelta(days=(n * 37) % 14_600)  # spread over 40 years, as people are
        lines["deelnemers"].append(f"B{run}-{n};Gemeente Enschede;Bench{n};Import{run};{born:%d-%m-%Y};ja")
        lines["trajecten"].append(f"BT{run}-{n};B{run}-{n};dordrecht-participatie;{referred:%d-%m-%Y}")
        lines["gebeurtenissen"] += [
            f"BT{run}-{n};{referred + timedelta(days=10)};intake;;",
            f"BT{run}-{n};{referred + timedelta(days=20)};gestart;;",
            f"BT{run}-{n};{referred + timedelta(days=80)};fase_gewijzigd;;",
            f"BT{run}-{n};{referred + timedelta(days=200)};"
            + ("afgerond;;stage" if n % 3 else "uitgevallen;verhuizing;"),
        ]
    return [(f"{name}.csv", ("\n".join(rows) + "\n").encode()) for name, rows in lines.items()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--no-again", action="store_true", help="skip importing the same files a second time")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="regisseur").exists():
        generator.generate(participants=200, seed=2026, today=clock.today())
    director = User.objects.get(username="regisseur")
    data = files(args.participants, str(int(time.time())))
    rows = sum(d.count(b"\n") - 1 for _n, d in data)
    events = data[2][1].count(b"\n") - 1
    before = Participant.objects.count()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()  # not under tracemalloc: it slows Python down two to three times
    outcome = services.import_files(user=director, files=data, write=True, max_bytes=10**9)
    seconds = time.perf_counter() - started
    assert outcome.problems == [], outcome.problems[:5]
    assert Participant.objects.count() == before + args.participants
    reimport = None
    if not args.no_again:
        started = time.perf_counter()
        again = services.import_files(user=director, files=data, write=True, max_bytes=10**9)
        reimport = round(time.perf_counter() - started, 1)
        assert not again.written
    result = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": connection.vendor,
        "participants": args.participants,
        "rows": rows,
        "event_rows": events,
        "import_seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "event_rows_per_second": round(events / seconds),
        "reimport_seconds": reimport,
        "max_rss_before_mib": round(rss_before / 1024),
        "max_rss_after_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result, indent=2))
    (Path(__file__).parent / "import-results.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
