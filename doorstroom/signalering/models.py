"""Signals (signalen): a stored row per participant, rule and subject while its condition holds.
The engine opens and closes them; a user acknowledges or resolves one with a note. Every step is a
SignalEvent, so a signal's whole history stays."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doorstroom.core.fields import EncryptedTextField
from doorstroom.core.models import PublicIdModel
from doorstroom.participants.models import DataCategory, Participant
from doorstroom.programmes.models import Programme


class SignalState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "gezien", _("Gezien")
    RESOLVED = "opgepakt", _("Opgepakt")
    CLOSED = "gesloten", _("Vanzelf gesloten")


LIVE_STATES = (SignalState.OPEN, SignalState.ACKNOWLEDGED, SignalState.RESOLVED)


class RuleThreshold(models.Model):
    """A rule's threshold for one programme (or, without a programme, the default)."""

    rule = models.CharField(_("regel"), max_length=40)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    threshold = models.PositiveIntegerField(_("drempel"))
    is_active = models.BooleanField(_("aan"), default=True)

    class Meta:
        verbose_name = _("drempel van een signaalregel")
        verbose_name_plural = _("drempels van signaalregels")
        constraints = [models.UniqueConstraint(fields=["rule", "programme"], name="one_threshold_per_rule_programme")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.threshold}"


class Signal(PublicIdModel):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="signals")
    rule = models.CharField(_("regel"), max_length=40)
    subject = models.CharField(max_length=64, blank=True)  # what it is about: an agreement, an enrollment
    category = models.CharField(max_length=20, choices=DataCategory.choices)
    detail = models.CharField(_("toelichting"), max_length=200, blank=True)
    # the programme a signal is about (an enrollment's phase): a sensitive programme's signal is
    # shown only where that membership is visible; the detail text never names a programme
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    state = models.CharField(_("stand"), max_length=10, choices=SignalState.choices, default=SignalState.OPEN)
    opened_on = models.DateField(_("geopend op"))
    closed_on = models.DateField(_("gesloten op"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("signaal")
        verbose_name_plural = _("signalen")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "rule", "subject"],
                condition=~models.Q(state="gesloten"),
                name="one_live_signal_per_subject",
            )
        ]
        indexes = [models.Index(fields=["rule", "state"], name="signal_rule_state")]

    def __str__(self) -> str:
        return f"{self.rule} {self.participant_id}"


class SignalEventKind(models.TextChoices):
    OPENED = "geopend", _("Geopend")
    ACKNOWLEDGED = "gezien", _("Gezien")
    RESOLVED = "opgepakt", _("Opgepakt")
    CLOSED = "gesloten", _("Vanzelf gesloten")


class SignalEvent(models.Model):
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=SignalEventKind.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["signal", "at", "id"]

    def __str__(self) -> str:
        return f"{self.signal_id} {self.kind}"
