"""Every request's time, queries and outcome into the metrics, labelled by its route's name."""

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

from doorstroom.core import metrics


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        queries = _QueryCount()
        try:
            with connection.execute_wrapper(queries):
                response = self.get_response(request)
        except Exception:
            _observe(request, 500, time.perf_counter() - started, queries.count)
            raise
        _observe(request, response.status_code, time.perf_counter() - started, queries.count)
        return response


class _QueryCount:
    """Counts the queries a request sends to the database (a wrapper around each execution)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def route_of(request: HttpRequest) -> str:
    """The route's name (e.g. "participants:detail"), never the address: an address can hold an id."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "static" if request.path.startswith("/static/") else "onbekend"
    return match.view_name or "onbekend"


def _observe(request: HttpRequest, status: int, seconds: float, queries: int) -> None:
    route = route_of(request)
    metrics.REQUEST_SECONDS.labels(route, request.method or "", f"{status // 100}xx").observe(seconds)
    metrics.REQUEST_QUERIES.labels(route).observe(queries)
    if status >= 500:
        metrics.REQUEST_ERRORS.labels(route).inc()
