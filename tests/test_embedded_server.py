"""The application as `make run` starts it: migrate, the demo, Django's server on an embedded SQLite
file, DEBUG off. Two promises are checked against that live server:

- no BSN in an address or a log: BSN searches go in the body of a POST (page and API); a BSN that is
  still put in an address is refused, and the server's own request log shows no 8- or 9-digit
  number, whatever the caller did;
- a full office on the embedded database: 16 staff members at once log in and work (lists, files,
  searches, recording contacts; every read writes an audit row) with no error and no lost session.

These tests are about the embedded set-up, so they run in the SQLite stage of `make test` only.
"""

import base64
import json
import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django_otp.oath import TOTP

from doorstroom.demo.generator import DEMO_PASSWORD

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="make run's embedded set-up is tested in the SQLite stage"
)

ROOT = Path(__file__).resolve().parent.parent
STAFF = [
    "regisseur",
    "regisseur.hengelo",
    "coach",
    "coach2",
    "coach.5050",
    "docent",
    "jobcoach",
    "intermediair",
    "teamleider",
    "projectleider",
    "onderzoeker",
    "privacy",
    "archivaris",
    "werkgever",
    "gebruikersbeheer",
    "gebruikersbeheer2",
]


def _manage(env, *args, capture=False):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Started as `make run` does (a smaller demo), on a port of its own; its output captured."""
    folder = tmp_path_factory.mktemp("make-run")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_SETTINGS", "DOORSTROOM_"))}
    env.update(
        {
            "DOORSTROOM_SQLITE_PATH": str(folder / "doorstroom.sqlite3"),
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "PYTHONUNBUFFERED": "1",
            "DOORSTROOM_LOG_LEVEL": "INFO",
        }
    )
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo", "--if-empty", "--participants", "40")
    secrets_script = (
        "import json; from doorstroom.organisations.models import User; "
        "from doorstroom.organisations.services import demo_totp_secret, api_token_issue; "
        "director = User.objects.get(username='regisseur'); "
        "searcher = User.objects.filter(username='zoeker').first() or User.objects.create_user("
        f"username='zoeker', password={DEMO_PASSWORD!r}, role=director.role, organisation=director.organisation); "
        f"users = User.objects.filter(username__in={[*STAFF, 'zoeker']!r}); "
        "print(json.dumps({'secrets': {u.username: demo_totp_secret(u) for u in users}, "
        "'token': api_token_issue(user=User.objects.get(username='regisseur'), name='logtest')[1]}))"
    )
    known = json.loads(_manage(env, "shell", "-c", secrets_script, capture=True).stdout.strip().splitlines()[-1])
    port = _free_port()
    log_path = folder / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(base + "/inloggen/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        try:
            yield {"base": base, "log": log_path, "secrets": known["secrets"], "token": known["token"], "env": env}
        finally:
            process.terminate()
            process.wait(timeout=20)


USED_STEPS: dict[str, int] = {}


def login(server, username: str) -> requests.Session:
    base = server["base"]
    session = requests.Session()
    session.get(base + "/inloggen/", timeout=30)
    answer = session.post(
        base + "/inloggen/",
        data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=60,
    )
    assert answer.url.startswith(base + "/inloggen/code/"), (username, answer.status_code, answer.url)
    # a code works once: a second login of the same account waits for the next 30-second step
    step = int(time.time() // 30)
    if USED_STEPS.get(username) == step:
        time.sleep(30 - time.time() % 30 + 0.5)
    USED_STEPS[username] = int(time.time() // 30)
    code = TOTP(base64.b32decode(server["secrets"][username])).token()
    done = session.post(
        base + "/inloggen/code/",
        data={"token": f"{code:06d}", "csrfmiddlewaretoken": session.cookies["csrftoken"], "next": "/"},
        timeout=60,
    )
    assert done.status_code == 200 and "/inloggen" not in done.url, (username, done.status_code, done.url)
    return session


def test_no_bsn_reaches_an_address_or_the_servers_log(server):
    base, log_path = server["base"], server["log"]
    bsns = ["999990019", "999990020", "999990032"]
    api = {"Authorization": f"Bearer {server['token']}"}
    session = login(server, "zoeker")  # a case director not among the 16 below: no wait for a fresh code
    for bsn in bsns:
        page = session.post(
            base + "/deelnemers/zoeken/",
            data={"q": bsn, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=30,
        )
        assert page.status_code == 200 and bsn not in page.url
        found = requests.post(base + "/api/v1/deelnemers/zoeken/", json={"q": bsn}, headers=api, timeout=30)
        assert found.status_code == 200, found.text
        # a BSN that is put in an address anyway is refused, and still not logged
        refused = requests.get(base + "/api/v1/deelnemers/", params={"q": bsn}, headers=api, timeout=30)
        assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "q"
        in_address = session.get(base + "/deelnemers/zoeken/", params={"q": bsn}, timeout=30)
        assert in_address.status_code == 400
        anonymous = requests.get(
            base + "/deelnemers/zoeken/", params={"q": f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}"}, timeout=30
        )
        assert anonymous.status_code in (200, 302)
    time.sleep(0.5)
    log = log_path.read_text()
    assert "/api/v1/deelnemers/zoeken/" in log and '"POST /deelnemers/zoeken/' in log  # the log is there
    assert "[nummer verwijderd]" in log  # and the numbers in addresses were taken out
    for bsn in bsns:
        digits = re.escape(bsn[0]) + "".join(r"[ .-]?" + re.escape(d) for d in bsn[1:])
        assert not re.search(digits, log), f"BSN {bsn} in the server's log"


def test_a_full_office_of_16_works_at_once_on_the_embedded_database(server):
    base = server["base"]
    with ThreadPoolExecutor(max_workers=16) as pool:
        sessions = list(pool.map(lambda name: login(server, name), STAFF))

    def work(session: requests.Session) -> list[str]:
        problems = []
        for round_number in range(3):
            for path in ("/mijn-deelnemers/", "/signalen/", "/programmas/", "/aanmeldingen/"):
                answer = session.get(base + path, timeout=60)
                if answer.status_code >= 500 or "/inloggen" in answer.url:
                    problems.append(f"{path}: {answer.status_code} {answer.url}")
            searched = session.post(
                base + "/deelnemers/zoeken/",
                data={"q": "de", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                timeout=60,
            )
            if searched.status_code >= 500 or "/inloggen" in searched.url:
                problems.append(f"search {round_number}: {searched.status_code} {searched.url}")
            files = re.findall(r'href="(/deelnemers/[0-9a-f-]{36}/)"', searched.text)[:2]
            for file in files:
                answer = session.get(base + file, timeout=60)
                if answer.status_code >= 500 or "/inloggen" in answer.url:
                    problems.append(f"{file}: {answer.status_code}")
                contact = session.post(
                    base + file + "contacten/nieuw/",
                    data={
                        "kind": "gesprek",
                        "status": "gehouden",
                        "occurred_on": time.strftime("%Y-%m-%d"),
                        "attendance": "verschenen",
                        "minutes": "20",
                        "csrfmiddlewaretoken": session.cookies["csrftoken"],
                    },
                    timeout=60,
                )
                if contact.status_code >= 500 or "/inloggen" in contact.url:
                    problems.append(f"contact {file}: {contact.status_code}")
        return problems

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        problems = [p for result in pool.map(work, sessions) for p in result]
    assert problems == [], problems[:20]
    # every session is still logged in afterwards
    for session in sessions:
        assert "/inloggen" not in session.get(base + "/programmas/", timeout=60).url
    assert time.monotonic() - started < 600
