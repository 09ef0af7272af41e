"""The consistency check of every cache of a history: enrollments against their events, the reports'
score series against the scores. In operations because it reads two apps that do not know each other."""

from django.core.management.base import BaseCommand, CommandError

from doorstroom.enrollments.selectors import replay_mismatches
from doorstroom.measurements.series import series_mismatches


class Command(BaseCommand):
    help = (
        "Controleer dat de opgeslagen stand van elke inschrijving gelijk is aan het naspelen van de gebeurtenissen, "
        "en dat de meetreeksen voor de rapportages gelijk zijn aan de scores."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        checked, mismatches = replay_mismatches()
        for uuid, problem in mismatches[:20]:
            self.stderr.write(f"{uuid}: {problem}")
        series_checked, series_wrong = series_mismatches()
        for participant_id, problem in series_wrong[:20]:
            self.stderr.write(f"deelnemer {participant_id}: {problem}")
        if mismatches or series_wrong:
            raise CommandError(
                f"{len(mismatches)} van {checked} inschrijvingen en {len(series_wrong)} van {series_checked} "
                "meetreeksen wijken af."
            )
        self.stdout.write(f"{checked} inschrijvingen gecontroleerd: opgeslagen stand = replay.")
        self.stdout.write(f"{series_checked} meetreeksen gecontroleerd: opgeslagen reeks = scores.")
