import sys
import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db.models import Model

from doorstroom.core import clock
from doorstroom.demo import generator
from doorstroom.participants.models import Participant
from doorstroom.signalering import services
from doorstroom.signalering.models import Signal, SignalEvent


def rows_in_doorstroom_tables() -> int:
    """All rows of the application's own tables (for the seeding rate: rows written per second)."""
    models: list[type[Model]] = [
        m for m in apps.get_models(include_auto_created=True) if m.__module__.startswith("doorstroom.")
    ]
    return sum(m._default_manager.count() for m in models)


class ProgressBar:
    """One line that is redrawn on a terminal, and a line per step elsewhere (a log keeps them)."""

    def __init__(self, stream=sys.stderr, width: int = 30) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream
        self.width = width
        self.started = time.monotonic()
        self.redraw = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        share = done / total if total else 1.0
        left = elapsed / share - elapsed if share else 0.0
        filled = round(self.width * share)
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{total:,} deelnemers"
            f" · {elapsed:.0f} s · nog ongeveer {left:.0f} s"
        )
        end = "" if self.redraw and done < total else "\n"
        self.stream.write(("\r" if self.redraw else "") + line + end)
        self.stream.flush()


class Command(BaseCommand):
    help = "Vul de database met een synthetische demoregio (deterministisch per seed)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--participants", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="Niets doen als er al deelnemers zijn.")
        parser.add_argument("--no-progress", action="store_true", help="Geen voortgangsbalk tonen.")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["if_empty"] and Participant.objects.exists():
            self.stdout.write("Demodata staat er al; niets toegevoegd (make reset begint opnieuw).")
            return
        rows_before = rows_in_doorstroom_tables()
        started = time.monotonic()
        made = generator.generate(
            participants=options["participants"],
            seed=options["seed"],
            today=clock.today(),
            verbose=options["verbosity"] > 1,
            progress=None if options["no_progress"] else ProgressBar(),
        )
        seeded = time.monotonic() - started
        # fresh statistics: before autovacuum gets to millions of new rows, the planner would guess
        # (a parallel scan for one participant's three events cost 10 ms at T2)
        generator.fresh_statistics()
        rows = rows_in_doorstroom_tables() - rows_before
        refresh_started = time.monotonic()  # the refresh alone (not the statistics and the row count)
        signals = services.signals_refresh(today=clock.today())
        refreshed = time.monotonic() - refresh_started
        # and of the signals just opened (a caseload's signal counts were planned as if a region had
        # a hundred live signals, and scanned all 42,000 of them: 8 ms instead of 1)
        generator.fresh_statistics(Signal, SignalEvent)
        self.stdout.write(f"Signalen: {sum(opened for opened, _ in signals.values())} open.")
        self.stdout.write(
            f"Demo klaar: {made['participants']} deelnemers, {made['enrollments']} inschrijvingen, "
            f"{made['events']} gebeurtenissen; {rows:,} rijen in {seeded:.1f} s "
            f"({rows / seeded if seeded else 0:,.0f} rijen per seconde), signalen in {refreshed:.1f} s."
        )
