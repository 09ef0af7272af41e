"""The weekly digest: every active staff member with live signals on their caseload gets one
e-mail listing them (names only as far as the reader may see; no details of health or justice)."""

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.urls import reverse

from doorstroom.access import policy as access
from doorstroom.organisations.models import Role, User
from doorstroom.signalering.registry import RULES


class Command(BaseCommand):
    help = "Stuur elke medewerker een overzicht van de open signalen op de eigen caseload (wekelijks)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        sent = 0
        staff = User.objects.filter(is_active=True).exclude(email="").exclude(role=Role.PARTICIPANT)
        for user in staff.iterator():
            signals = list(access.signals_visible_to(user)[:100])
            if not signals:
                continue
            access.record_list(user, [s.participant for s in signals], object_type="signals_digest")
            lines = [
                f"- {s.participant.full_name}: {RULES[s.rule].label if s.rule in RULES else s.rule}"
                f" (sinds {s.opened_on:%d-%m-%Y})"
                for s in signals
            ]
            link = settings.DOORSTROOM_BASE_URL.rstrip("/") + reverse("signalering:dashboard")
            body = "\n".join(
                [
                    f"Beste {user.get_full_name() or user.username},",
                    "",
                    "Deze deelnemers vragen aandacht:",
                    "",
                    *lines,
                    "",
                    f"Bekijk en handel af: {link}",
                ]
            )
            send_mail(f"Doorstroom: {len(signals)} open signalen", body, None, [user.email])
            sent += 1
        self.stdout.write(f"{sent} overzichten verstuurd.")
