"""`make serve` for real: the script starts gunicorn with several workers, a Celery worker and its
scheduler on PostgreSQL and Redis; the test talks to it over HTTP like a browser or a scraper would.
It checks what the production set-up promises: health, hashed and compressed static files, a login
throttle shared by all workers (Redis, not each worker's memory), an access log without personal
data, metrics added up over the workers, a job through the real queue, and a clean stop."""

import os
import re
import secrets
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.db import connection

import psycopg
import pytest
import requests
from celery import Celery
from cryptography.fernet import Fernet

from .test_health import redis_reachable

ROOT = Path(__file__).resolve().parents[3]
REDIS_DB = "redis://127.0.0.1:6379/14"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("make serve runs on PostgreSQL (make test runs this there)")
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis on 127.0.0.1:6379 is needed for make serve")
        pytest.skip("no Redis on 127.0.0.1:6379")
    s = connection.settings_dict
    name = f"{s['NAME']}_serve"
    who = f"{quote(s['USER'] or 'postgres')}:{quote(s['PASSWORD'] or '')}"
    server = f"postgres://{who}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    import redis

    redis.Redis.from_url(REDIS_DB).flushdb()
    port = free_port()
    log = tmp_path / "access.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DOORSTROOM_"))},
        "DATABASE_URL": f"{server}/{name}",
        "REDIS_URL": REDIS_DB,
        "DOORSTROOM_BIND": f"127.0.0.1:{port}",
        "DOORSTROOM_WORKERS": "3",
        "DOORSTROOM_ACCESS_LOG": str(log),
        "DOORSTROOM_SECRET_KEY": secrets.token_urlsafe(50),
        "DOORSTROOM_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DOORSTROOM_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "DOORSTROOM_AUDIT_KEY": secrets.token_urlsafe(32),
        "DOORSTROOM_AUDIT_CHECKPOINTS": str(tmp_path / "checkpoints.log"),
        "DOORSTROOM_CONTROL_SOCKET": str(tmp_path / "gunicorn.ctl"),
        "DOORSTROOM_BEAT_SCHEDULE": str(tmp_path / "beat-schedule"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    output = tmp_path / "serve.out"
    process = subprocess.Popen(  # noqa: S603 - our own script
        ["bash", str(ROOT / "scripts" / "serve.sh")],
        cwd=ROOT,
        env=env,
        stdout=output.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{base}/health/", timeout=5).status_code == 200:
                break
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or a first worker still warming up on a busy machine
        time.sleep(0.5)
    else:
        stop(process)
        pytest.fail(f"make serve did not come up: {output.read_text(errors='replace')[-3000:]}")
    try:
        yield {"base": base, "log": log, "process": process}
    finally:
        stop(process)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the script's process group; SIGKILL if it has not ended within a minute."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise


def failed_login(base: str, username: str) -> str:
    """One wrong password, on a connection of its own (gunicorn hands it to any worker)."""
    with requests.Session() as browser:
        page = browser.get(f"{base}/inloggen/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = browser.post(
            f"{base}/inloggen/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": "helemaal-fout"},
            headers={"Referer": f"{base}/inloggen/", "Connection": "close"},
            timeout=10,
        )
        return answer.text


def test_make_serve_runs_the_production_set_up(served):
    base, process = served["base"], served["process"]
    health = requests.get(f"{base}/health/", timeout=10).json()
    assert health == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "audit": "ok"}}

    # static files: hashed names, compressed, cached for good
    page = requests.get(f"{base}/inloggen/", timeout=10)
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page.text)
    assert css, "the login page links a hashed stylesheet"
    static = requests.get(f"{base}{css.group(1)}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert static.status_code == 200 and static.headers.get("Content-Encoding") == "gzip"
    assert "immutable" in static.headers["Cache-Control"]

    # the login throttle counts in Redis: the sixth try is refused whichever worker takes it
    name = f"niemand-{secrets.token_hex(3)}"
    answers = [failed_login(base, name) for _ in range(6)]
    assert all("Te vaak" not in a for a in answers[:5])
    assert "Te vaak" in answers[5]
    import redis

    shared = redis.Redis.from_url(REDIS_DB)
    counted = [k for k in shared.keys("*") if k.decode().endswith(f"login-fail:user:{name}")]
    assert len(counted) == 1 and int(shared.get(counted[0])) == 5  # every worker reads this one count

    # the access log: the shape of the address, no ids, no search terms, no client address
    someone = uuid.uuid4()
    requests.get(f"{base}/deelnemers/{someone}/?q=123456782", timeout=10, allow_redirects=False)
    time.sleep(0.5)
    lines = served["log"].read_text()
    assert '"GET /deelnemers/:id/ HTTP/1.1" 302' in lines
    assert str(someone) not in lines and "123456782" not in lines and "127.0.0.1" not in lines

    # metrics over every worker: the seven logins and the queue
    metrics = requests.get(f"{base}/metrics", timeout=10).text
    posted = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("doorstroom_request_seconds_count{") and 'route="login"' in line and 'method="POST"' in line
    )
    assert posted == 6
    assert 'doorstroom_queue_waiting{queue="celery"}' in metrics

    # a scheduled job through the real queue and worker
    queue = Celery(broker=REDIS_DB, backend=REDIS_DB)
    assert queue.send_task("doorstroom.operations.tasks.retention_listing").get(timeout=90) == 0

    # a clean stop: gunicorn, the worker and the scheduler all end
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)
    time.sleep(1)
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)
