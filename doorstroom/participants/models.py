"""Participants (deelnemers) and households: the minimum personal data the work needs, and no ethnicity."""

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorstroom.core.fields import BlindIndexField, EncryptedTextField
from doorstroom.core.models import DataCategory as DataCategory  # the choices live in core, used by every app
from doorstroom.core.models import PublicIdModel
from doorstroom.organisations.models import Organisation, OrganisationKind


class ResidenceStatus(models.TextChoices):
    DUTCH = "nederlander", _("Nederlandse nationaliteit")
    EU = "eu", _("EU-burger")
    ASYLUM_PERMIT = "asiel", _("Verblijfsvergunning asiel")
    REGULAR_PERMIT = "regulier", _("Verblijfsvergunning regulier")
    PENDING = "procedure", _("In procedure")
    NONE = "geen", _("Geen verblijfsrecht")
    UNKNOWN = "onbekend", _("Onbekend")


PERMIT_STATUSES = frozenset(
    {ResidenceStatus.DUTCH, ResidenceStatus.EU, ResidenceStatus.ASYLUM_PERMIT, ResidenceStatus.REGULAR_PERMIT}
)


class BenefitStatus(models.TextChoices):
    NONE = "geen", _("Geen uitkering")
    SOCIAL_ASSISTANCE = "bijstand", _("Bijstand (Participatiewet)")
    UNEMPLOYMENT = "ww", _("WW")
    DISABILITY = "arbeidsongeschikt", _("WIA, WAO of Wajong")
    OTHER = "anders", _("Andere uitkering")
    UNKNOWN = "onbekend", _("Onbekend")


class Participant(PublicIdModel):
    """A person in one or more trajectories, belonging to one responsible municipality."""

    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participants",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("verantwoordelijke gemeente"),
    )
    given_name = models.CharField(_("voornaam"), max_length=100)
    family_name_prefix = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    family_name = models.CharField(_("achternaam"), max_length=100)
    date_of_birth = models.DateField(_("geboortedatum"))
    bsn = EncryptedTextField(_("BSN"), null=True, blank=True)  # encrypted at rest
    bsn_index = BlindIndexField(source="bsn", null=True, blank=True)  # for exact search, never the BSN
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=20, blank=True)
    residence_status = models.CharField(
        _("verblijfsstatus"), max_length=20, choices=ResidenceStatus.choices, default=ResidenceStatus.UNKNOWN
    )
    benefit_status = models.CharField(
        _("uitkering"), max_length=20, choices=BenefitStatus.choices, default=BenefitStatus.UNKNOWN
    )
    civic_integration_duty = models.BooleanField(_("inburgeringsplichtig"), default=False)
    languages = models.JSONField(_("talen (ISO 639)"), default=list, blank=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participant_file",
        verbose_name=_("eigen account"),
    )
    processing_restricted_since = models.DateField(
        _("verwerking beperkt sinds"),
        null=True,
        blank=True,
        help_text=_("AVG artikel 18: zolang dit is ingevuld, wordt niets aan dit dossier gewijzigd."),
    )
    processing_restriction_reason = models.CharField(_("reden van de beperking"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name = _("deelnemer")
        verbose_name_plural = _("deelnemers")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "bsn_index"],
                condition=Q(bsn_index__isnull=False),
                name="participant_bsn_unique_per_municipality",
            )
        ]
        indexes = [models.Index(fields=["municipality", "family_name", "date_of_birth"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        parts = [self.given_name, self.family_name_prefix, self.family_name]
        return " ".join(p for p in parts if p)


class Household(PublicIdModel):
    """A household or family network supported together ("1 gezin, 1 plan, 1 regisseur")."""

    municipality = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="households", verbose_name=_("gemeente")
    )
    name = models.CharField(_("naam"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("huishouden")
        verbose_name_plural = _("huishoudens")

    def __str__(self) -> str:
        return self.name


class HouseholdRelation(models.TextChoices):
    PARENT = "ouder", _("Ouder")
    CHILD = "kind", _("Kind")
    PARTNER = "partner", _("Partner")
    OTHER = "overig", _("Overig")


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="household_memberships")
    relation = models.CharField(_("relatie"), max_length=10, choices=HouseholdRelation.choices)

    class Meta:
        verbose_name = _("lid van huishouden")
        verbose_name_plural = _("leden van huishouden")
        constraints = [models.UniqueConstraint(fields=["household", "participant"], name="household_member_once")]

    def __str__(self) -> str:
        return f"{self.participant} ({self.get_relation_display()})"


class LegalBasis(models.TextChoices):
    STATUTORY_TASK = "wettelijke_taak", _("Wettelijke taak")
    CONSENT = "toestemming", _("Toestemming van de deelnemer")


class GrantOrigin(models.TextChoices):
    DECISION = "besluit", _("Besluit van de gemeente of toestemming")
    WORK_NEED = "werk", _("Nodig voor het werk in het programma")


class GrantEnding(models.TextChoices):
    WITHDRAWN = "ingetrokken", _("Ingetrokken door de gemeente")
    WORK_ENDED = "werk_beeindigd", _("Beëindigd: het werk in het team is voorbij")


class SharingGrant(PublicIdModel):
    """One organisation may receive one category of a participant's data, on a legal basis, from a
    date, until it is withdrawn. Withdrawal closes the row; a new grant is a new row (history)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="sharing_grants")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sharing_grants", verbose_name=_("organisatie")
    )
    category = models.CharField(_("soort gegevens"), max_length=20, choices=DataCategory.choices)
    legal_basis = models.CharField(_("grondslag"), max_length=20, choices=LegalBasis.choices)
    granted_on = models.DateField(_("vanaf"))
    withdrawn_on = models.DateField(_("ingetrokken op"), null=True, blank=True)
    # automatic grants come from an approved programme data need (`programmes.ProgrammeDataNeed`)
    origin = models.CharField(_("herkomst"), max_length=10, choices=GrantOrigin.choices, default=GrantOrigin.DECISION)
    data_need = models.ForeignKey(
        "programmes.ProgrammeDataNeed", on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    ending = models.CharField(_("einde"), max_length=15, choices=GrantEnding.choices, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "category", "granted_on"]
        verbose_name = _("gegevensdeling")
        verbose_name_plural = _("gegevensdelingen")
        indexes = [models.Index(fields=["organisation", "category", "participant"], name="grant_org_category")]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "organisation", "category"],
                condition=Q(withdrawn_on__isnull=True),
                name="one_open_grant_per_category",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_category_display()}"


class ParticipantChange(models.Model):
    """One saved change of a participant's personal data: which fields, by whom, when and why, with
    the values before and after kept encrypted. Rectification (AVG art. 16) thereby keeps what was
    corrected, and a conflicting edit can say who changed what in between."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField(_("versie na de wijziging"))
    changed_at = models.DateTimeField(_("gewijzigd op"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_fields = models.JSONField(_("gewijzigde velden"), default=list)  # names only, never values
    values = EncryptedTextField(_("oude en nieuwe waarden"))  # JSON {field: [before, after]}, encrypted
    reason = models.CharField(_("reden"), max_length=300, blank=True)
    is_rectification = models.BooleanField(_("rectificatie op verzoek van de deelnemer"), default=False)

    class Meta:
        ordering = ["version"]
        verbose_name = _("wijziging van persoonsgegevens")
        verbose_name_plural = _("wijzigingen van persoonsgegevens")
        constraints = [
            models.UniqueConstraint(fields=["participant", "version"], name="one_change_per_participant_version")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} v{self.version}"

    @property
    def before_after(self) -> dict[str, list[Any]]:
        return dict(json.loads(self.values or "{}"))


class SchoolRegistration(models.Model):
    """A child's registration at a school, for a period: what the leerplicht signal checks.
    Rows are history; a change of school ends one row and starts another."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="school_registrations")
    school = models.CharField(_("school"), max_length=200)
    starts_on = models.DateField(_("ingeschreven sinds"))
    ends_on = models.DateField(_("uitgeschreven op"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("schoolinschrijving")
        verbose_name_plural = _("schoolinschrijvingen")

    def __str__(self) -> str:
        return self.school


#: the data category of each personal-data field that is not plain identity
FIELD_CATEGORIES = {"email": DataCategory.CONTACT, "phone": DataCategory.CONTACT}


def field_label(name: str) -> str:
    """The Dutch label of a participant field, for histories and conflict messages."""
    return str(getattr(Participant._meta.get_field(name), "verbose_name", name))
