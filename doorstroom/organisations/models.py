"""Organisations, regions of cooperating municipalities, and the people who work in them."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from doorstroom.core.models import PublicIdModel


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "gemeente", _("Gemeente")
    REINTEGRATION = "reintegratie", _("Re-integratiebedrijf")
    SCHOOL = "school", _("School of ROC")
    WELFARE = "welzijn", _("Welzijnsorganisatie")
    INTERMEDIARIES = "intermediairs", _("Stichting van intermediairs")
    EMPLOYER = "werkgever", _("Werkgever")


class Organisation(PublicIdModel):
    """A municipality or a chain partner.

    `works_for` lists the municipalities a partner works for under contract; a municipality works for
    itself (and, as a region's centre, for the municipalities the region names).
    """

    name = models.CharField(_("naam"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=20, choices=OrganisationKind.choices)
    works_for = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="contractors",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("werkt voor gemeenten"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self) -> str:
        return self.name

    @property
    def is_municipality(self) -> bool:
        return self.kind == OrganisationKind.MUNICIPALITY


class Region(PublicIdModel):
    """Cooperating municipalities; the centre municipality executes for those in `executes_for`."""

    name = models.CharField(_("naam"), max_length=200, unique=True)
    centre = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="regions_as_centre",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("centrumgemeente"),
    )
    members = models.ManyToManyField(
        Organisation,
        related_name="regions",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("deelnemende gemeenten"),
    )
    executes_for = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="executed_by_regions",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("centrumgemeente voert uit voor"),
        help_text=_("Alleen voor deze gemeenten ziet de centrumgemeente de deelnemers."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("regio")
        verbose_name_plural = _("regio's")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """The roles of the product brief; one per user account."""

    DIRECTOR = "klantregisseur", _("Klantregisseur")
    COACH = "coach", _("Coach / trajectbegeleider")
    TEACHER = "docent", _("Docent")
    JOBCOACH = "jobcoach", _("Jobcoach / werkbegeleider")
    INTERMEDIARY = "intermediair", _("Intermediair / sleutelpersoon")
    EMPLOYER = "werkgever", _("Werkgever")
    PROJECT_LEADER = "projectleider", _("Projectleider / beleidsadviseur")
    EVALUATOR = "onderzoeker", _("Onderzoeker / evaluator")
    TEAM_LEAD = "teamleider", _("Teamleider")
    ADMINISTRATOR = "beheerder", _("Functioneel beheerder")
    PRIVACY_OFFICER = "privacyfunctionaris", _("Privacyfunctionaris")
    RECORDS_MANAGER = "archivaris", _("Archivaris / DIV")
    PARTICIPANT = "deelnemer", _("Deelnemer")


class User(AbstractUser):
    """A person who logs in: staff of an organisation, or a participant looking at their own file."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("organisatie"),
    )
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices, default=Role.COACH)

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
