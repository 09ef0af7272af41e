"""Destruction lists: what is due for destruction, approved by a records manager before the purge.

Items hold no personal data (opaque ids, programme codes, dates), so they stay as the record of
what was destroyed, when, why and on whose approval.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ListStatus(models.TextChoices):
    DRAFT = "concept", _("Concept")
    APPROVED = "goedgekeurd", _("Goedgekeurd")
    EXECUTED = "uitgevoerd", _("Uitgevoerd")


class DestructionList(models.Model):
    """One municipality's files due for destruction on a reference date."""

    municipality = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("gemeente")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reference_date = models.DateField(_("peildatum"))
    status = models.CharField(max_length=12, choices=ListStatus.choices, default=ListStatus.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("vernietigingslijst")
        verbose_name_plural = _("vernietigingslijsten")

    def __str__(self) -> str:
        return f"Vernietigingslijst {self.pk} ({self.get_status_display()})"


class DestructionItem(models.Model):
    destruction_list = models.ForeignKey(DestructionList, on_delete=models.PROTECT, related_name="items")
    participant_uuid = models.CharField(max_length=36)
    enrollment_uuids = models.JSONField(default=list)
    programme_codes = models.JSONField(default=list)
    last_ended_on = models.DateField()
    due_on = models.DateField()
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("te vernietigen dossier")
        verbose_name_plural = _("te vernietigen dossiers")

    def __str__(self) -> str:
        return self.participant_uuid


class ErasureGround(models.TextChoices):
    """The grounds of AVG art. 17(1) that occur here."""

    UNLAWFUL = "onrechtmatig", _("Onrechtmatig verwerkt (bijvoorbeeld de verkeerde persoon geregistreerd)")
    CONSENT_WITHDRAWN = "toestemming_ingetrokken", _("Toestemming ingetrokken en geen andere grondslag")
    NOT_NEEDED = "niet_meer_nodig", _("Niet meer nodig voor het doel (alleen geregistreerd, nooit aangemeld)")


class ErasureRecord(models.Model):
    """The record of one erasure (AVG art. 17): which file, on what ground, decided by whom, when,
    and how many rows went per kind. Holds no personal data, so it stays."""

    participant_uuid = models.CharField(max_length=36)
    ground = models.CharField(_("grond"), max_length=30, choices=ErasureGround.choices)
    decision_reference = models.CharField(
        _("kenmerk van het besluit"),
        max_length=100,
        blank=True,
        help_text=_("Bijvoorbeeld het zaaknummer van het verzoek. Geen namen of andere persoonsgegevens."),
    )
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(auto_now_add=True)
    rows_removed = models.JSONField(default=dict)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("gewist dossier")
        verbose_name_plural = _("gewiste dossiers")

    def __str__(self) -> str:
        return self.participant_uuid
