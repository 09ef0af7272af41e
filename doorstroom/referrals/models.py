"""A referral (aanmelding) of a participant from one organisation to another. The receiving
organisation accepts or declines it; only while the participant's consent to share their
programme and phase with that organisation holds does it see who is referred (access policy)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from doorstroom.core.fields import EncryptedTextField
from doorstroom.core.i18n import translated_choices
from doorstroom.core.models import PublicIdModel
from doorstroom.organisations.models import Organisation
from doorstroom.participants.models import Participant

from . import rules


class Referral(PublicIdModel):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name=_("van")
    )
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received", verbose_name=_("naar")
    )
    reason = EncryptedTextField(_("waarom en wat wordt gevraagd"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("stand"), max_length=12, choices=translated_choices(rules.STATES), default=rules.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("beantwoord op"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reden van afwijzen"), max_length=20, choices=translated_choices(rules.DECLINE_REASONS), blank=True
    )
    decision_note = EncryptedTextField(_("toelichting bij het antwoord"), blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("begeleid door"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("aanmelding")
        verbose_name_plural = _("aanmeldingen")
        indexes = [models.Index(fields=["to_organisation", "state"], name="referral_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "to_organisation"],
                condition=Q(state=rules.PENDING),
                name="one_open_referral_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"Aanmelding {self.participant_id} → {self.to_organisation_id} ({self.state})"
