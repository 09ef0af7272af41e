from django.core.management.base import BaseCommand

from doorstroom.demo.generator import DEMO_PASSWORD, DEMO_USERS
from doorstroom.organisations.models import User


class Command(BaseCommand):
    help = "Toon de demo-accounts om mee in te loggen."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
        self.stdout.write("")
        self.stdout.write("Doorstroom draait op http://127.0.0.1:8000/  (beheer: /beheer/, API: /api/docs/)")
        self.stdout.write(f"Demo-accounts (wachtwoord voor allemaal: {DEMO_PASSWORD}):")
        for username, *_rest in DEMO_USERS:
            user = users.get(username)
            if user is None:
                continue
            org = user.organisation.name if user.organisation else "-"
            self.stdout.write(f"  {username:<20} {user.get_role_display():<32} {org}")
        self.stdout.write("")
