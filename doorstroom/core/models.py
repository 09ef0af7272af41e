"""Shared model pieces: a public UUID for URLs and the API, and the data categories as choices."""

import functools
import uuid
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

from doorstroom.core import categories
from doorstroom.core.fields import EncryptedTextField


@functools.cache
def _labels_of(field: models.Field) -> dict[Any, Any]:
    """A field's choices as a dictionary, made once per field (the labels stay lazy, so each is
    translated into the language of the request that shows it)."""
    return dict(make_hashable(field.flatchoices))


class PublicIdModel(models.Model):
    """Internal integer keys for joins, a random UUID for anything a user or client sees."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:  # noqa: N802 - Django's name
        """`get_<field>_display()` as Django does it, without rebuilding the field's choices each
        call: a list of a hundred rows asked it twice a row (3.5 ms of a caseload page)."""
        value = getattr(self, field.attname)
        return force_str(_labels_of(field).get(make_hashable(value), value), strings_only=True)


class DataCategory(models.TextChoices):
    """Categories of personal data; every field of every app is filed under one of them, and a
    piece of data whose content says more (a health goal, a detention as pause reason) under the
    category of what it says (`core.categories`, ADR 0010)."""

    IDENTITY = categories.IDENTITY, _("Identiteit (naam, geboortedatum)")
    CONTACT = categories.CONTACT, _("Contactgegevens")
    TRAJECTORY = categories.TRAJECTORY, _("Programma en fase")
    PLAN = categories.PLAN, _("Plan en doelen")
    MEASUREMENTS = categories.MEASUREMENTS, _("Metingen")
    NOTES = categories.NOTES, _("Contactmomenten en notities")
    WORK_EDUCATION = categories.WORK_EDUCATION, _("Werk en opleiding")
    HEALTH = categories.HEALTH, _("Gezondheid")
    DEBTS = categories.DEBTS, _("Schulden")
    JUSTICE = categories.JUSTICE, _("Justitie")


class IdempotentRequest(models.Model):
    """A POST sent with an Idempotency-Key: what it was (a fingerprint of method, address and body)
    and, once done, its answer, so a retry gets that answer instead of doing it twice. The answer is
    encrypted and kept a day (the job `idempotency_purge`)."""

    IN_PROGRESS = "bezig"
    DONE = "klaar"

    user = models.ForeignKey("organisations.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, default=IN_PROGRESS)
    status_code = models.PositiveSmallIntegerField(null=True)
    answer = EncryptedTextField(blank=True)
    #: per participant (primary key as text), the categories of their file the answer showed: a
    #: replay is refused when the reader may no longer see one of them
    shown = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_request_per_key")]
        indexes = [models.Index(fields=["started_at"], name="idempotency_age")]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"
