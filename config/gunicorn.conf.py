"""gunicorn for `make serve` (docs/operations.md). Every value can be set from the environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("DOORSTROOM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("DOORSTROOM_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("DOORSTROOM_THREADS", "1"))
timeout = int(os.environ.get("DOORSTROOM_TIMEOUT", "60"))  # a report of a whole region takes seconds
graceful_timeout = 30
max_requests = 2000  # a worker is renewed now and then (memory), jittered so not all at once
max_requests_jitter = 200
preload_app = True  # workers start warm: Django is imported once, before the fork
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108  # nosec B108 - heartbeat files, made with mkstemp
accesslog = os.environ.get("DOORSTROOM_ACCESS_LOG", "-")
errorlog = "-"
logger_class = "doorstroom.operations.access_log.AccessLogWithoutPersonalData"
access_log_format = '%(t)s "%(r)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = os.environ.get("DOORSTROOM_FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """A worker's figures leave the metrics with it (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# the control socket (`gunicornc`) of this set-up lives beside its other run-time files
control_socket = os.environ.get("DOORSTROOM_CONTROL_SOCKET", os.path.join(os.getcwd(), "var", "gunicorn.ctl"))


#: requests after which a worker moves what it has built up for good (templates, URL resolvers,
#: translations, prepared statements) out of the collector's way
WARM_REQUESTS = 100


def pre_fork(server, worker):  # type: ignore[no-untyped-def]
    """What the master loaded (Django, the apps, their modules) goes to the permanent generation
    before a worker is forked: a worker's full collections then walk only what requests made. In a
    warm worker a full collection of everything took about 100 ms, once every 25 or so requests of
    a caseload page (benchmarks/RESULTS.md)."""
    gc.freeze()


def post_request(worker, req, environ, resp):  # type: ignore[no-untyped-def]
    if worker.nr == WARM_REQUESTS:
        gc.collect()  # garbage is not frozen
        gc.freeze()
