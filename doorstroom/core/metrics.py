"""The service's own figures in Prometheus form: request times, errors, audit writes. Under gunicorn
every worker writes its figures to PROMETHEUS_MULTIPROC_DIR and /metrics adds them up; without it
(`make run`, tests) they live in this process. No label ever carries personal data: a request is
labelled by its route's name, never by its address."""

from prometheus_client import Counter, Histogram

REQUEST_SECONDS = Histogram(
    "doorstroom_request_seconds",
    "Time to answer a request, by route name, method and status class.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
REQUEST_QUERIES = Histogram(
    "doorstroom_request_queries",
    "Database queries one request made, by route name (a page's count must not grow with the caseload).",
    ["route"],
    buckets=(1, 2, 5, 10, 15, 20, 30, 50, 100, 200, 500),
)
REQUEST_ERRORS = Counter(
    "doorstroom_request_errors",
    "Requests answered with a server error (5xx), by route name.",
    ["route"],
)
AUDIT_WRITES = Counter(
    "doorstroom_audit_writes",
    "Rows appended to the audit chain.",
)
