"""`manage.py import_history --door <gebruiker> deelnemers.csv trajecten.csv …`: bring existing
histories in acting as that user (their scope, their audit row), all or nothing, with a progress
bar for large files. `--controleer` checks and shows what would happen without writing."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doorstroom.access import policy as access
from doorstroom.imports import services
from doorstroom.organisations.models import User


class ProgressBar:
    """A plain progress bar on stderr (redrawn at most ten times a second)."""

    def __init__(self, stream: Any, width: int = 30) -> None:
        self.stream, self.width, self.shown_at = stream, width, 0.0  # a command's OutputWrapper

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown_at < 0.1:
            return
        self.shown_at = now
        filled = self.width * done // max(total, 1)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} deelnemers",
            ending="\n" if done >= total else "",
        )
        self.stream.flush()


class Command(BaseCommand):
    help = "Lees bestaande trajecten in uit CSV- of Excel-bestanden (zie docs/import.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bestanden", nargs="+", help="CSV-bestanden (één per tabel) of een Excel-werkboek.")
        parser.add_argument(
            "--door", required=True, help="Gebruikersnaam van wie inleest (klantregisseur of teamleider)."
        )
        parser.add_argument("--controleer", action="store_true", help="Alleen controleren; niets opslaan.")
        parser.add_argument("--stil", action="store_true", help="Geen voortgangsbalk.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["door"], is_active=True).select_related("organisation").first()
        if user is None:
            raise CommandError(f"--door: onbekende of inactieve gebruiker '{options['door']}'.")
        files = []
        for name in options["bestanden"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: bestand niet gevonden.")
            files.append((path.name, path.read_bytes()))
        progress = None if options["stil"] or options["verbosity"] == 0 else ProgressBar(self.stderr)
        try:
            outcome = services.import_files(user=user, files=files, write=not options["controleer"], progress=progress)
        except access.Refusal as refused:
            raise CommandError(f"--door: {refused.message}") from refused
        for table, new, changed, same in outcome.summary():
            self.stdout.write(f"{table}: {new} nieuw, {changed} gewijzigd, {same} ongewijzigd")
        if outcome.problems:
            for problem in outcome.problems:
                self.stderr.write(problem.line())
            raise CommandError(f"{len(outcome.problems)} problemen gevonden; er is niets opgeslagen.")
        if options["controleer"]:
            self.stdout.write("Gecontroleerd: geen problemen. Er is niets opgeslagen (--controleer).")
        elif outcome.written and outcome.batch is not None:
            self.stdout.write(f"Ingelezen: {outcome.participants} deelnemers (import {outcome.batch.uuid}).")
        else:
            self.stdout.write("Niets nieuws: alles in deze bestanden stond er al.")
