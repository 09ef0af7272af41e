"""The access-request PDF of a file with many contact moments (the participant's own, complete
download): time to build the data, time to render the PDF, pages and size. Prints figures; not a test.

Usage (from the repository root, after `make install`):
    DOORSTROOM_SQLITE_PATH=var/bench-pdf.sqlite3 .venv/bin/python benchmarks/access_request_pdf.py --contacts 500
The target (issue "Dagelijks werk"): a file with 500 contact moments is ready within 5 seconds.
"""

import argparse
import json
import os
import sys
import time
from datetime import timedelta
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

from doorstroom.contacts.models import ContactMoment  # noqa: E402
from doorstroom.core import clock  # noqa: E402
from doorstroom.demo import generator  # noqa: E402
from doorstroom.participants.models import Participant  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages_at_scale import login  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not Participant.objects.exists():
        generator.generate(participants=50, seed=2026, today=clock.today())
    participant = Participant.objects.get(account__username="deelnemer")
    have = ContactMoment.objects.filter(participant=participant).count()
    author = participant.team.first().member if participant.team.exists() else None
    today = clock.today()
    ContactMoment.objects.bulk_create(
        ContactMoment(
            participant=participant,
            recorded_by=author,
            kind="gesprek",
            status="gehouden",
            occurred_on=today - timedelta(days=n % 700),
            attendance="verschenen",
            minutes=30,
            note=f"Gesprek {n}: voortgang besproken, afspraken voor de komende week gemaakt en genoteerd.",
        )
        for n in range(max(args.contacts - have, 0))
    )
    client = Client()
    login(client, "deelnemer")
    url = f"/deelnemers/{participant.uuid}/inzageverzoek.pdf"
    timings = []
    size = queries = 0
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            timings.append(round(time.perf_counter() - started, 2))
        assert response.status_code == 200, response.status_code
        size, queries = len(response.content), len(captured)
    from io import BytesIO

    from pypdf import PdfReader

    results = {
        "database": connection.vendor,
        "contact moments": ContactMoment.objects.filter(participant=participant).count(),
        "seconds per PDF": timings,
        "queries": queries,
        "pages": len(PdfReader(BytesIO(response.content)).pages),
        "kilobytes": round(size / 1024),
        "target seconds": 5,
    }
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
