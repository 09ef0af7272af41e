"""Every request's time and outcome into the metrics, labelled by its route's name."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from doorstroom.core import metrics


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except Exception:
            _observe(request, 500, time.perf_counter() - started)
            raise
        _observe(request, response.status_code, time.perf_counter() - started)
        return response


def route_of(request: HttpRequest) -> str:
    """The route's name (e.g. "participants:detail"), never the address: an address can hold an id."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "static" if request.path.startswith("/static/") else "onbekend"
    return match.view_name or "onbekend"


def _observe(request: HttpRequest, status: int, seconds: float) -> None:
    route = route_of(request)
    metrics.REQUEST_SECONDS.labels(route, request.method or "", f"{status // 100}xx").observe(seconds)
    if status >= 500:
        metrics.REQUEST_ERRORS.labels(route).inc()
