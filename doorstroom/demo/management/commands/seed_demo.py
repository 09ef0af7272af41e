import time

from django.core.management.base import BaseCommand

from doorstroom.core import clock
from doorstroom.demo import generator
from doorstroom.participants.models import Participant
from doorstroom.signalering import services


class Command(BaseCommand):
    help = "Vul de database met een synthetische demoregio (deterministisch per seed)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--participants", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="Niets doen als er al deelnemers zijn.")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["if_empty"] and Participant.objects.exists():
            self.stdout.write("Demodata staat er al; niets toegevoegd (make reset begint opnieuw).")
            return
        started = time.monotonic()
        made = generator.generate(
            participants=options["participants"],
            seed=options["seed"],
            today=clock.today(),
            verbose=options["verbosity"] > 1,
        )
        signals = services.signals_refresh(today=clock.today())
        self.stdout.write(f"Signalen: {sum(opened for opened, _ in signals.values())} open.")
        self.stdout.write(
            f"Demo klaar: {made['participants']} deelnemers, {made['enrollments']} inschrijvingen, "
            f"{made['events']} gebeurtenissen in {time.monotonic() - started:.1f} s."
        )
