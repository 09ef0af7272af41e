"""Contact moments (contactmomenten): planned and held, with attendance, duration and a note.
The guidance hours per participant-week are computed from them in the database."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doorstroom.core.fields import EncryptedTextField
from doorstroom.core.models import PublicIdModel
from doorstroom.participants.models import Participant

from . import rules


class ContactKind(models.TextChoices):
    CONVERSATION = "gesprek", _("Individueel gesprek")
    HOME_VISIT = "huisbezoek", _("Huisbezoek")
    EMPLOYER = "werkgever", _("Werkgever of werkbegeleider")
    TEACHER = "docent", _("Docent")
    ACQUISITION = "acquisitie", _("Acquisitie")
    NETWORK = "netwerk", _("Netwerk of familie")
    INTERMEDIARY = "intermediair", _("Intermediair")
    OTHER = "overig", _("Overig")


class ContactStatus(models.TextChoices):
    PLANNED = rules.PLANNED, _("Gepland")
    HELD = rules.HELD, _("Gehouden")


class Attendance(models.TextChoices):
    ATTENDED = rules.ATTENDED, _("Verschenen")
    NO_SHOW = rules.NO_SHOW, _("Niet verschenen: afspraak gemist")
    CANCELLED = rules.CANCELLED, _("Afgemeld")


class ContactMoment(PublicIdModel):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("soort contact"), max_length=20, choices=ContactKind.choices)
    status = models.CharField(_("stand"), max_length=10, choices=ContactStatus.choices)
    occurred_on = models.DateField(_("datum"))
    attendance = models.CharField(_("aanwezigheid"), max_length=20, choices=Attendance.choices, blank=True)
    minutes = models.PositiveSmallIntegerField(_("duur in minuten"), null=True, blank=True)
    note = EncryptedTextField(_("notitie"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("contactmoment")
        verbose_name_plural = _("contactmomenten")
        indexes = [
            models.Index(fields=["participant", "occurred_on"], name="contact_participant_day"),
            models.Index(fields=["recorded_by", "occurred_on"], name="contact_coach_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__lte=rules.MINUTES_PER_DAY), name="contact_at_most_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"
