"""The health endpoint says what works and what does not, on the real services: a Redis that
answers and one that does not, an audit log that cannot keep its checkpoints."""

import socket

from django.test import override_settings

import pytest

from doorstroom.access import audit
from doorstroom.access.models import AuditEvent

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/15"


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def redis_cache(url: str) -> dict:
    return {"default": {"BACKEND": "doorstroom.core.shared_cache.SharedRedisCache", "LOCATION": url, "KEY_PREFIX": "t"}}


def test_healthy_service_answers_200_with_each_check(client):
    answer = client.get("/health/")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "audit": "ok"}}
    assert "no-store" in answer["Cache-Control"]


def test_the_audit_probe_leaves_the_chain_as_it_was(client):
    before = AuditEvent.objects.count()
    assert client.get("/health/").status_code == 200
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(object_type="health_probe").exists()
    assert audit.verify_chain().intact


def test_redis_is_checked_for_real_and_its_absence_is_a_503(client):
    if not redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379 (make test's machine has one)")
    with override_settings(REDIS_URL=REDIS, CACHES=redis_cache(REDIS)):
        from django.core.cache import caches

        caches["default"].clear()
        answer = client.get("/health/")
        assert answer.status_code == 200 and answer.json()["checks"]["redis"] == "ok"
    closed = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with override_settings(REDIS_URL=closed, CACHES=redis_cache(closed)):
        answer = client.get("/health/")
        assert answer.status_code == 503
        body = answer.json()
        assert body["status"] == "fout"
        assert body["checks"]["redis"] != "ok" and body["checks"]["database"] == "ok"


def test_an_audit_log_that_cannot_keep_its_checkpoints_is_a_503(client, tmp_path):
    missing = tmp_path / "gone" / "checkpoints.log"  # its folder does not exist
    with override_settings(DOORSTROOM_AUDIT_CHECKPOINTS=str(missing)):
        answer = client.get("/health/")
    assert answer.status_code == 503
    assert answer.json()["checks"]["audit"].startswith("audit:")
    with override_settings(DOORSTROOM_AUDIT_CHECKPOINTS=str(tmp_path / "checkpoints.log")):
        assert client.get("/health/").status_code == 200
