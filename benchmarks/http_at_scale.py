"""Pages and intakes over HTTP against `make serve` (gunicorn, PostgreSQL, Redis): p50 and p95 with
one client and with four, requests per second, errors, and queries per request (read from the
server's own /metrics). A pgbench line calibrates the machine. Prints figures and writes
benchmarks/http-results.json; not a test.

Usage (from the repository root), with the tier's database loaded (docs/operations.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doorstroom_t1 \\
    DOORSTROOM_API_RATE_USER=1000000/minute DOORSTROOM_DUPLICATE_CHECKS_PER_HOUR=1000000 make serve &
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doorstroom_t1 .venv/bin/python benchmarks/http_at_scale.py \\
        --base http://127.0.0.1:8000 --tier T1

The script reads the same keys as `make serve` (var/serve.env, or the environment) to log in as the demo
accounts (a session made in the database, second step counted as done) and to find a BSN to search for.
The limits are raised above because four clients registering a hundred people a second are far above
what one staff member may do (30 duplicate checks an hour).
"""

import argparse
import json
import os
import platform
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_serve_environment() -> None:
    """The settings and keys `make serve` runs with, so this process reads the same database."""
    keys = ROOT / "var" / "serve.env"
    if not keys.exists() and not os.environ.get("DOORSTROOM_SECRET_KEY"):
        raise SystemExit(
            "var/serve.env is missing: run `make serve` once (it creates the keys there), or set the "
            "DOORSTROOM_* keys in the environment."
        )
    if keys.exists():
        for line in keys.read_text().splitlines():
            name, _sep, value = line.partition("=")
            if name and not os.environ.get(name):
                os.environ[name] = value
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/doorstroom")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("DOORSTROOM_AUDIT_CHECKPOINTS", str(ROOT / "var" / "serve-audit-checkpoints.log"))
    os.environ.setdefault("DOORSTROOM_LOCAL_HTTP", "true")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"


load_serve_environment()

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import resolve  # noqa: E402

import psycopg  # noqa: E402
import requests  # noqa: E402
from stdnum.nl import bsn as bsn_number  # noqa: E402

from doorstroom.core.second_factor import IDP_MFA_SESSION_KEY  # noqa: E402
from doorstroom.enrollments.models import Enrollment, TeamAssignment  # noqa: E402
from doorstroom.organisations import services as account_services  # noqa: E402
from doorstroom.organisations.models import User  # noqa: E402
from doorstroom.participants.models import Participant  # noqa: E402
from doorstroom.programmes.models import Programme  # noqa: E402


def session_cookie(username: str) -> str:
    """A logged-in session for a demo account, with the second step counted as done."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    session = client.session
    session[IDP_MFA_SESSION_KEY] = True
    session.save()
    return str(session.session_key)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def scrape(base: str) -> dict[str, tuple[float, float]]:
    """Per route: (queries summed, requests counted) from the server's metrics."""
    found: dict[str, list[float]] = {}
    for line in requests.get(f"{base}/metrics", timeout=30).text.splitlines():
        match = re.match(r'doorstroom_request_queries_(sum|count)\{route="([^"]+)"\} ([0-9.e+]+)', line)
        if match:
            kind, route, value = match.groups()
            found.setdefault(route, [0.0, 0.0])[0 if kind == "sum" else 1] += float(value)
    return {route: (v[0], v[1]) for route, v in found.items()}


#: unmeasured requests per page before its figures (over four clients, so every worker gets some)
WARM_UP = 60


def run(
    base: str,
    make: Callable[[int], tuple[str, str, dict[str, Any] | None]],
    headers: dict[str, str],
    n: int,
    clients: int,
) -> dict[str, Any]:
    """n requests spread over `clients` threads, each with its own keep-alive connection."""
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(n))

    def worker() -> None:
        with requests.Session() as http:
            http.headers.update(headers)
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                method, path, body = make(i)
                started = time.perf_counter()
                answer = http.request(method, f"{base}{path}", json=body, timeout=120, allow_redirects=False)
                took = (time.perf_counter() - started) * 1000
                with lock:
                    timings.append(took)
                    if answer.status_code >= 400 or (method == "GET" and answer.status_code != 200):
                        errors.append(f"{answer.status_code} {path}")

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(worker)
    seconds = time.perf_counter() - started
    return {
        "requests": n,
        "clients": clients,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "per_second": round(n / seconds, 1),
        "errors": len(errors),
        "first_errors": errors[:3],
    }


def _get(path: Callable[[int], str]) -> Callable[[int], tuple[str, str, dict[str, Any] | None]]:
    return lambda i: ("GET", path(i), None)


def pgbench() -> str:
    """A calibration line: pgbench's select-only run for 10 s on its own small database."""
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = "doorstroom_pgbench"

    def admin(sql: str) -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    try:
        admin(f"DROP DATABASE IF EXISTS {name}")
        admin(f"CREATE DATABASE {name}")
        subprocess.run(["pgbench", "-i", "-s", "10", "-q", f"{server}/{name}"], check=True, capture_output=True)  # noqa: S603, S607
        out = subprocess.run(  # noqa: S603
            ["pgbench", "-S", "-c", "4", "-j", "2", "-T", "10", f"{server}/{name}"],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        tps = re.search(r"tps = ([0-9.]+)", out)
        return f"pgbench -S -c4 -j2 -T10 (scale 10): {tps.group(1) if tps else '?'} tps"
    except (OSError, subprocess.CalledProcessError, psycopg.Error) as error:
        return f"pgbench not run: {error}"
    finally:
        admin(f"DROP DATABASE IF EXISTS {name}")


def valid_bsns(start: int) -> Callable[[], str]:
    """Fresh numbers that pass the 11-proef, far from the demo's own."""
    state = {"n": start}

    def next_bsn() -> str:
        while True:
            state["n"] += 1
            candidate = f"{state['n']:09d}"
            if bsn_number.is_valid(candidate):
                return candidate

    return next_bsn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--tier", default="T1")
    parser.add_argument("--requests", type=int, default=200, help="requests per page and client count")
    parser.add_argument("--intakes", type=int, default=25, help="full intakes per client count")
    parser.add_argument(
        "--only", choices=["pages", "bsn", "intake"], nargs="*", default=["pages", "bsn", "intake"], help="parts to run"
    )
    parser.add_argument(
        "--page", action="append", default=[], help="only the pages whose title contains this (repeatable)"
    )
    args = parser.parse_args()
    base = args.base.rstrip("/")
    results: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "tier": args.tier,
        "participants": Participant.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "calibration": pgbench(),
        "pages": {},
    }
    rnd = random.Random(2026)  # noqa: S311 - a sample of pages, not a secret
    # a caseload coach of the demo generator's pool (at most 250 people) where the tier has one
    realistic = "coach.pool.0001" if User.objects.filter(username="coach.pool.0001").exists() else "coach.5050"
    coach_files = [
        str(u)
        for u in TeamAssignment.objects.filter(member__username=realistic, starts_on__lte=date.today())
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=date.today()))
        .order_by("participant_id")
        .values_list("participant__uuid", flat=True)[:2000]
    ]
    rnd.shuffle(coach_files)
    bsns = [p.bsn for p in Participant.objects.exclude(bsn_index=None).order_by("id")[:200] if p.bsn]
    programme = (
        Programme.objects.filter(enrollments__isnull=False).order_by("code").values_list("code", flat=True).first()
    )
    pages: list[tuple[str, str, Callable[[int], str]]] = [
        (f"participant file as {realistic}", realistic, lambda i: f"/deelnemers/{coach_files[i % len(coach_files)]}/"),
        (f"caseload as {realistic} (a realistic caseload, 100 per page)", realistic, lambda i: "/mijn-deelnemers/"),
        ("caseload as coach (named demo coach, ~1,000 people)", "coach", lambda i: "/mijn-deelnemers/"),
        ("programme board as regisseur", "regisseur", lambda i: f"/programmas/{programme}/"),
        ("search by name as regisseur", "regisseur", lambda i: "/deelnemers/zoeken/?q=jan"),
        ("programme report as regisseur", "regisseur", lambda i: f"/rapportages/?programma={programme}"),
    ]
    if args.page:
        pages = [page for page in pages if any(wanted in page[0] for wanted in args.page)]
    for title, username, path in pages if "pages" in args.only else []:
        cookie = {"Cookie": f"sessionid={session_cookie(username)}", "Host": "127.0.0.1"}
        route = resolve(path(0).split("?")[0]).view_name
        few = 10 if "report" in title else args.requests
        # warm first, unmeasured: every worker's first request loads templates and translations, and
        # a connection prepares a statement only the fifth time it runs it (ADR 0022); a server in
        # service is warm, and these figures are meant to describe it
        run(base, _get(path), cookie, 2 if "report" in title else WARM_UP, 4)
        for clients in (1, 4):
            before = scrape(base)
            figures = run(base, _get(path), cookie, few, clients)
            after = scrape(base)
            done = after.get(route, (0, 0))[1] - before.get(route, (0, 0))[1]
            summed = after.get(route, (0, 0))[0] - before.get(route, (0, 0))[0]
            figures["queries_per_request"] = round(summed / done, 1) if done else None
            results["pages"][f"{title}, {clients} client(s)"] = figures
            print(title, clients, figures, flush=True)
    director = User.objects.get(username="regisseur")
    _token, raw = account_services.api_token_issue(user=director, name="benchmark")
    api = {"Authorization": f"Bearer {raw}", "Host": "127.0.0.1"}
    # search by BSN: a BSN never travels in an address, so the search is a POST (here the API's)
    search = "/api/v1/deelnemers/zoeken/"
    for clients in (1, 4) if "bsn" in args.only else ():
        before = scrape(base)
        figures = run(base, lambda i: ("POST", search, {"q": bsns[i % len(bsns)]}), api, args.requests, clients)
        after = scrape(base)
        route = resolve(search).view_name
        done = after.get(route, (0, 0))[1] - before.get(route, (0, 0))[1]
        figures["queries_per_request"] = (
            round((after.get(route, (0, 0))[0] - before.get(route, (0, 0))[0]) / done, 1) if done else None
        )
        results["pages"][f"search by BSN as regisseur (API), {clients} client(s)"] = figures
        print("search by BSN", clients, figures, flush=True)
    # full intakes through the API: participant, enrollment, start, first contact
    assert director.organisation is not None  # the demo's regisseur works for Enschede
    municipality = str(director.organisation.uuid)
    next_bsn = valid_bsns(100_000_000 + secrets.randbelow(800_000_000))  # a fresh range each run
    run_token = secrets.token_hex(3)
    today = date.today()
    # a warm-up round first, unmeasured, as for the pages (its people get their own names)
    for clients, measured in ((4, False), (1, True), (4, True)) if "intake" in args.only else ():
        lock = threading.Lock()
        timings: list[float] = []
        errors: list[str] = []
        started = time.perf_counter()

        def intake(
            person: int,
            timings: list[float] = timings,
            errors: list[str] = errors,
            lock: Any = lock,
            clients: int = clients,
            measured: bool = measured,
        ) -> None:
            """Four writes, each needing the answer of the one before."""
            with lock:
                number = next_bsn()
            known: dict[str, str] = {}
            steps: list[tuple[Callable[[], str], Callable[[], dict[str, Any]]]] = [
                (
                    lambda: "/api/v1/deelnemers/",
                    lambda: {
                        "municipality": municipality,
                        "given_name": f"Bench{run_token}{clients}{'m' if measured else 'w'}x{person}",
                        "family_name": "Intake",
                        "date_of_birth": (
                            date(1960 if measured else 1961, 1, 1) + timedelta(days=person * 37 + clients)
                        ).isoformat(),
                        "bsn": number,
                        "civic_integration_duty": True,
                    },
                ),
                (
                    lambda: "/api/v1/inschrijvingen/",
                    lambda: {
                        "participant": known["participant"],
                        "programme": programme,
                        "occurred_on": (today - timedelta(days=14)).isoformat(),
                    },
                ),
                (
                    lambda: f"/api/v1/inschrijvingen/{known['enrollment']}/gebeurtenissen/",
                    lambda: {"event_type": "gestart", "occurred_on": (today - timedelta(days=7)).isoformat()},
                ),
                (
                    lambda: f"/api/v1/deelnemers/{known['participant']}/contacten/",
                    lambda: {
                        "kind": "gesprek",
                        "status": "gehouden",
                        "attendance": "verschenen",
                        "occurred_on": today.isoformat(),
                        "minutes": 45,
                    },
                ),
            ]
            with requests.Session() as http:
                http.headers.update(api)
                for number_of_step, (path, body) in enumerate(steps):
                    t0 = time.perf_counter()
                    answer = http.post(f"{base}{path()}", json=body(), timeout=60)
                    took = (time.perf_counter() - t0) * 1000
                    with lock:
                        timings.append(took)
                        if answer.status_code != 201:
                            errors.append(f"{answer.status_code} {path()} {answer.text[:200]}")
                    if answer.status_code != 201:
                        return
                    if number_of_step == 0:
                        known["participant"] = answer.json()["uuid"]
                    elif number_of_step == 1:
                        known["enrollment"] = answer.json()["uuid"]

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(intake, range(args.intakes * clients)))
        seconds = time.perf_counter() - started
        figures = {
            "intakes": args.intakes * clients,
            "requests": len(timings),
            "clients": clients,
            "p50_ms": round(statistics.median(timings), 1) if timings else None,
            "p95_ms": round(percentile(timings, 0.95), 1) if timings else None,
            "writes_per_second": round(len(timings) / seconds, 1),
            "errors": len(errors),
            "first_errors": errors[:3],
        }
        if not measured:
            continue
        results["pages"][f"full intake through the API, {clients} client(s)"] = figures
        print("intake", clients, figures, flush=True)
    connection.close()
    out = Path(__file__).parent / (
        "http-results.json" if len(args.only) == 3 else f"http-results-{'-'.join(args.only)}.json"
    )
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
