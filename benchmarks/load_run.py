"""The 50-user load run (issue 12): virtual users mixing the caseload, participant files, contact
moments written through the API, the programme board, searches by name and BSN and, rarely, the
programme report, against `make serve` on loopback, bounded in time and requests (Locust as a
library). Prints requests per second, p50/p95 and errors per page, and writes
benchmarks/load-results.json. Not a test.

With --faults it also kills one gunicorn worker (SIGKILL) a third of the way in and terminates every
database connection of the application two thirds in. Every write carries an Idempotency-Key and is
retried with it until it is acknowledged; a client-side ledger keeps what was acknowledged, and
afterwards every acknowledged contact moment must be in the database, and the audit rows written
during the run are counted against the acknowledged reads and writes.

Usage (from the repository root), with the tier's database served by `make serve`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doorstroom_t2 .venv/bin/python benchmarks/load_run.py \\
        --users 50 --seconds 120 [--faults]
"""

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def prepare(users: int) -> dict[str, Any]:
    """In its own process (Django and psycopg stay out of the gevent-patched load process): sessions
    and API tokens for the demo accounts, each coach's own caseload, the audit log's last id."""
    from http_at_scale import session_cookie  # noqa: I001  (sets Django up with the serve settings)
    from datetime import date

    from django.db.models import Max, Q

    from doorstroom.access import policy as access
    from doorstroom.access.models import AuditEvent
    from doorstroom.enrollments.models import TeamAssignment
    from doorstroom.organisations import services as account_services
    from doorstroom.organisations.models import User
    from doorstroom.participants.models import Participant
    from doorstroom.programmes.models import Programme

    today = date.today()
    coaches = list(
        User.objects.filter(username__startswith="coach.pool.").order_by("username").values_list("username", flat=True)
    )[: max(1, users)] or ["coach", "coach2", "coach.5050"]
    coach_data = []
    for username in coaches:
        files = [
            str(u)
            for u in TeamAssignment.objects.filter(member__username=username, starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .values_list("participant__uuid", flat=True)[:60]
        ]
        coach = User.objects.get(username=username)
        writable = [
            str(u)
            for u in access.participants_allowed(coach, access.Action.CHANGE, access.Category.NOTES)
            .filter(uuid__in=files)
            .values_list("uuid", flat=True)
        ]
        _token, raw = account_services.api_token_issue(user=coach, name="load run")
        coach_data.append(
            {
                "username": username,
                "cookie": session_cookie(username),
                "token": raw,
                "files": files,
                "writable": writable,
            }
        )
    director = User.objects.get(username="regisseur")
    _token, director_token = account_services.api_token_issue(user=director, name="load run")
    programme = (
        Programme.objects.filter(enrollments__isnull=False).order_by("code").values_list("code", flat=True).first()
    )
    bsns = [p.bsn for p in Participant.objects.exclude(bsn_index=None).order_by("id")[:300] if p.bsn]
    return {
        "coaches": coach_data,
        "director": {"cookie": session_cookie("regisseur"), "token": director_token},
        "projectleider": {"cookie": session_cookie("projectleider")},
        "programme": programme,
        "bsns": bsns,
        "audit_before": AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0,
        "participants": Participant.objects.count(),
    }


def check(ledger_path: str) -> dict[str, Any]:
    """In its own process: is every acknowledged write there, and how many audit rows the run wrote."""
    from django.db.models import Count

    import http_at_scale  # noqa: F401  (sets Django up)

    from doorstroom.access.models import AuditEvent
    from doorstroom.contacts.models import ContactMoment

    ledger = json.loads(Path(ledger_path).read_text())
    acknowledged = ledger["acknowledged_writes"]
    present = set(str(u) for u in ContactMoment.objects.filter(uuid__in=acknowledged).values_list("uuid", flat=True))
    rows = AuditEvent.objects.filter(id__gt=ledger["audit_before"])
    allowed = {
        r["route"]: r["n"] for r in rows.filter(result="allowed").values("route").annotate(n=Count("id")).order_by()
    }
    failed = ledger["failed_by_route"]
    comparison = {}
    for route, answered in sorted(ledger["acknowledged_by_route"].items()):
        extra = allowed.get(route, 0) - answered
        comparison[route] = {
            "acknowledged": answered,
            "audit_rows": allowed.get(route, 0),
            "not_acknowledged": failed.get(route, 0),
            # an acknowledged read or write without its audit row would be a loss; an audit row of a
            # request whose answer never arrived (a killed worker, a cut connection) is not
            "acknowledged_without_audit_row": max(0, -extra),
            "explained": 0 <= extra <= failed.get(route, 0),
        }
    return {
        "audit_by_route": comparison,
        "acknowledged_without_audit_row": sum(c["acknowledged_without_audit_row"] for c in comparison.values()),
        "audit_rows_not_explained": sum(1 for c in comparison.values() if not c["explained"]),
        "acknowledged_writes": len(acknowledged),
        "acknowledged_writes_missing": len(set(acknowledged) - present),
        "acknowledged_reads": ledger["acknowledged_reads"],
        "audit_rows_during_run": rows.count(),
        "audit_rows_for_pages_and_api": rows.filter(channel__in=["page", "api"]).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument(
        "--warm-up", type=int, default=8, help="unmeasured rounds of every page before the run (0: none)"
    )
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", help=argparse.SUPPRESS)
    parser.add_argument("--calibrate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warm-with", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warm_with:
        warm_up(args.base, json.loads(Path(args.warm_with).read_text()), args.warm_up)
        return
    if args.calibrate:  # in its own process, after the run (it would compete with it)
        from http_at_scale import pgbench

        print(json.dumps(pgbench()))
        return
    if args.prepare:
        print(json.dumps(prepare(args.users)))
        return
    if args.check:
        print(json.dumps(check(args.check)))
        return
    if not args.base.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        raise SystemExit("De belastingstest draait alleen tegen loopback.")

    def prepared() -> dict[str, Any]:
        made = subprocess.run(
            [sys.executable, __file__, "--prepare", "--users", str(args.users)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(made.stdout.strip().splitlines()[-1])

    if args.warm_up:  # in its own process: `requests` before locust's gevent patching breaks it
        warm_setup = ROOT / "var" / "load-warm-up.json"
        warm_setup.parent.mkdir(exist_ok=True)
        warm_setup.write_text(json.dumps(prepared()))
        command = [sys.executable, __file__, "--warm-with", str(warm_setup), "--warm-up", str(args.warm_up)]
        subprocess.run([*command, "--base", args.base], check=True)
        warm_setup.unlink()
    setup = prepared()  # afresh: the audit log's last id after the warm-up, so the ledger counts the run only
    run_load(args, setup)


def warm_up(base: str, setup: dict[str, Any], each: int) -> None:
    """Every page of the mix `each` times over four connections, unmeasured, before the run: a
    worker's first requests load templates and translations, and a connection prepares a
    statement only the fifth time it runs it (ADR 0022). A server in service is warm; the run's
    figures are meant to describe it."""
    import requests

    coach = next((c for c in setup["coaches"] if c["files"]), setup["coaches"][0])
    director = setup["director"]["cookie"]
    pages = [
        ("/mijn-deelnemers/", coach["cookie"]),
        *[(f"/deelnemers/{f}/", coach["cookie"]) for f in coach["files"][:10]],
        (f"/programmas/{setup['programme']}/", director),
        ("/deelnemers/zoeken/?q=jan", director),
        (f"/rapportages/?programma={setup['programme']}", setup["projectleider"]["cookie"]),
    ]

    def one(round_: int) -> None:
        with requests.Session() as http:
            for path, cookie in pages:
                if "rapportages" in path and round_ % 4:
                    continue  # the report is dear: once per connection
                http.get(f"{base}{path}", headers={"Cookie": f"sessionid={cookie}"}, allow_redirects=False, timeout=120)
            for bsn in setup["bsns"][:5]:
                http.post(
                    f"{base}/api/v1/deelnemers/zoeken/",
                    json={"q": bsn},
                    headers={"Authorization": f"Bearer {setup['director']['token']}"},
                    timeout=60,
                )

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(each)))


def run_load(args: argparse.Namespace, setup: dict[str, Any]) -> None:
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    ledger: dict[str, Any] = {
        "acknowledged_writes": [],
        "acknowledged_reads": 0,
        "acknowledged_by_route": {},
        "failed_by_route": {},
        "audit_before": setup["audit_before"],
    }

    def failed(route: str) -> None:
        ledger["failed_by_route"][route] = ledger["failed_by_route"].get(route, 0) + 1

    def acknowledged(route: str) -> None:
        ledger["acknowledged_by_route"][route] = ledger["acknowledged_by_route"].get(route, 0) + 1

    counters = {"requests": 0, "retries": 0}
    coaches = iter(setup["coaches"] * (args.users // max(1, len(setup["coaches"])) + 1))
    today = time.strftime("%Y-%m-%d")

    class Budget(HttpUser):
        abstract = True
        host = args.base

        def get(self, path: str, name: str, cookie: str, route: str | None) -> None:
            """A page; `route` names its audit rows (None: aggregates only, no personal data, no row)."""
            if counters["requests"] >= args.max_requests:
                self.environment.runner.quit()
                return
            counters["requests"] += 1
            with self.client.get(
                path, name=name, headers={"Cookie": f"sessionid={cookie}"}, allow_redirects=False, catch_response=True
            ) as answer:
                if answer.status_code == 200:
                    ledger["acknowledged_reads"] += 1
                    if route:
                        acknowledged(route)
                    answer.success()
                else:
                    if route:
                        failed(route)
                    answer.failure(f"{answer.status_code}")

    class Coach(Budget):
        """A caseworker: the caseload now and then, files often, a contact moment after some."""

        weight = 35
        wait_time = between(1, 4)

        def on_start(self) -> None:
            self.me = next(coaches)

        @task(2)
        def caseload(self) -> None:
            self.get("/mijn-deelnemers/", "caseload", self.me["cookie"], "enrollments:caseload")

        @task(6)
        def participant_file(self) -> None:
            if self.me["files"]:
                person = self.me["files"][counters["requests"] % len(self.me["files"])]
                self.get(f"/deelnemers/{person}/", "participant file", self.me["cookie"], "participants:detail")

        @task(2)
        def contact_moment(self) -> None:
            """A write with an Idempotency-Key, retried with the same key until acknowledged."""
            if not self.me["writable"] or counters["requests"] >= args.max_requests:
                return
            person = self.me["writable"][(counters["requests"] * 7) % len(self.me["writable"])]
            key = str(uuid.uuid4())
            body = {
                "kind": "gesprek",
                "status": "gehouden",
                "attendance": "verschenen",
                "occurred_on": today,
                "minutes": 30,
            }
            headers = {"Authorization": f"Bearer {self.me['token']}", "Idempotency-Key": key}
            for attempt in range(6):
                counters["requests"] += 1
                with self.client.post(
                    f"/api/v1/deelnemers/{person}/contacten/",
                    json=body,
                    headers=headers,
                    name="contact moment (API write)",
                    catch_response=True,
                ) as answer:
                    if answer.status_code in (200, 201):
                        ledger["acknowledged_writes"].append(answer.json()["uuid"])
                        acknowledged("api-participant-contacts")
                        answer.success()
                        return
                    failed("api-participant-contacts")
                    answer.failure(f"{answer.status_code}")
                counters["retries"] += attempt < 5
                gevent.sleep(0.5)

    class Director(Budget):
        weight = 12
        wait_time = between(1, 4)

        @task(3)
        def board(self) -> None:
            page = f"/programmas/{setup['programme']}/"
            self.get(page, "programme board", setup["director"]["cookie"], "programmes:board")

        @task(3)
        def search_by_name(self) -> None:
            self.get("/deelnemers/zoeken/?q=jan", "search by name", setup["director"]["cookie"], "participants:search")

        @task(3)
        def search_by_bsn(self) -> None:
            counters["requests"] += 1
            bsn = setup["bsns"][counters["requests"] % len(setup["bsns"])]
            with self.client.post(
                "/api/v1/deelnemers/zoeken/",
                json={"q": bsn},
                headers={"Authorization": f"Bearer {setup['director']['token']}"},
                name="search by BSN (API)",
                catch_response=True,
            ) as answer:
                if answer.status_code == 200:
                    ledger["acknowledged_reads"] += 1
                    acknowledged("api-participant-search")
                    answer.success()
                else:
                    failed("api-participant-search")
                    answer.failure(f"{answer.status_code}")

    class ProjectLeader(Budget):
        weight = 3
        wait_time = between(20, 40)

        @task
        def report(self) -> None:
            page = f"/rapportages/?programma={setup['programme']}"
            self.get(page, "programme report", setup["projectleider"]["cookie"], None)

    # at the end every user finishes the request it is in, so the ledger knows every answer
    environment = Environment(user_classes=[Coach, Director, ProjectLeader], stop_timeout=60)
    runner = environment.create_local_runner()
    faults: list[str] = []

    def kill_a_worker() -> None:
        found = subprocess.run(["pgrep", "-f", "gunicorn"], capture_output=True, text=True).stdout.split()
        parents = {
            pid: Path(f"/proc/{pid}/stat").read_text().split()[3] for pid in found if Path(f"/proc/{pid}/stat").exists()
        }
        workers = [pid for pid, parent in parents.items() if parent in parents]
        if workers:
            os.kill(int(workers[0]), 9)
            faults.append(f"killed gunicorn worker {workers[0]} at {time.strftime('%H:%M:%S')}")

    def terminate_connections() -> None:
        database = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/doorstroom").rsplit("/", 1)[1]
        sql = (
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
        )
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-Atc", sql], capture_output=True, text=True
        )
        faults.append(f"terminated {out.stdout.strip()} database connections at {time.strftime('%H:%M:%S')}")

    started = time.time()
    runner.start(args.users, spawn_rate=10)
    if args.faults:
        gevent.spawn_later(args.seconds / 3, kill_a_worker)
        gevent.spawn_later(2 * args.seconds / 3, terminate_connections)
    gevent.spawn_later(args.seconds, runner.stop)
    gevent.sleep(args.seconds)
    while runner.user_count:
        gevent.sleep(0.2)
    runner.quit()
    seconds = time.time() - started
    stats = environment.stats
    pages = {
        name: {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
        }
        for (name, _method), entry in sorted(stats.entries.items())
    }
    ledger_path = ROOT / "var" / "load-ledger.json"
    ledger_path.parent.mkdir(exist_ok=True)
    ledger_path.write_text(json.dumps(ledger))
    checked = subprocess.run([sys.executable, __file__, "--check", str(ledger_path)], capture_output=True, text=True)
    calibrated = subprocess.run([sys.executable, __file__, "--calibrate"], capture_output=True, text=True)
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.uname().machine} {os.cpu_count()} cores",
        "calibration": json.loads(calibrated.stdout.strip().splitlines()[-1])
        if calibrated.returncode == 0
        else calibrated.stderr[-300:],
        "participants": setup["participants"],
        "users": args.users,
        "seconds": round(seconds, 1),
        "requests": stats.total.num_requests,
        "requests_per_second": round(stats.total.num_requests / seconds, 1),
        "p50_ms": stats.total.get_response_time_percentile(0.5),
        "p95_ms": stats.total.get_response_time_percentile(0.95),
        "p95_ms_without_the_report": None,
        "errors": stats.total.num_failures,
        "retried_writes": counters["retries"],
        "faults": faults,
        "error_kinds": {f"{e.name}: {e.error}": e.occurrences for e in stats.errors.values()},
        "pages": pages,
        "ledger": json.loads(checked.stdout.strip().splitlines()[-1])
        if checked.returncode == 0
        else checked.stderr[-500:],
    }
    others = [e for (name, _m), e in stats.entries.items() if name != "programme report"]
    if others:
        from locust.stats import StatsEntry

        merged = StatsEntry(stats, "without the report", "")
        for entry in others:
            merged.extend(entry)
        result["p95_ms_without_the_report"] = merged.get_response_time_percentile(0.95)
    out = Path(__file__).parent / ("load-results-faults.json" if args.faults else "load-results.json")
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
