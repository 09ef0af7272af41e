from django.core.management.base import BaseCommand

from doorstroom.demo.generator import DEMO_PASSWORD, DEMO_USERS
from doorstroom.organisations import services as account_services
from doorstroom.organisations.models import Role, User


class Command(BaseCommand):
    help = "Toon de demo-accounts, met verse eenmalige inlogcodes voor de tweede stap."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--secrets", action="store_true", help="Toon ook de TOTP-sleutels (authenticator-app).")
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="Het adres waarop de server draait (zoals `make run` het aan runserver geeft).",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
        address = str(options["address"]).removeprefix("http://").rstrip("/")
        base = f"http://{address}"
        self.stdout.write("")
        self.stdout.write(f"Doorstroom draait op {base}/  (beheer: {base}/beheer/, API: {base}/api/docs/)")
        self.stdout.write(f"Demo-accounts. Wachtwoord voor allemaal: {DEMO_PASSWORD}")
        self.stdout.write("Medewerkers loggen in met een tweede stap: gebruik een van hun eenmalige codes hieronder")
        self.stdout.write("(elke `make run` geeft nieuwe), of hun TOTP-sleutel in een authenticator-app (--secrets).")
        shown = [users[name] for name, *_rest in DEMO_USERS if name in users]
        widths = (
            max((len(u.username) for u in shown), default=8),
            max((len(str(u.get_role_display())) for u in shown), default=8),
            max((len(u.organisation.name) if u.organisation else 1 for u in shown), default=8),
        )
        self.stdout.write(
            f"  {'Account':<{widths[0]}}  {'Rol':<{widths[1]}}  {'Organisatie':<{widths[2]}}  Tweede stap"
        )
        for user in shown:
            org = user.organisation.name if user.organisation else "-"
            line = f"  {user.username:<{widths[0]}}  {user.get_role_display():<{widths[1]}}  {org:<{widths[2]}}"
            if user.role != Role.PARTICIPANT:
                secret = account_services.demo_totp_secret(user)
                codes = account_services.recovery_codes_issue(user, count=3)
                line += "  codes: " + " ".join(codes)
                if options["secrets"]:
                    line += f"  TOTP: {secret}"
            else:
                line += "  (geen tweede stap)"
            self.stdout.write(line)
        self.stdout.write("")
