from django.core.management.base import BaseCommand, CommandError

from doorstroom.enrollments.selectors import replay_mismatches


class Command(BaseCommand):
    help = "Controleer dat de opgeslagen stand van elke inschrijving gelijk is aan het naspelen van de gebeurtenissen."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        checked, mismatches = replay_mismatches()
        for uuid, problem in mismatches[:20]:
            self.stderr.write(f"{uuid}: {problem}")
        if mismatches:
            raise CommandError(f"{len(mismatches)} van {checked} inschrijvingen wijken af.")
        self.stdout.write(f"{checked} inschrijvingen gecontroleerd: opgeslagen stand = replay.")
