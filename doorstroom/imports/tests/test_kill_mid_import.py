"""F2, kill -9 mid-import: the import command runs as its own process against the PostgreSQL test
database and is killed (SIGKILL) at random points, from the first participant to the moment before
it commits. Every time: nothing of the import is stored, the audit chain verifies and the stored
state of every enrollment equals its replay; then an unbroken run imports everything, once."""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection

import pytest

from doorstroom.access import audit
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent
from doorstroom.enrollments.selectors import replay_mismatches
from doorstroom.imports.models import ImportBatch
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import Participant
from doorstroom.programmes.catalogue import load_catalogue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.generated]

PEOPLE = 20
KILLS = 10


def write_files(folder: Path) -> list[str]:
    people = ["extern_id;gemeente;voornaam;achternaam;geboortedatum;inburgeringsplichtig"]
    routes = ["extern_id;deelnemer;programma;aangemeld_op"]
    events = ["traject;datum;gebeurtenis;reden;resultaten"]
    start = date(2022, 1, 3)
    for n in range(PEOPLE):
        referred = start + timedelta(days=3 * n)
        people.append(f"K{n};Gemeente Stroomuit;Naam{n};Achter{n};01-01-19{70 + n % 30};ja")
        routes.append(f"T{n};K{n};dordrecht-participatie;{referred:%d-%m-%Y}")
        events.append(f"T{n};{referred + timedelta(days=10)};intake;;")
        events.append(f"T{n};{referred + timedelta(days=20)};gestart;;")
        events.append(f"T{n};{referred + timedelta(days=200)};afgerond;;stage")
    paths = []
    for name, lines in (("deelnemers", people), ("trajecten", routes), ("gebeurtenissen", events)):
        path = folder / f"{name}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(str(path))
    return paths


def database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_import(paths: list[str]) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_history", "--door", "regisseur.stroom", *paths],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def progress_of(process: subprocess.Popen) -> list[int]:
    """Participants done, as the progress bar last showed it (read in a thread)."""
    seen: list = [0, b""]  # participants done, and everything the command said on stderr

    def read() -> None:
        buffer = b""
        assert process.stderr is not None
        while chunk := process.stderr.read(1):
            seen[1] += chunk
            buffer = (buffer + chunk)[-40:]
            if chunk == b"/" and b"] " in buffer:
                number = buffer.rsplit(b"] ", 1)[1][:-1]
                if number.isdigit():
                    seen[0] = int(number)

    threading.Thread(target=read, daemon=True).start()
    return seen


def stored() -> tuple[int, int, int, int]:
    return (
        Participant.objects.count(),
        Enrollment.objects.count(),
        EnrollmentEvent.objects.count(),
        ImportBatch.objects.count(),
    )


@pytest.fixture
def importer():
    if connection.vendor != "postgresql":
        pytest.skip("kill -9 needs a database a second process can reach: PostgreSQL (make test runs it there)")
    load_catalogue()  # an earlier transactional test may have emptied the database
    municipality = OrganisationFactory(name="Gemeente Stroomuit", municipality=True)
    return UserFactory(username="regisseur.stroom", role=Role.DIRECTOR, organisation=municipality)


def test_a_killed_import_leaves_nothing_and_the_rerun_imports_once(importer, tmp_path, assurance):
    paths = write_files(tmp_path)
    before = stored()
    imported = (before[0] + PEOPLE, before[1] + PEOPLE, before[2] + 4 * PEOPLE, before[3] + 1)
    state = before  # what is stored: nothing of the import, or (once a run committed) all of it
    rnd = random.Random(int(os.environ.get("DOORSTROOM_KILL_SEED", "20261202")))  # noqa: S311 - kill points, not secrets
    kills = int(os.environ.get("DOORSTROOM_KILLS", KILLS))
    points = sorted(rnd.randint(1, PEOPLE) for _ in range(kills))
    for point in points:
        process = start_import(paths)
        seen = progress_of(process)
        deadline = time.monotonic() + 120
        while seen[0] < point and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if point == PEOPLE:
            time.sleep(rnd.uniform(0, 0.2))  # all participants written: the batch row, the audit row, the commit
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        if not killed:  # it ended by itself before the kill point: only a finished import may do that
            time.sleep(0.2)  # let the reader thread take the last of stderr
            assert process.returncode == 0, seen[1].decode(errors="replace")
            state = stored()
            assert state == imported
        assurance.add("F2 kills" if killed else "F2 runs that finished before the kill")
        # killed after its commit reached the database, the import is whole: all of it or nothing
        now = stored()
        if killed and now not in (state, imported):
            assurance.add("F2 partial imports")
        if not audit.verify_chain().intact:
            assurance.add("F2 audit chain breaks")
        if replay_mismatches()[1]:
            assurance.add("F2 stored state differing from replay")
        assert now in (state, imported), f"partial import after a kill at participant {point}: {now}"
        state = now
    finished = start_import(paths)
    out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, err.decode()
    after = stored()
    assert after == imported
    assert audit.verify_chain().intact
    checked, mismatches = replay_mismatches()
    assert checked >= PEOPLE and mismatches == []
    again = start_import(paths)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0 and b"Niets nieuws" in out
    assert stored() == after
