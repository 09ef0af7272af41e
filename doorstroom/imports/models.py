"""What an import wrote, so that the same file again changes nothing and an updated file corrects
what changed: each external id of the importing organisation points at the record it became."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doorstroom.core.models import PublicIdModel
from doorstroom.organisations.models import Organisation


class ImportBatch(PublicIdModel):
    """One import that was written (a preview or a refused import leaves no batch)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("ingelezen op"), auto_now_add=True)
    files = models.JSONField(_("bestanden"), default=list)  # names and SHA-256 of the contents
    counts = models.JSONField(_("aantallen"), default=dict)  # per table: new, changed, unchanged
    participant_count = models.PositiveIntegerField(_("deelnemers geraakt"), default=0)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"import {self.uuid}"


class ImportedRecord(models.Model):
    """An external id of an organisation and the record it became. `fingerprint` is the row (or
    group of rows) as last imported: the same fingerprint again means nothing changed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    table = models.CharField(max_length=20)
    external_id = models.CharField(max_length=200)
    object_id = models.PositiveBigIntegerField()
    fingerprint = models.CharField(max_length=64)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="records")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "table", "external_id"], name="imported_record_once")
        ]
        indexes = [models.Index(fields=["table", "object_id"])]

    def __str__(self) -> str:
        return f"{self.table} {self.external_id}"
