from django.core.management.base import BaseCommand

from doorstroom.enrollments import services


class Command(BaseCommand):
    help = (
        "Automatische gegevensdelingen bijwerken: delingen van werk dat voorbij is beëindigen "
        "(voor een dagelijkse planner, naast signalen_bijwerken)."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        created, ended = services.work_grants_refresh()
        self.stdout.write(f"{created} delingen vastgelegd, {ended} beëindigd")
