from django.core.management.base import BaseCommand

from doorstroom.demo.generator import DEMO_PASSWORD, DEMO_USERS
from doorstroom.organisations import services as account_services
from doorstroom.organisations.models import Role, User


class Command(BaseCommand):
    help = "Toon de demo-accounts, met verse eenmalige inlogcodes voor de tweede stap."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--secrets", action="store_true", help="Toon ook de TOTP-sleutels (authenticator-app).")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
        self.stdout.write("")
        self.stdout.write("Doorstroom draait op http://127.0.0.1:8000/  (beheer: /beheer/, API: /api/docs/)")
        self.stdout.write(f"Demo-accounts. Wachtwoord voor allemaal: {DEMO_PASSWORD}")
        self.stdout.write("Medewerkers loggen in met een tweede stap: gebruik een van hun eenmalige codes hieronder")
        self.stdout.write("(elke `make run` geeft nieuwe), of hun TOTP-sleutel in een authenticator-app (--secrets).")
        for username, *_rest in DEMO_USERS:
            user = users.get(username)
            if user is None:
                continue
            org = user.organisation.name if user.organisation else "-"
            line = f"  {username:<18} {user.get_role_display():<32} {org:<34}"
            if user.role != Role.PARTICIPANT:
                secret = account_services.demo_totp_secret(user)
                codes = account_services.recovery_codes_issue(user, count=3)
                line += " codes: " + " ".join(codes)
                if options["secrets"]:
                    line += f"  TOTP: {secret}"
            else:
                line += " (geen tweede stap)"
            self.stdout.write(line)
        self.stdout.write("")
