from django.core.management.base import BaseCommand

from doorstroom.core import clock
from doorstroom.signalering import services


class Command(BaseCommand):
    help = "Signalen bijwerken: nieuwe openen, verdwenen sluiten (voor een dagelijkse planner)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for rule, (opened, closed) in services.signals_refresh(today=clock.today()).items():
            self.stdout.write(f"{rule}: {opened} geopend, {closed} gesloten")
