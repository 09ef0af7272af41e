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
    USER_ADMINISTRATOR = "gebruikersbeheerder", _("Gebruikersbeheerder")
    PARTICIPANT = "deelnemer", _("Deelnemer")


#: Roles that open participants' files through the work (a team, the statutory task, an emergency).
CASE_ROLES = frozenset({"klantregisseur", "coach", "docent", "jobcoach", "intermediair", "teamleider"})


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


class AccountChangeKind(models.TextChoices):
    CREATE = "aanmaken", _("Account aanmaken")
    ROLE = "rol", _("Rol wijzigen")
    ORGANISATION = "organisatie", _("Organisatie wijzigen")
    USERNAME = "gebruikersnaam", _("Gebruikersnaam wijzigen")
    REGION = "regio", _("Centrumgemeente of uitvoering van een regio wijzigen")
    SECOND_FACTOR = "tweede_factor", _("Tweede factor opnieuw instellen")


class AccountChangeState(models.TextChoices):
    PROPOSED = "voorgesteld", _("Voorgesteld")
    APPROVED = "goedgekeurd", _("Goedgekeurd en doorgevoerd")
    REJECTED = "afgewezen", _("Afgewezen")


class AccountChange(PublicIdModel):
    """A change to who may do what (an account, a role, an organisation, a region's reach, a second
    factor): one user administrator proposes it, a different one approves it, and only then is it
    carried out. Rows are history; the audit chain holds the before and after."""

    kind = models.CharField(_("soort wijziging"), max_length=20, choices=AccountChangeKind.choices)
    target = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="account_changes", verbose_name=_("account")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    values = models.JSONField(_("gevraagde waarden"), default=dict)
    before = models.JSONField(_("waarden ervoor"), default=dict)
    state = models.CharField(
        _("stand"), max_length=12, choices=AccountChangeState.choices, default=AccountChangeState.PROPOSED
    )
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("voorgestelde accountwijziging")
        verbose_name_plural = _("voorgestelde accountwijzigingen")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("proposed_by")), name="account_change_four_eyes"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"


class ApiToken(PublicIdModel):
    """A named personal API token. The token is shown once when it is made; only its hash is kept.
    It ends at its expiry date, when its owner revokes it, or when the account is deactivated or
    changes role or organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("naam"), max_length=60, help_text=_("Waarvoor u dit token gebruikt."))
    prefix = models.CharField(_("begin van het token"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("verloopt op"))
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("persoonlijk API-token")
        verbose_name_plural = _("persoonlijke API-tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
