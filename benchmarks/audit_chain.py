"""Does the audit chain serialise concurrent requests? Several processes append audit rows at once,
each in a transaction held open for a while after its row (as a write request holds it: the change
row goes first, then the data, then the commit). Prints rows per second by number of writers and
how often a writer waited for another's lock; writes benchmarks/audit-chain-results.json. Not a test.

Usage (from the repository root), on a scratch database (it is migrated and gets audit rows):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doorstroom_auditbench .venv/bin/python benchmarks/audit_chain.py
"""

import argparse
import json
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # the scratch database's own checkpoints, never those of `make run`'s database
    os.environ.setdefault("DOORSTROOM_AUDIT_CHECKPOINTS", str(ROOT / "var" / "auditbench-checkpoints.log"))
    os.environ["DOORSTROOM_DEBUG"] = "false"
    import django

    django.setup()


def writer(seconds: float, hold_ms: float, results: "multiprocessing.Queue[tuple[int, float]]") -> None:
    """Append rows until the time is up; report (rows, seconds spent waiting for the chain)."""
    _django()
    from django.db import connection, transaction

    from doorstroom.access import audit

    rows, waited = 0, 0.0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        with transaction.atomic():
            started = time.perf_counter()
            audit.record(user=None, action="read", result="allowed", object_type="benchmark")
            waited += time.perf_counter() - started
            if hold_ms:
                time.sleep(hold_ms / 1000)  # the rest of the write transaction
        rows += 1
    connection.close()
    results.put((rows, waited))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--hold-ms", type=float, nargs="*", default=[0.0, 10.0])
    parser.add_argument("--writers", type=int, nargs="*", default=[1, 2, 4, 8])
    args = parser.parse_args()
    _django()
    from django.core.management import call_command
    from django.db import connection

    from doorstroom.access.audit import verify_chain

    call_command("migrate", verbosity=0)
    connection.close()
    context = multiprocessing.get_context("spawn")
    figures = []
    for hold in args.hold_ms:
        for n in args.writers:
            queue = context.Queue()
            processes = [context.Process(target=writer, args=(args.seconds, hold, queue)) for _ in range(n)]
            for p in processes:
                p.start()
            answers = [queue.get(timeout=args.seconds + 120) for _ in processes]
            for p in processes:
                p.join()
            rows = sum(r for r, _ in answers)
            line = {
                "writers": n,
                "transaction_held_ms": hold,
                "rows_per_second": round(rows / args.seconds, 1),
                "ms_per_append_including_wait": round(sum(w for _, w in answers) / rows * 1000, 2),
            }
            figures.append(line)
            print(line, flush=True)
    report = verify_chain()
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": connection.vendor,
        "chain_intact_after": report.intact,
        "rows_checked": report.checked,
        "figures": figures,
    }
    (Path(__file__).parent / "audit-chain-results.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
