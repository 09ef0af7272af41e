"""The plan (plan van aanpak) a participant owns: goals per life domain and agreements in the
four-window form. Every save is a new, immutable version, so the history and the difference
between versions are always there; `Plan.version` guards against silent overwrites."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doorstroom.core.fields import EncryptedTextField
from doorstroom.core.i18n import translated_choices
from doorstroom.core.models import PublicIdModel
from doorstroom.participants.models import Household, Participant

from . import rules


class AgreementWay(models.TextChoices):
    SPOKEN = "mondeling", _("Mondeling, in het gesprek")
    SIGNED = "getekend", _("Getekend op papier")
    DIGITAL = "digitaal", _("Digitaal bevestigd")


class Plan(PublicIdModel):
    """One participant's plan, or one plan for a household supported as a whole ("1 gezin, 1 plan"),
    whose goals each name the member they are for."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="plan", null=True, blank=True
    )
    household = models.OneToOneField(Household, on_delete=models.CASCADE, related_name="plan", null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)  # the number of the current version
    current = models.OneToOneField(
        "PlanVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan van aanpak")
        verbose_name_plural = _("plannen van aanpak")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(participant__isnull=False, household__isnull=True)
                | models.Q(participant__isnull=True, household__isnull=False),
                name="plan_of_one_participant_or_one_household",
            )
        ]

    def __str__(self) -> str:
        owner = f"huishouden {self.household_id}" if self.household_id else f"deelnemer {self.participant_id}"
        return f"Plan {owner} v{self.version}"


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versie"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    review_on = models.DateField(_("evaluatiedatum"), null=True, blank=True)
    agreed_on = models.DateField(_("akkoord van de deelnemer op"), null=True, blank=True)
    agreed_how = models.CharField(_("hoe akkoord gegeven"), max_length=20, choices=AgreementWay.choices, blank=True)
    change_note = models.CharField(_("wat is er veranderd en waarom"), max_length=300, blank=True)
    # The PIP of the Wet inburgering, for a participant with an integration duty: every version
    # with a decision date is a decision (beschikking); the first one starts the three-year term.
    pip_decided_on = models.DateField(_("datum van het PIP-besluit"), null=True, blank=True)
    learning_route = models.CharField(
        _("leerroute"), max_length=10, choices=translated_choices(rules.LEARNING_ROUTES), blank=True
    )
    map_intensity = models.CharField(_("MAP: hoe intensief"), max_length=rules.PIP_TEXT_LIMIT, blank=True)
    pvt_intensity = models.CharField(_("PVT: hoe intensief"), max_length=rules.PIP_TEXT_LIMIT, blank=True)
    ontzorgen_until = models.DateField(_("ontzorgen tot en met"), null=True, blank=True)
    pip_change_reason = models.CharField(
        _("reden van de wijziging van het PIP"),
        max_length=12,
        choices=translated_choices(rules.PIP_CHANGE_REASONS),
        blank=True,
    )

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("versie van het plan")
        verbose_name_plural = _("versies van het plan")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_plan_version_number")]

    def __str__(self) -> str:
        return f"{self.plan} versie {self.number}"


class Goal(models.Model):
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="goals")
    key = models.UUIDField(default=uuid.uuid4)  # the same goal across versions
    member = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="household_goals",
        verbose_name=_("voor wie"),
    )  # in a household plan: the member the goal is for
    life_domain = models.CharField(_("leefgebied"), max_length=20, choices=translated_choices(rules.LIFE_DOMAINS))
    description = EncryptedTextField(_("doel"))
    target_on = models.DateField(_("streefdatum"), null=True, blank=True)
    status = models.CharField(
        _("stand"), max_length=20, choices=translated_choices(rules.GOAL_STATUSES), default="open"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan_version", "position", "id"]
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")

    def __str__(self) -> str:
        return self.get_life_domain_display()


class Agreement(models.Model):
    """An agreement in four windows: who does what by when; who keeps an eye on it; what happens
    if it is not kept; when we look back."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="agreements")
    key = models.UUIDField(default=uuid.uuid4)
    goal_key = models.UUIDField(null=True, blank=True)
    # what the agreement is about decides who may see it (a debts agreement is debts data); empty:
    # the domain of the goal it serves, or else the plan's
    life_domain = models.CharField(
        _("leefgebied"), max_length=20, choices=translated_choices(rules.LIFE_DOMAINS), blank=True
    )
    what = EncryptedTextField(_("wie doet wat"))
    due_on = models.DateField(_("klaar op"))
    monitor = EncryptedTextField(_("wie bewaakt de afspraak"))
    if_not_kept = EncryptedTextField(_("wat als het niet lukt"))
    look_back_on = models.DateField(_("terugkijken op"))
    status = models.CharField(
        _("stand"), max_length=20, choices=translated_choices(rules.AGREEMENT_STATUSES), default="open"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan_version", "position", "id"]
        verbose_name = _("afspraak")
        verbose_name_plural = _("afspraken")
        indexes = [models.Index(fields=["due_on", "status"], name="agreement_due")]

    def __str__(self) -> str:
        return f"Afspraak {self.key}"
