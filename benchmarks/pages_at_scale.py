"""Pages at scale: queries and time per page for a large demo region. Prints figures; not a test.

Usage (from the repository root, after `make install`):
    DOORSTROOM_SQLITE_PATH=var/benchmark.sqlite3 .venv/bin/python benchmarks/pages_at_scale.py --participants 100000
or with DATABASE_URL=postgres://... for PostgreSQL. Generates the region first when the database is empty.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DOORSTROOM_DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from doorstroom.core import clock  # noqa: E402
from doorstroom.core.second_factor import IDP_MFA_SESSION_KEY  # noqa: E402
from doorstroom.demo import generator  # noqa: E402
from doorstroom.enrollments.models import Enrollment  # noqa: E402
from doorstroom.organisations.models import User  # noqa: E402
from doorstroom.participants.models import Participant  # noqa: E402


def login(client: Client, username: str) -> None:
    """Log in as a demo account with the second factor counted as done (the benchmark measures
    pages, not the login)."""
    client.force_login(User.objects.get(username=username))
    session = client.session
    session[IDP_MFA_SESSION_KEY] = True
    session.save()


def measure(client: Client, url: str, repeat: int) -> dict[str, float]:
    timings, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return {"queries": queries, "median_ms": round(statistics.median(timings), 1), "max_ms": round(max(timings), 1)}


def prepare() -> tuple[argparse.Namespace, dict[str, object]]:
    """Arguments, a migrated database with a demo region (generated when empty), and the figures
    that describe the run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    results: dict[str, object] = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": connection.vendor,
        "date": clock.today().isoformat(),
    }
    if not Participant.objects.exists():
        started = time.perf_counter()
        generator.generate(participants=args.participants, seed=2026, today=clock.today())
        results["generate_seconds"] = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":  # planner statistics, as autovacuum would gather them after a bulk load
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    results["participants"] = Participant.objects.count()
    return args, results


def main() -> None:
    args, results = prepare()
    results["enrollments"] = Enrollment.objects.count()
    started = time.perf_counter()
    call_command("check_replay", verbosity=0)
    results["check_replay_seconds"] = round(time.perf_counter() - started, 1)
    client = Client()
    pages: dict[str, object] = {}
    for username in ("coach", "regisseur", "teamleider"):
        login(client, username)
        pages[f"caseload as {username}"] = measure(client, "/mijn-deelnemers/", args.repeat)
        pages[f"board vip-educatie as {username}"] = measure(client, "/programmas/vip-educatie/", args.repeat)
        pages[f"search 'jan' as {username}"] = measure(client, "/deelnemers/zoeken/?q=jan", args.repeat)
        enrollment = Enrollment.objects.filter(participant__team__member__username=username).first()
        if enrollment:
            pages[f"participant file as {username}"] = measure(
                client, f"/deelnemers/{enrollment.participant.uuid}/", args.repeat
            )
    results["pages"] = pages
    print(json.dumps(results, indent=2))
    out = Path(__file__).parent / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
