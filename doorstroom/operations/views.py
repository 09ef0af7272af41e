"""Health and metrics for the people who run the service. Neither answer holds personal data."""

import hmac
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from . import checks, queue

LOOPBACK = {"127.0.0.1", "::1"}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database, the shared cache and the audit log all work; else 503 naming what fails
    (a load balancer takes the worker out; nothing of what failed is more than its kind)."""
    found = checks.all_checks()
    healthy = all(c.ok for c in found)
    return JsonResponse(
        {"status": "ok" if healthy else "fout", "checks": {c.name: c.problem or "ok" for c in found}},
        status=200 if healthy else 503,
    )


class _QueueLength:
    """Jobs waiting in the task queue, read when scraped."""

    def collect(self):  # type: ignore[no-untyped-def]
        waiting = queue.waiting()
        family = GaugeMetricFamily(
            "doorstroom_queue_waiting", "Jobs waiting in the task queue, per queue.", labels=["queue"]
        )
        for name, count in waiting.items():
            family.add_metric([name], count)
        yield family


def _allowed(request: HttpRequest) -> bool:
    token = settings.DOORSTROOM_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return request.META.get("REMOTE_ADDR", "") in LOOPBACK


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format: request times, errors, audit writes (added up over every worker under
    gunicorn) and the task queue's length."""
    if not _allowed(request):
        return HttpResponse("Alleen voor de monitoring van deze dienst.\n", status=403, content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_Everything())
    registry.register(_QueueLength())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class _Everything:
    """This process's own figures (no gunicorn: `make run`, tests)."""

    def collect(self):  # type: ignore[no-untyped-def]
        yield from REGISTRY.collect()
