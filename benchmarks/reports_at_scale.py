"""Reports at scale: one programme's report, the overview of all programmes, and their query counts,
computed as the demo's director and project leader. Prints figures; not a test.

Usage (from the repository root, after `make install`):
    DOORSTROOM_SQLITE_PATH=var/bench-reports.sqlite3 .venv/bin/python benchmarks/reports_at_scale.py --participants 5000
or with DATABASE_URL=postgres://... for PostgreSQL. Generates the region first when the database is empty.
"""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from pages_at_scale import prepare  # noqa: E402  (sets up Django)

from doorstroom.enrollments.models import Enrollment  # noqa: E402
from doorstroom.monitoring import services  # noqa: E402
from doorstroom.organisations.models import User  # noqa: E402


def timed(user: User, query: dict[str, list[str]], repeat: int) -> dict[str, object]:
    parameters = services.parameters_from(user, query)
    timings, cpu, queries = [], [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            services.report_compute(user, parameters)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        queries = len(captured)
    # on a shared virtual machine the wall time of the same report varies by a fifth between runs:
    # the fastest run and this process's own CPU time (both threads) help to compare two versions
    return {
        "queries": queries,
        "median_s": round(statistics.median(timings), 2),
        "min_s": round(min(timings), 2),
        "max_s": round(max(timings), 2),
        "cpu_median_s": round(statistics.median(cpu), 2),
    }


def main() -> None:
    args, results = prepare()
    biggest = Enrollment.objects.values("programme__code").annotate(n=Count("id")).order_by("-n").first() or {}
    results["largest programme"] = biggest
    figures: dict[str, object] = {}
    for username in ("regisseur", "projectleider"):
        user = User.objects.get(username=username)
        figures[f"one programme as {username}"] = timed(user, {"programma": [biggest["programme__code"]]}, args.repeat)
        figures[f"all programmes as {username}"] = timed(user, {}, args.repeat)
    results["reports"] = figures
    print(json.dumps(results, indent=2))
    (Path(__file__).parent / "reports-results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
