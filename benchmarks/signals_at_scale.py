"""Signals and begeleiding pages at scale: the signal engine's time and query count over a whole
region, and the signal dashboard, referral inbox and household plan pages. Prints figures; not a test.

Usage (from the repository root, after `make install`):
    DOORSTROOM_SQLITE_PATH=var/bench-signals.sqlite3 .venv/bin/python benchmarks/signals_at_scale.py
or with DATABASE_URL=postgres://... for PostgreSQL. Generates the region first when the database is empty.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DOORSTROOM_DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from doorstroom.core import clock  # noqa: E402
from doorstroom.participants.models import Household  # noqa: E402
from doorstroom.signalering import services as signal_services  # noqa: E402
from doorstroom.signalering.models import Signal  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages_at_scale import login, measure, prepare  # noqa: E402


def main() -> None:
    args, results = prepare()
    for run in ("first refresh", "second refresh (nothing changes)"):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            signal_services.signals_refresh(today=clock.today())
            seconds = round(time.perf_counter() - started, 2)
        results[run] = {"seconds": seconds, "queries": len(captured)}
    results["live signals per rule"] = {
        row["rule"]: row["n"]
        for row in Signal.objects.filter(state__in=["open", "gezien", "opgepakt"])
        .values("rule")
        .annotate(n=django.db.models.Count("id"))
    }
    client = Client()
    pages: dict[str, object] = {}
    for username in ("coach", "regisseur"):
        login(client, username)
        pages[f"signals dashboard as {username}"] = measure(client, "/signalen/", args.repeat)
    login(client, "teamleider")
    pages["referral inbox as teamleider"] = measure(client, "/aanmeldingen/", args.repeat)
    login(client, "regisseur")
    household = Household.objects.filter(plan__isnull=False, municipality__name="Gemeente Enschede").first()
    if household is not None:
        pages["household plan as regisseur"] = measure(client, f"/huishoudens/{household.uuid}/plan/", args.repeat)
    results["pages"] = pages
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
