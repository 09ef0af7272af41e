from django.core.management.base import BaseCommand, CommandError

from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.organisations.models import User
from doorstroom.retention import services
from doorstroom.retention.models import DestructionList


class Command(BaseCommand):
    help = "Vernietigingslijsten: opstellen, goedkeuren (archivaris) en uitvoeren."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("action", choices=["opstellen", "goedkeuren", "uitvoeren"])
        parser.add_argument("--lijst", type=int, help="nummer van de vernietigingslijst")
        parser.add_argument("--door", required=True, help="gebruikersnaam van wie dit doet")
        parser.add_argument("--proef", action="store_true", help="alleen tonen wat er zou gebeuren")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        actor = User.objects.filter(username=options["door"], is_active=True).first()
        if actor is None:
            raise CommandError("Onbekende gebruiker.")
        try:
            if options["action"] == "opstellen":
                if actor.organisation is None:
                    raise CommandError("Deze gebruiker hoort bij geen gemeente.")
                made = services.destruction_list_create(
                    actor=actor, municipality=actor.organisation, today=clock.today()
                )
                self.stdout.write(f"Vernietigingslijst {made.pk}: {made.items.count()} dossiers (concept).")
                return
            destruction_list = (
                DestructionList.objects.filter(pk=options["lijst"]).select_related("municipality").first()
            )
            if destruction_list is None:
                raise CommandError("Onbekende lijst.")
            if options["action"] == "goedkeuren":
                services.destruction_list_approve(destruction_list=destruction_list, actor=actor)
                self.stdout.write(f"Vernietigingslijst {destruction_list.pk} goedgekeurd door {actor.username}.")
                return
            done = services.destruction_list_execute(
                destruction_list=destruction_list, today=clock.today(), dry_run=options["proef"]
            )
            verb = "zou vernietigen" if options["proef"] else "vernietigd"
            self.stdout.write(f"Vernietigingslijst {destruction_list.pk}: {len(done)} dossiers {verb}.")
        except DomainError as error:
            raise CommandError(error.message) from error
