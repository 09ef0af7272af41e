"""Studies: an evaluator's request for a pseudonymised extract, the privacy officer's decision, and
every extract made for it. The study's secret (for its pseudonyms) is stored encrypted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doorstroom.core.models import PublicIdModel
from doorstroom.organisations.models import Organisation
from doorstroom.programmes.models import Programme


class StudyState(models.TextChoices):
    REQUESTED = "aangevraagd", _("Aangevraagd")
    APPROVED = "goedgekeurd", _("Goedgekeurd")
    DECLINED = "afgewezen", _("Afgewezen")
    ENDED = "beeindigd", _("Beëindigd")


class Study(PublicIdModel):
    title = models.CharField(_("titel"), max_length=200)
    purpose = models.TextField(_("doel en vraag van het onderzoek"), max_length=2000)
    programmes = models.ManyToManyField(Programme, related_name="+", verbose_name=_("programma's"))
    period_from = models.DateField(_("aangemeld vanaf"))
    period_until = models.DateField(_("aangemeld tot en met"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=StudyState.choices, default=StudyState.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("toelichting bij het besluit"), max_length=500, blank=True)
    secret = models.CharField(max_length=300, editable=False)  # encrypted; never shown

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("onderzoek")
        verbose_name_plural = _("onderzoeken")

    def __str__(self) -> str:
        return self.title


class StudyExtract(PublicIdModel):
    """One extract as it was handed out: who, when, how many rows, and a checksum of the file."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="extracts")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField()
    left_out = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"{self.study}: {self.made_at:%Y-%m-%d}"
