"""/metrics: request times by route name (never an address with an id in it), errors, audit writes
and the queue; only for a scraper on this machine or one with the token."""

from django.test import override_settings

import pytest

from doorstroom.access import audit
from doorstroom.access.models import AuditAction, AuditResult
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text, 0 when absent."""
    for line in text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            head = line.split(" ")[0]
            if head == name or head.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_requests_are_counted_by_route_name_without_ids(client):
    participant = ParticipantFactory()
    before = client.get("/metrics").content.decode()
    client.get(f"/deelnemers/{participant.uuid}/?q=123456782")
    client.get("/inloggen/")
    text = client.get("/metrics").content.decode()
    counted = sample(text, "doorstroom_request_seconds_count", method="GET", status="2xx")
    assert (
        sample(text, "doorstroom_request_seconds_count", route="login", method="GET", status="2xx")
        == sample(before, "doorstroom_request_seconds_count", route="login", method="GET", status="2xx") + 1
    )
    assert counted >= 1
    assert str(participant.uuid) not in text and "123456782" not in text


def test_audit_writes_are_counted_once_committed(client, django_capture_on_commit_callbacks):
    def writes() -> float:
        return sample(client.get("/metrics").content.decode(), "doorstroom_audit_writes_total")

    before = writes()
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(user=None, action=AuditAction.READ, result=AuditResult.ALLOWED, object_type="proef")
        audit.record(user=None, action=AuditAction.READ, result=AuditResult.ALLOWED, object_type="proef")
    assert writes() == before + 2


def test_only_this_machine_or_the_token_reads_the_metrics(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.10").status_code == 403
    with override_settings(DOORSTROOM_METRICS_TOKEN="geheim-token-voor-prometheus"):
        allowed = client.get(
            "/metrics", REMOTE_ADDR="192.0.2.10", HTTP_AUTHORIZATION="Bearer geheim-token-voor-prometheus"
        )
        wrong = client.get("/metrics", REMOTE_ADDR="192.0.2.10", HTTP_AUTHORIZATION="Bearer iets-anders")
    assert allowed.status_code == 200 and b"doorstroom_request_seconds" in allowed.content
    assert wrong.status_code == 403


def test_queries_per_request_are_counted_by_route(client):
    def summed(text: str) -> tuple[float, float]:
        return (
            sample(text, "doorstroom_request_queries_sum", route="operations:health"),
            sample(text, "doorstroom_request_queries_count", route="operations:health"),
        )

    before = summed(client.get("/metrics").content.decode())
    client.get("/health/")
    after = summed(client.get("/metrics").content.decode())
    assert after[1] == before[1] + 1
    assert after[0] - before[0] >= 2  # the health check asks the database (SELECT 1, the audit probe)
