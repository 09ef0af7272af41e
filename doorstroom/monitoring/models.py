"""Adopted reports: figures frozen when they were sent out, with the definitions they were computed by."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doorstroom.core.models import PublicIdModel
from doorstroom.organisations.models import Organisation


class AdoptedReport(PublicIdModel):
    """A report as it was adopted ("vastgesteld"): the parameters, the figures exactly as shown then
    (suppression included) and the definition version. Showing it again shows these figures; the
    report page can put today's figures for the same parameters next to them."""

    title = models.CharField(_("titel"), max_length=200)
    parameters = models.JSONField(_("parameters"))
    figures = models.JSONField(_("cijfers"))
    definition_version = models.CharField(_("versie van de definities"), max_length=20)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField(_("vastgesteld op"), auto_now_add=True)
    note = models.CharField(_("toelichting"), max_length=300, blank=True)

    class Meta:
        ordering = ["-adopted_at", "-id"]
        verbose_name = _("vastgestelde rapportage")
        verbose_name_plural = _("vastgestelde rapportages")

    def __str__(self) -> str:
        return self.title
