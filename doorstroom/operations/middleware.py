"""Every request's time, queries and outcome into the metrics, labelled by its route's name."""

import contextlib
import sys
import time
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from doorstroom.core import metrics
from doorstroom.core.errors import service_unavailable


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


class DatabaseUnavailableMiddleware:
    """A lost database connection (the server restarted, the connection was cut) ends the request in a
    clean 503 instead of a server error: the transaction was rolled back, nothing was half written,
    and the connection is dropped so the next request gets a fresh one (assurance F3)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_gone", False):
            # the connection broke in a middleware after the view (the audit rows, the session): the
            # layer there made a server error of it; it is the same outage
            with contextlib.suppress(Exception):
                connection.close()
            return service_unavailable(request, DATABASE_GONE, "database_unavailable", retry_after=5)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        with contextlib.suppress(Exception):
            connection.close()  # unusable now; the next request opens a new one
        return service_unavailable(request, DATABASE_GONE, "database_unavailable", retry_after=5)


class SharedCacheUnavailableMiddleware:
    """The shared cache (Redis, where `make serve` keeps the login throttle, the API's rate limits and
    the duplicate-check limit) that cannot be reached ends the request in a clean 503 instead of a
    server error. A limit that cannot be counted is not waived: the request is refused, and says why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RedisConnectionError | RedisTimeoutError):
            return None
        return service_unavailable(request, SHARED_CACHE_GONE, "cache_unavailable", retry_after=5)


SHARED_CACHE_GONE = _(
    "Doorstroom kan een onderdeel dat aanmeldpogingen en verzoeken telt op dit moment niet bereiken. "
    "Er is niets opgeslagen; probeer het zo opnieuw."
)

DATABASE_GONE = _(
    "Doorstroom kan de database op dit moment niet bereiken. Er is niets opgeslagen; probeer het zo opnieuw."
)


def note_database_gone(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """`got_request_exception`: remember on the request that what went wrong was the connection."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OperationalError | InterfaceError):
        request.database_gone = True  # type: ignore[attr-defined]
