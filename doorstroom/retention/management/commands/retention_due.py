from datetime import date

from django.core.management.base import BaseCommand

from doorstroom.core import clock
from doorstroom.retention.selectors import files_due_for_destruction


class Command(BaseCommand):
    help = "Proefdraaien: welke dossiers zijn toe aan vernietiging (er wordt niets verwijderd)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--peildatum", type=date.fromisoformat, default=None)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        today = options["peildatum"] or clock.today()
        due = files_due_for_destruction(today=today)
        for item in due:
            self.stdout.write(
                f"{item.participant_uuid}  afgesloten {item.last_ended_on}  vernietigen vanaf {item.due_on}  "
                f"{len(item.enrollment_uuids)} inschrijving(en): {', '.join(item.programme_codes)}"
            )
        self.stdout.write(
            f"Peildatum {today}: {len(due)} dossiers toe aan vernietiging (proefdraaien, niets verwijderd)."
        )
