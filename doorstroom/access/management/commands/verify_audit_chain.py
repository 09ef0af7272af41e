from django.core.management.base import BaseCommand, CommandError

from doorstroom.access.audit import verify_chain


class Command(BaseCommand):
    help = "Controleer de hashketen van het auditlog (wijzigingen, verwijderingen, invoegingen, volgorde)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        report = verify_chain()
        if not report.intact:
            raise CommandError(
                f"Auditlog NIET in orde bij regel {report.broken_at}: {report.reason} "
                f"({report.checked} regels gecontroleerd)."
            )
        self.stdout.write(f"Auditlog in orde: {report.checked} regels, keten sluit.")
