"""`manage.py report --door <gebruiker> --programme … --format json|csv|xlsx|pdf`: a report computed
acting as that user (their report scope, their suppression), audited like the page."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doorstroom.access import policy as access
from doorstroom.core.errors import DomainError
from doorstroom.monitoring import exports, services
from doorstroom.organisations.models import User


class Command(BaseCommand):
    help = "Maak een rapportage als een gebruiker (json, csv of xlsx) en schrijf die naar stdout of een bestand."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--door", required=True, help="Gebruikersnaam: de rapportage zoals deze gebruiker haar ziet."
        )
        parser.add_argument("--programme", action="append", default=[], help="Programmacode (herhaalbaar).")
        parser.add_argument("--gemeente", action="append", default=[], help="Uuid van een gemeente (herhaalbaar).")
        parser.add_argument("--regio", default=None, help="Uuid van een regio.")
        parser.add_argument("--basis", default=None, choices=["aangemeld", "gestart"])
        parser.add_argument("--van", default=None, help="Begin van de periode (JJJJ-MM-DD).")
        parser.add_argument("--tot", default=None, help="Einde van de periode, tot en met.")
        parser.add_argument("--peildatum", default=None, help="Stand per (standaard vandaag).")
        parser.add_argument("--buiten", action="store_true", help="Voor gebruik buiten de organisatie: verborgen.")
        parser.add_argument("--format", default="json", choices=["json", "csv", "xlsx", "pdf"])
        parser.add_argument("--komma", action="store_true", help="CSV met komma's in plaats van puntkomma's.")
        parser.add_argument("--uitvoer", default=None, help="Bestand; zonder: stdout (xlsx vraagt een bestand).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["door"], is_active=True).first()
        if user is None:
            raise CommandError(f"--door: onbekende of inactieve gebruiker '{options['door']}'.")
        query: dict[str, list[str]] = {}
        if options["programme"]:
            query["programma"] = options["programme"]
        if options["gemeente"]:
            query["gemeente"] = options["gemeente"]
        for name in ("regio", "basis", "van", "tot", "peildatum"):
            if options[name]:
                query[name] = [options[name]]
        try:
            access.report_scope(user)
            parameters = services.parameters_from(user, query)
        except access.Refusal as refused:
            raise CommandError(f"--door: {refused.message}") from refused
        except DomainError as error:
            problems = getattr(error, "errors", None) or [error]
            names = {"programma": "--programme"}
            raise CommandError(
                "; ".join(f"{names.get(e.field or '', '--' + (e.field or ''))}: {e.message}" for e in problems)
            ) from error
        report, _members = services.report_compute(user, parameters, outside=options["buiten"])
        access.record_report(user, what="report_export")
        if options["format"] in ("xlsx", "pdf"):
            if not options["uitvoer"]:
                raise CommandError("--uitvoer: een Excel- of PDF-bestand gaat naar een bestand, niet naar het scherm.")
            with open(options["uitvoer"], "wb") as handle:
                handle.write(exports.as_xlsx(report) if options["format"] == "xlsx" else exports.as_pdf(report))
            return
        text = (
            exports.as_csv(report, delimiter="," if options["komma"] else ";")
            if options["format"] == "csv"
            else exports.as_json(report)
        )
        if options["uitvoer"]:
            with open(options["uitvoer"], "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
