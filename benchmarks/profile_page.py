"""Profile one page in-process, as `make serve` would run it (production settings, the tier's
database): pyinstrument's call tree for a few requests, and the SQL of one, with each query's time.
For finding what a missed target costs; not a test and not a timing (the profiler slows everything).

Usage (from the repository root):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doorstroom_t2 .venv/bin/python benchmarks/profile_page.py \\
        --user coach.pool.0001 --page participant-file [--requests 20] [--sql]

Pages: participant-file (a file on the user's caseload), caseload, board, search-name, report.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from http_at_scale import load_serve_environment  # noqa: E402  (sets the environment and Django up)

load_serve_environment()

from datetime import date  # noqa: E402

from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from doorstroom.core.second_factor import IDP_MFA_SESSION_KEY  # noqa: E402
from doorstroom.enrollments.models import TeamAssignment  # noqa: E402
from doorstroom.organisations.models import User  # noqa: E402
from doorstroom.programmes.models import Programme  # noqa: E402


def paths_for(page: str, username: str, n: int) -> list[str]:
    if page == "participant-file":
        today = date.today()
        files = list(
            TeamAssignment.objects.filter(member__username=username, starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .order_by("participant_id")
            .values_list("participant__uuid", flat=True)[:n]
        )
        return [f"/deelnemers/{u}/" for u in files]
    if page == "caseload":
        return ["/mijn-deelnemers/"] * n
    programme = Programme.objects.filter(enrollments__isnull=False).order_by("code").values_list("code", flat=True)[0]
    if page == "board":
        return [f"/programmas/{programme}/"] * n
    if page == "search-name":
        return ["/deelnemers/zoeken/?q=jan"] * n
    if page == "report":
        return [f"/rapportages/?programma={programme}"] * n
    raise SystemExit(f"unknown page {page}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="coach.pool.0001")
    parser.add_argument("--page", default="participant-file")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--sql", action="store_true", help="print every query of one request with its time")
    args = parser.parse_args()
    from pyinstrument import Profiler

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=args.user))
    session = client.session
    session[IDP_MFA_SESSION_KEY] = True
    session.save()
    paths = paths_for(args.page, args.user, args.requests)
    assert client.get(paths[0]).status_code == 200  # warm: templates, plans, caches
    if args.sql:
        with CaptureQueriesContext(connection) as queries:
            client.get(paths[-1])
        for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"])):
            print(f"{float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
        print(f"{len(queries)} queries")
    started = time.perf_counter()
    for path in paths:
        client.get(path)
    plain = (time.perf_counter() - started) / len(paths) * 1000
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for path in paths:
        client.get(path)
    profiler.stop()
    reset_queries()
    print(f"{len(paths)} requests, {plain:.1f} ms each without the profiler")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
